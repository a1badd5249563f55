import ArgumentParser
import Foundation
import RestoraStats

/// Shared plumbing of the core analysis subcommands (proportion, fisher, chisq, ttest, wilcoxon,
/// mannwhitney, power, simon): refusals become one-line CLI failures, numbers print without NaN.
enum StatsCoreCLI {
    /// Runs an analysis; a `StatsError` becomes "field: message" on stderr with exit 1.
    static func analysis<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StatsError {
            throw CLIFailure(error.description)
        }
    }

    /// A comma-separated list of finite numbers, e.g. `--x 1.2,3.4,5`.
    static func values(_ text: String, option: String) throws -> [Double] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        return try parts.enumerated().map { index, part in
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let value = DecimalNumber.parse(trimmed) else {
                throw CLIFailure("--\(option): value \(index + 1) '\(DecimalNumber.visible(trimmed))' is not a finite decimal number")
            }
            return value
        }
    }

    static func alternative(_ text: String) throws -> Alternative {
        guard let value = Alternative(rawValue: text) else {
            throw CLIFailure("--alternative: '\(text)' is not one of two-sided, less, greater")
        }
        return value
    }

    /// Four significant digits; "Inf" / "-Inf" for infinite ends; "NA" (never "nan") for anything undefined.
    static func format(_ value: Double, digits: Int = 4) -> String {
        if value.isNaN { return "NA" }
        if value.isInfinite { return value > 0 ? "Inf" : "-Inf" }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if value == value.rounded(), magnitude < 1e7 { return String(Int(value)) }
        if magnitude >= 1e-4, magnitude < 1e7 {
            let decimals = max(0, digits - 1 - Int(floor(log10(magnitude))))
            return String(format: "%.\(decimals)f", value)
        }
        return String(format: "%.\(digits - 1)e", value)
    }

    static func p(_ value: Double) -> String { value < 1e-4 ? "< 0.0001" : format(value, digits: 3) }

    static func interval(_ ci: ConfidenceInterval) -> String {
        "\(format(ci.level * 100, digits: 3))% CI \(format(ci.lower)) to \(format(ci.upper))"
    }
}

/// A number in JSON output: finite values as numbers, infinities as "Inf" / "-Inf" (JSON has none),
/// NaN as null — so no NaN is ever printed as if it were a result.
struct JSONNumber: Encodable {
    let value: Double
    init(_ value: Double) { self.value = value }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if value.isNaN {
            try container.encodeNil()
        } else if value.isInfinite {
            try container.encode(value > 0 ? "Inf" : "-Inf")
        } else {
            try container.encode(value)
        }
    }
}

/// A confidence interval in JSON output.
struct JSONInterval: Encodable {
    let lower: JSONNumber
    let upper: JSONNumber
    let level: Double
    init(_ ci: ConfidenceInterval) {
        lower = JSONNumber(ci.lower)
        upper = JSONNumber(ci.upper)
        level = ci.level
    }
}
