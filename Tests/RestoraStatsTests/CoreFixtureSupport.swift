import Foundation
@testable import RestoraStats

/// A number in a fixture: JSON has no infinities, so the generator writes "inf" / "-inf" as strings.
struct CoreFixtureNumber: Decodable, Sendable {
    let value: Double
    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let double = try? container.decode(Double.self) {
            value = double
        } else {
            let text = try container.decode(String.self)
            switch text {
            case "inf": value = .infinity
            case "-inf": value = -.infinity
            default: throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a number: \(text)")
            }
        }
    }
}

/// The envelope every core-*.json fixture shares: who produced it and the cases.
struct CoreFixtureFile<Case: Decodable & Sendable>: Decodable, Sendable {
    let generator: String
    let tool: String
    let cases: [Case]
}

enum CoreFixtures {
    enum LoadError: Error { case missing(String) }

    static func load<Case: Decodable & Sendable>(_ name: String, as: Case.Type = Case.self) throws -> CoreFixtureFile<Case> {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
            throw LoadError.missing(name)
        }
        return try JSONDecoder().decode(CoreFixtureFile<Case>.self, from: Data(contentsOf: url))
    }

    /// Cases or an empty list, so a parameterised @Test can be declared from a fixture (a missing
    /// fixture then shows up as a failing `fixturesPresent` test, not a crash).
    static func cases<Case: Decodable & Sendable>(_ name: String, as type: Case.Type = Case.self) -> [Case] {
        (try? load(name, as: type).cases) ?? []
    }
}

/// Relative error, falling back to absolute error below `floor` (for expected values at or near zero).
func coreRelativeError(_ actual: Double, _ expected: Double, floor: Double = 1e-300) -> Double {
    if actual == expected { return 0 }
    if actual.isNaN || expected.isNaN { return .infinity }
    if expected.isInfinite || actual.isInfinite { return .infinity }
    return abs(actual - expected) / max(abs(expected), floor)
}

/// True when `actual` is within `tolerance` relative (or `absolute`, whichever is looser) of `expected`.
func coreClose(_ actual: Double, _ expected: Double, rel tolerance: Double, abs absolute: Double = 0) -> Bool {
    if actual == expected { return true }
    if abs(actual - expected) <= absolute { return true }
    return coreRelativeError(actual, expected) <= tolerance
}
