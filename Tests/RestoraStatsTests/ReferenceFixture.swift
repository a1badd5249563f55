import Foundation
import Testing

/// Loads the reference fixtures written by scripts/reference/stats_survival.R and stats_survival.py.
enum ReferenceFixture {
    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Fixtures/\(name).json"])
        }
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }
}

/// R's jsonlite writes a length-1 vector as a scalar and NA as null; this reads either shape.
struct RVector: Decodable, Sendable {
    let values: [Double?]
    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let array = try? container.decode([Double?].self) {
            values = array
        } else if container.decodeNil() {
            values = [nil]
        } else {
            values = [try container.decode(Double.self)]
        }
    }
    var doubles: [Double] { values.map { $0 ?? .nan } }
    subscript(i: Int) -> Double? { values[i] }
    var count: Int { values.count }
}

/// Strings the same way (a length-1 character vector comes out as a scalar).
struct RStrings: Decodable, Sendable {
    let values: [String]
    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let array = try? container.decode([String].self) { values = array } else { values = [try container.decode(String.self)] }
    }
}

/// |actual − expected| ≤ tolerance · max(|expected|, 1e-300) (relative), or both absent.
func expectClose(
    _ actual: Double?, _ expected: Double?, relative tolerance: Double, _ what: @autoclosure () -> String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    switch (actual, expected) {
    case (nil, nil): return
    case let (a?, e?):
        if a == e { return }
        let scale = max(abs(e), 1e-300)
        #expect(abs(a - e) <= tolerance * scale,
                "\(what()): got \(a), reference \(e), relative error \(abs(a - e) / scale)",
                sourceLocation: sourceLocation)
    default:
        Issue.record("\(what()): got \(String(describing: actual)), reference \(String(describing: expected))",
                     sourceLocation: sourceLocation)
    }
}

/// Absolute comparison, for values that may be exactly zero (p-values near 1, CI limits at 0).
func expectNear(
    _ actual: Double?, _ expected: Double?, absolute tolerance: Double, _ what: @autoclosure () -> String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    switch (actual, expected) {
    case (nil, nil): return
    case let (a?, e?):
        #expect(abs(a - e) <= tolerance, "\(what()): got \(a), reference \(e)", sourceLocation: sourceLocation)
    default:
        Issue.record("\(what()): got \(String(describing: actual)), reference \(String(describing: expected))",
                     sourceLocation: sourceLocation)
    }
}
