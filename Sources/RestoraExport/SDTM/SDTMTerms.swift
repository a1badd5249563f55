import RestoraDomain

/// CDISC Controlled Terminology (SDTM CT) the mapping writes, with the codelist C-codes as CDISC publishes
/// them. Where the public terminology names no term for a Restora value the value is sponsor-defined and
/// docs/sdtm.md says so.
enum SDTMTerms {
    static let ny: [VariableSpec.Code] = [.init("Y", "Yes"), .init("N", "No")]
    static let nyCodelist = "NY (C66742)"

    static let epochs: [VariableSpec.Code] = [
        .init("SCREENING", "Screening"), .init("TREATMENT", "Treatment"), .init("FOLLOW-UP", "Follow-up"),
    ]

    static let sexCodes: [VariableSpec.Code] = [
        .init("M", "Male"), .init("F", "Female"), .init("U", "Unknown"), .init("UNDIFFERENTIATED", "Undifferentiated"),
    ]

    /// SEX (C66731). Restora's "other" has no CT term but UNDIFFERENTIATED, which is a different concept; it
    /// is written U (unknown) and docs/sdtm.md says so.
    static func sex(_ sex: Sex) -> String {
        switch sex {
        case .male: "M"
        case .female: "F"
        case .other, .unknown: "U"
        }
    }

    static let outcomes: [VariableSpec.Code] = [
        .init("RECOVERED/RESOLVED", "Recovered or resolved"), .init("RECOVERING/RESOLVING", "Recovering or resolving"),
        .init("NOT RECOVERED/NOT RESOLVED", "Not recovered or not resolved"),
        .init("RECOVERED/RESOLVED WITH SEQUELAE", "Recovered or resolved with sequelae"), .init("FATAL", "Fatal"),
        .init("UNKNOWN", "Unknown"),
    ]

    /// OUT (C66768).
    static func outcome(_ outcome: AdverseEvent.Outcome) -> String {
        switch outcome {
        case .recovered: "RECOVERED/RESOLVED"
        case .recovering: "RECOVERING/RESOLVING"
        case .notRecovered: "NOT RECOVERED/NOT RESOLVED"
        case .recoveredWithSequelae: "RECOVERED/RESOLVED WITH SEQUELAE"
        case .fatal: "FATAL"
        case .unknown: "UNKNOWN"
        }
    }

    static let actions: [VariableSpec.Code] = [
        .init("DOSE NOT CHANGED", "Dose not changed"), .init("DOSE REDUCED", "Dose reduced"),
        .init("DRUG INTERRUPTED", "Drug interrupted"), .init("DRUG WITHDRAWN", "Drug withdrawn"),
        .init("NOT APPLICABLE", "Not applicable"),
    ]

    /// ACN (C66767).
    static func action(_ action: AdverseEvent.ActionTaken) -> String {
        switch action {
        case .none: "DOSE NOT CHANGED"
        case .doseReduced: "DOSE REDUCED"
        case .drugInterrupted: "DRUG INTERRUPTED"
        case .drugWithdrawn: "DRUG WITHDRAWN"
        case .notApplicable: "NOT APPLICABLE"
        }
    }

    /// AEREL has no CDISC codelist (sponsor-defined); the five ICH-style causality words.
    static let relatedness: [VariableSpec.Code] = [
        .init("NOT RELATED", "Not related"), .init("UNLIKELY RELATED", "Unlikely related"),
        .init("POSSIBLY RELATED", "Possibly related"), .init("PROBABLY RELATED", "Probably related"),
        .init("RELATED", "Definitely related"),
    ]

    static func relatedness(_ value: AdverseEvent.Relatedness) -> String {
        switch value {
        case .notRelated: "NOT RELATED"
        case .unlikely: "UNLIKELY RELATED"
        case .possible: "POSSIBLY RELATED"
        case .probable: "PROBABLY RELATED"
        case .definite: "RELATED"
        }
    }

    static let severities: [VariableSpec.Code] = [.init("MILD", "Mild"), .init("MODERATE", "Moderate"), .init("SEVERE", "Severe")]

    /// AESEV (C66769) from the CTCAE grade: 1 mild, 2 moderate, 3–5 severe (CTCAE v5.0's own grade
    /// descriptions, REFERENCE.md E1). AETOXGR keeps the grade itself.
    static func severity(grade: Int) -> String? {
        switch grade {
        case 1: "MILD"
        case 2: "MODERATE"
        case 3...5: "SEVERE"
        default: nil
        }
    }

    static let grades: [VariableSpec.Code] = (0...5).map { .init(String($0), $0 == 0 ? "Below grade 1" : "CTCAE v5.0 grade \($0)") }

    /// UNIT (C71620) spelling of a UCUM unit: "10*6/mL" → "10^6/mL", "[IU]/L" → "IU/L"; annotations such as
    /// "{T-score}" carry no unit and give nil.
    static func unit(_ ucum: String) -> String? {
        if ucum.hasPrefix("{") && ucum.hasSuffix("}") { return nil }
        // Most units have neither "10*" nor "[…]": returned as they are without Foundation's string search
        // (issue #18: three replacingOccurrences per laboratory row were 6 % of the SDTM export's time).
        if !ucum.utf8.contains(where: { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "[") }) { return ucum }
        return ucum.replacingOccurrences(of: "10*", with: "10^")
            .replacingOccurrences(of: "[IU]", with: "IU").replacingOccurrences(of: "[iU]", with: "IU")
    }

    /// ROUTE (C66729) of a protocol drug route or a cell injection site.
    static func route(_ text: String) -> String {
        switch text.lowercased() {
        case "oral", "by mouth", "po": "ORAL"
        case "intravenous", "iv": "INTRAVENOUS"
        case "subcutaneous": "SUBCUTANEOUS"
        case "intramuscular": "INTRAMUSCULAR"
        default: text.uppercased()
        }
    }

    /// The route of an autologous cell injection from its site: the testis is INTRATESTICULAR; hip, spine and
    /// wrist injections of the osteoporosis program go into bone, INTRAOSSEOUS (docs/sdtm.md).
    static func injectionRoute(site: String?) -> String? {
        guard let site = site?.lowercased() else { return nil }
        if site.contains("testis") || site.contains("testic") { return "INTRATESTICULAR" }
        if ["hip", "spine", "wrist", "femoral", "radius", "lumbar", "vertebra"].contains(where: site.contains) { return "INTRAOSSEOUS" }
        return nil
    }

    /// FREQ (C71113) of a dose frequency: QD, BID, TID, QID, QW; other counts in words.
    static func frequency(_ f: DoseFrequency) -> String {
        switch (f.period, f.dosesPerPeriod) {
        case (.day, 1): "QD"
        case (.day, 2): "BID"
        case (.day, 3): "TID"
        case (.day, 4): "QID"
        case (.week, 1): "QW"
        case (.week, 2): "BIW"
        case (.week, 3): "TIW"
        case let (period, n): "\(n) TIMES PER \(period.rawValue.uppercased())"
        }
    }
}
