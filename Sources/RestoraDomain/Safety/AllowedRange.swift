/// The allowed range of one clinical input, with the wording used in refusals ("0–100 %").
/// Refusals are `DomainError.invalidValue` (Model/DomainError.swift) naming the field and this range,
/// so every rule family (semen, DXA, CTCAE, release) rejects bad input the same way.
public struct AllowedRange: Sendable, Equatable {
    public var lower: Double
    public var lowerInclusive: Bool
    public var upper: Double?
    public var unit: String

    public init(lower: Double, lowerInclusive: Bool = true, upper: Double? = nil, unit: String) {
        self.lower = lower
        self.lowerInclusive = lowerInclusive
        self.upper = upper
        self.unit = unit
    }

    /// 0–100 %, inclusive both ends: percentages of counted cells.
    public static let percent = AllowedRange(lower: 0, upper: 100, unit: "%")

    public static func nonNegative(_ unit: String) -> AllowedRange { AllowedRange(lower: 0, unit: unit) }
    public static func positive(_ unit: String) -> AllowedRange {
        AllowedRange(lower: 0, lowerInclusive: false, unit: unit)
    }

    public var text: String {
        let unitText = unit.isEmpty ? "" : " \(unit)"
        if let upper {
            return lowerInclusive
                ? "\(NumberText.plain(lower))–\(NumberText.plain(upper))\(unitText)"
                : "more than \(NumberText.plain(lower)) and at most \(NumberText.plain(upper))\(unitText)"
        }
        return lowerInclusive
            ? "≥ \(NumberText.plain(lower))\(unitText)"
            : "> \(NumberText.plain(lower))\(unitText)"
    }

    /// Returns `value` unchanged or throws a refusal naming `field` and this range. NaN and infinity are
    /// refused, never treated as "missing" or zero.
    @discardableResult
    public func check(_ value: Double, field: String) throws -> Double {
        guard value.isFinite else {
            throw DomainError.invalidValue(field: field, message: "must be a finite number \(text); got \(value)")
        }
        let aboveLower = lowerInclusive ? value >= lower : value > lower
        let belowUpper = upper.map { value <= $0 } ?? true
        guard aboveLower && belowUpper else {
            throw DomainError.invalidValue(field: field, message: "must be \(text); got \(NumberText.plain(value))")
        }
        return value
    }

    /// Optional inputs stay optional: a missing value is "not measured", never a refusal.
    @discardableResult
    public func checkIfPresent(_ value: Double?, field: String) throws -> Double? {
        guard let value else { return nil }
        return try check(value, field: field)
    }
}

extension DomainError {
    /// The refusal for a unit a rule cannot convert from, listing the units it accepts.
    static func unknownUnit(field: String, unit: String, allowed: [String]) -> DomainError {
        .invalidValue(field: field, message: "unknown unit '\(unit)'; allowed units: \(allowed.joined(separator: ", "))")
    }
}

/// Numbers as clinicians write them: no trailing ".0", a few significant decimals.
public enum NumberText {
    public static func plain(_ value: Double) -> String {
        guard value.isFinite else { return String(value) }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// Cell counts as a clinician reads them: 7.5e7 → "75×10^6" (1×10^6 granularity above a million).
    public static func scientific(_ value: Double) -> String {
        guard value.isFinite, abs(value) >= 1e6 else { return plain(value) }
        return "\(rounded(value / 1e6, places: 3))×10^6"
    }

    /// Rounded to `places` decimals for display (T-scores to 2 places, TMSC to 1).
    public static func rounded(_ value: Double, places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return plain((value * scale).rounded() / scale)
    }
}
