/// UCUM units as a clinician reads them: "10*6/mL" is stored (REFERENCE.md F1, UCUM) but shown as
/// "× 10⁶/mL"; annotations in braces ("{score}", "{T-score}") are labels, not units, and read as words.
/// Used wherever a unit reaches a person: pages, alert reasons, reports. Stored values keep UCUM.
public enum UnitText {
    private static let table: [String: String] = [
        "10*6/mL": "× 10⁶/mL", "10^6/mL": "× 10⁶/mL", "10*6": "× 10⁶", "10*9/L": "× 10⁹/L", "10*12/L": "× 10¹²/L",
        "10*3/uL": "× 10³/µL", "10*6/uL": "× 10⁶/µL",
        "g/cm2": "g/cm²", "mL": "mL", "%": "%", "uL": "µL", "ug/dL": "µg/dL", "ug/L": "µg/L", "umol/L": "µmol/L",
        "[IU]/L": "IU/L", "m[IU]/mL": "mIU/mL", "[iU]/L": "IU/L", "m[iU]/mL": "mIU/mL", "U/L": "U/L",
        "{score}": "points", "{T-score}": "SD", "{Z-score}": "SD", "{SD}": "SD", "a": "years", "mo": "months",
        "wk": "weeks", "d": "days", "h": "hours", "min": "min", "Cel": "°C", "[g]": "× g",
    ]

    /// The readable form of `ucum`; an unknown unit is shown as stored, with braces of a bare annotation removed.
    public static func readable(_ ucum: String) -> String {
        if let known = table[ucum] { return known }
        if ucum.hasPrefix("{"), ucum.hasSuffix("}"), ucum.count > 2 { return String(ucum.dropFirst().dropLast()) }
        return ucum.replacingOccurrences(of: "10*", with: "10^")
    }

    /// A value with its readable unit: "1.5 × 10⁶/mL", "18 points", "35 %".
    public static func quantity(_ value: String, _ ucum: String) -> String {
        let unit = readable(ucum)
        return unit.isEmpty ? value : "\(value) \(unit)"
    }
}
