/// Units the CTCAE laboratory rules accept, and the lipid conversions between them (REFERENCE.md E1).
public enum CTCAELabUnit: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
    case milligramsPerDecilitre = "mg/dL"
    case millimolesPerLitre = "mmol/L"
    case unitsPerLitre = "U/L"
    case micromolesPerLitre = "umol/L"

    /// Accepts the common spellings (case-insensitive; UCUM `mg/dL`, `mmol/L`, `U/L`, `[IU]/L`, `IU/L`,
    /// `µmol/L`, `umol/L`). Anything else is refused by `parse`.
    public init?(spelling: String) {
        // The canonical spelling as stored: no Foundation string work (grading every stored lab value of an
        // export spent most of its time normalising "mg/dL", issue #18).
        if let unit = CTCAELabUnit(rawValue: spelling) {
            self = unit
            return
        }
        let key = spelling.trimmingCharacters(in: .whitespaces).lowercased()
            .replacingOccurrences(of: "µ", with: "u").replacingOccurrences(of: "μ", with: "u")
        switch key {
        case "mg/dl": self = .milligramsPerDecilitre
        case "mmol/l": self = .millimolesPerLitre
        case "u/l", "iu/l", "[iu]/l": self = .unitsPerLitre
        case "umol/l": self = .micromolesPerLitre
        default: return nil
        }
    }

    public static func parse(_ spelling: String, field: String, allowed: [CTCAELabUnit]) throws -> CTCAELabUnit {
        guard let unit = CTCAELabUnit(spelling: spelling), allowed.contains(unit) else {
            throw DomainError.unknownUnit(field: field, unit: spelling, allowed: allowed.map(\.rawValue))
        }
        return unit
    }
}

/// mg/dL ↔ mmol/L for the lipids CTCAE grades. A factor is the analyte's molar mass (g/mol) ÷ 10, since
/// mg/dL × 10 = mg/L and mg/L ÷ (g/mol) = mmol/L:
/// - cholesterol C27H46O, 386.65 g/mol → 38.67 (the factor REFERENCE.md E1's paired columns imply:
///   300 mg/dL ↔ 7.75 mmol/L);
/// - triglyceride, conventionally expressed as triolein (~885.7 g/mol) → 88.57.
/// These factors are derived, not quoted from CTCAE. Grading does not depend on them: CTCAE prints its own
/// mmol/L cut-offs (e.g. 150 mg/dL beside 1.71 mmol/L, where 150/88.57 = 1.69), and a value is graded
/// against the cut-offs printed for its own unit. The factors serve display and cross-unit thresholds.
public enum LipidConversion: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
    case triglyceride
    case cholesterol

    public var mgPerDLPerMmolPerL: Double {
        switch self {
        case .triglyceride: 88.57
        case .cholesterol: 38.67
        }
    }

    public func convert(_ value: Double, from: CTCAELabUnit, to: CTCAELabUnit) throws -> Double {
        try AllowedRange.nonNegative(from.rawValue).check(value, field: "value")
        switch (from, to) {
        case (.milligramsPerDecilitre, .milligramsPerDecilitre), (.millimolesPerLitre, .millimolesPerLitre):
            return value
        case (.milligramsPerDecilitre, .millimolesPerLitre):
            return value / mgPerDLPerMmolPerL
        case (.millimolesPerLitre, .milligramsPerDecilitre):
            return value * mgPerDLPerMmolPerL
        default:
            throw DomainError.unknownUnit(
                field: "unit", unit: from == .milligramsPerDecilitre || from == .millimolesPerLitre ? to.rawValue : from.rawValue,
                allowed: [CTCAELabUnit.milligramsPerDecilitre.rawValue, CTCAELabUnit.millimolesPerLitre.rawValue])
        }
    }
}
