/// Endotoxin against its limit, converting between per-kg, per-dose and per-mL only where the recorded
/// data allow (REFERENCE.md D2: limits are written per kg, e.g. ≤5 EU/kg; labs often report EU/mL).
extension ReleaseSpecification {
    func endotoxinResult(_ r: ReleaseTestResults) throws -> ReleaseCriterionResult {
        let limit = endotoxinLimit
        let requirement = "≤ \(NumberText.plain(limit.value)) \(limit.unit.rawValue)"
        guard let measured = r.endotoxin else {
            return .init(criterion: "endotoxin", requirement: requirement, observed: nil, status: .missing,
                         note: "needs the endotoxin result")
        }
        guard let unit = EndotoxinUnit(spelling: measured.unit) else {
            throw DomainError.unknownUnit(field: "endotoxin.unit", unit: measured.unit,
                                          allowed: EndotoxinUnit.allCases.map(\.rawValue))
        }
        let observed = "\(NumberText.plain(measured.value)) \(unit.rawValue)"
        var comparable: Double?
        var note: String?
        switch (unit, limit.unit) {
        case _ where unit == limit.unit:
            comparable = measured.value
        case (.euPerDose, .euPerKilogram):
            if let weight = r.participantWeightKg { comparable = measured.value / weight } else { note = "needs participant weight (kg) to express total EU per kg" }
        case (.euPerKilogram, .euPerDose):
            if let weight = r.participantWeightKg { comparable = measured.value * weight } else { note = "needs participant weight (kg) to express EU/kg per dose" }
        case (.euPerMillilitre, .euPerDose):
            if let volume = r.productVolumeML { comparable = measured.value * volume } else { note = "needs the product volume (mL) to express EU/mL per dose" }
        case (.euPerMillilitre, .euPerKilogram):
            switch (r.productVolumeML, r.participantWeightKg) {
            case let (volume?, weight?): comparable = measured.value * volume / weight
            case (nil, _): note = "needs the product volume (mL) to express EU/mL per kg"
            case (_, nil): note = "needs participant weight (kg) to express EU/mL per kg"
            }
        default:
            note = "needs endotoxin in \(limit.unit.rawValue)\(limit.unit == .euPerKilogram ? " or total EU per dose" : ""): \(unit.rawValue) cannot be converted without the product volume"
        }
        guard let value = comparable else {
            return .init(criterion: "endotoxin", requirement: requirement, observed: observed, status: .missing, note: note)
        }
        let pass = ClinicalComparison.isAtOrBelow(value, limit.value)
        let shown = unit == limit.unit ? observed : "\(observed) = \(NumberText.rounded(value, places: 3)) \(limit.unit.rawValue)"
        return .init(criterion: "endotoxin", requirement: requirement, observed: shown, status: pass ? .pass : .fail)
    }
}

extension EndotoxinUnit {
    /// Accepts `EU/kg`, `EU/mL`, `EU`, case-insensitive, and `[EU]/kg`-style UCUM brackets.
    public init?(spelling: String) {
        let key = spelling.lowercased().replacingOccurrences(of: "[", with: "").replacingOccurrences(of: "]", with: "")
            .replacingOccurrences(of: " ", with: "")
        switch key {
        case "eu/kg": self = .euPerKilogram
        case "eu/ml": self = .euPerMillilitre
        case "eu", "eu/dose": self = .euPerDose
        default: return nil
        }
    }
}
