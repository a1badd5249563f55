/// One section of a report: its content, or — when it cannot be computed (no participants, no events,
/// one arm) — `unavailable` saying why in plain words. Never an empty table or a NaN.
public struct ReportSection<Content: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var content: Content?
    public var unavailable: String?
    public var notes: [String]

    public init(_ content: Content, notes: [String] = []) {
        self.content = content
        self.unavailable = nil
        self.notes = notes
    }

    public init(unavailable reason: String, notes: [String] = []) {
        self.content = nil
        self.unavailable = reason
        self.notes = notes
    }

    public var isAvailable: Bool { content != nil }
}

/// A two-sided 95 % interval for a proportion, as numbers and as the text the report prints.
public struct IntervalEstimate: Codable, Sendable, Equatable {
    public var method: String
    public var lower: Double
    public var upper: Double
    public var text: String

    init(method: String, lower: Double, upper: Double) {
        self.method = method
        self.lower = lower
        self.upper = upper
        self.text = "\(ReportNumber.percent(lower)) to \(ReportNumber.percent(upper))"
    }
}

enum ReportNumber {
    /// 0.36666 → "36.7%".
    static func percent(_ value: Double, places: Int = 1) -> String { fixed(value * 100, places: places) + "%" }

    static func fixed(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return "–" }
        // Beyond 1e15 there are no decimals left to show, and Int(magnitude) would trap (stopping the server
        // that renders the report) once it passes Int.max: an absurd recorded value prints as it is.
        guard abs(value) < 1e15 else { return String(value) }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        let negative = rounded < 0
        let magnitude = abs(rounded)
        let whole = Int(magnitude)
        guard places > 0 else { return (negative ? "-" : "") + String(whole) }
        let fraction = Int(((magnitude - Double(whole)) * scale).rounded())
        let digits = String(fraction)
        let padded = String(repeating: "0", count: max(0, places - digits.count)) + digits
        return (negative && (whole != 0 || fraction != 0) ? "-" : "") + "\(whole).\(padded)"
    }

    /// "1 responder", "9 responders".
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    /// p-values: "0.012", "< 0.001", "1.000".
    static func pValue(_ p: Double) -> String { p < 0.001 ? "< 0.001" : fixed(p, places: 3) }

    static func median(_ values: [Double]) -> Double? { quantile(values, 0.5) }

    /// Type 7 quantile (R's default), nil for no values.
    static func quantile(_ values: [Double], _ q: Double) -> Double? {
        let sorted = values.filter(\.isFinite).sorted()
        guard let first = sorted.first else { return nil }
        guard sorted.count > 1 else { return first }
        let h = Double(sorted.count - 1) * q
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }
}
