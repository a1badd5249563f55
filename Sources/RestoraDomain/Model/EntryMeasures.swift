/// A unit a measured value may be entered in, with the range of values that can be real in that unit.
/// The ranges are plausibility limits for data entry (a typing error, not a clinical finding, lies outside
/// them), wide enough for any value a laboratory could report. One catalogue for every door (issue #19):
/// the web forms offer these units and limits, and `ClinicalEntry` refuses anything else from the JSON API,
/// the demo and every later import (`EntryMeasures.checkPlausible`).
public struct MeasureUnit: Sendable {
    /// UCUM spelling, as stored.
    public var ucum: String
    /// As shown to people.
    public var label: String
    public var range: AllowedRange
    /// Other spellings the domain's rules read as this unit (the semen rules read `10^6/mL` and `/nL` as
    /// `10*6/mL`, SemenAnalysis); compared without regard to case, like `CTCAELabUnit(spelling:)`.
    public var aliases: [String] = []

    public init(ucum: String, label: String, range: AllowedRange, aliases: [String] = []) {
        self.ucum = ucum
        self.label = label
        self.range = range
        self.aliases = aliases
    }

    func matches(_ unit: String) -> Bool {
        ([ucum] + aliases).contains { $0.caseInsensitiveCompare(unit) == .orderedSame }
    }
}

/// One measurable thing the entry forms record: its code and the units it accepts.
public struct Measure: Sendable {
    /// The form's name for it (a semen field, a lab test's option value).
    public var key: String
    public var label: String
    public var code: Coding
    public var units: [MeasureUnit]

    public func unit(_ ucum: String) -> MeasureUnit? { units.first { $0.ucum == ucum } }
    /// The unit a stored or submitted spelling stands for (its UCUM spelling or an alias, any case).
    public func unit(matching spelling: String) -> MeasureUnit? { units.first { $0.matches(spelling) } }
    public var unitsText: String { units.map(\.label).joined(separator: " or ") }
}

public enum EntryMeasures {
    // Semen analysis (REFERENCE.md B; WHO percentages are of counted cells, so 0–100 %). Volume above 20 mL
    // and concentration above 1,000 × 10^6/mL are far beyond any reported ejaculate: entry errors.
    public static let volume = Measure(key: "volume", label: "Semen volume", code: ClinicalCodes.semenVolume,
                                units: [MeasureUnit(ucum: "mL", label: "mL", range: AllowedRange(lower: 0, upper: 20, unit: "mL"))])
    public static let concentration = Measure(
        key: "concentration", label: "Sperm concentration", code: ClinicalCodes.spermConcentration,
        units: [MeasureUnit(ucum: "10*6/mL", label: "10⁶/mL", range: AllowedRange(lower: 0, upper: 1000, unit: "× 10⁶/mL"),
                            aliases: ["10^6/mL", "/nL"])])
    public static let totalMotility = percent("totalMotility", "Total motility (PR + NP)", ClinicalCodes.totalMotility)
    public static let progressiveMotility = percent("progressiveMotility", "Progressive motility (PR)", ClinicalCodes.progressiveMotility)
    public static let normalForms = percent("normalForms", "Normal forms", ClinicalCodes.normalForms)
    public static let semen = [volume, concentration, totalMotility, progressiveMotility, normalForms]

    static func percent(_ key: String, _ label: String, _ code: Coding) -> Measure {
        Measure(key: key, label: label, code: code, units: [MeasureUnit(ucum: "%", label: "%", range: .percent)])
    }

    // DXA (REFERENCE.md C1, F1): adult areal BMD lies well inside 0.1–3 g/cm²; T-scores beyond ±10 SD are errors.
    public static let bmdUnit = MeasureUnit(ucum: "g/cm2", label: "g/cm²", range: AllowedRange(lower: 0, lowerInclusive: false, upper: 3, unit: "g/cm²"))
    public static let tScoreUnit = MeasureUnit(ucum: "{T-score}", label: "SD", range: AllowedRange(lower: -10, upper: 10, unit: "SD"))
    public static let dxaSites: [SkeletalSite] = [.lumbarSpine, .femoralNeck, .totalHip]

    public static func dxa(_ site: SkeletalSite) -> [Measure] {
        [Measure(key: "bmd", label: "BMD, \(site.displayName)", code: ClinicalCodes.dxaBMD(site), units: [bmdUnit]),
         Measure(key: "tScore", label: "T-score, \(site.displayName)", code: ClinicalCodes.dxaTScore(site), units: [tScoreUnit])]
    }

    // Laboratory values the protocols grade (CTCAE, REFERENCE.md E1) or screen on (hormones, B4/D1). Units are
    // the ones the CTCAE grading and the protocol rules accept; upper limits are entry-error limits.
    public static let labs: [Measure] = [
        lab("triglycerides", "Triglycerides", ClinicalCodes.triglyceride, [("mg/dL", "mg/dL", 20_000), ("mmol/L", "mmol/L", 226)]),
        lab("total-cholesterol", "Total cholesterol", ClinicalCodes.totalCholesterol, [("mg/dL", "mg/dL", 2_000), ("mmol/L", "mmol/L", 52)]),
        lab("alt", "ALT (alanine aminotransferase)", ClinicalCodes.alt, [("U/L", "U/L", 20_000)]),
        lab("ast", "AST (aspartate aminotransferase)", ClinicalCodes.ast, [("U/L", "U/L", 20_000)]),
        lab("bilirubin", "Bilirubin, total", Coding(.loinc, "1975-2", display: "Bilirubin total"),
            [("mg/dL", "mg/dL", 50), ("umol/L", "µmol/L", 855)]),
        lab("ggt", "GGT (gamma-glutamyl transferase)", Coding(.loinc, "2324-2", display: "GGT"), [("U/L", "U/L", 10_000)]),
        lab("alp", "Alkaline phosphatase", Coding(.loinc, "6768-6", display: "Alkaline phosphatase"), [("U/L", "U/L", 10_000)]),
        lab("fsh", "FSH", ClinicalCodes.fsh, [("[IU]/L", "IU/L", 500), ("m[IU]/mL", "mIU/mL", 500)]),
        lab("lh", "LH", ClinicalCodes.lh, [("[IU]/L", "IU/L", 500), ("m[IU]/mL", "mIU/mL", 500)]),
        lab("testosterone", "Testosterone, total", ClinicalCodes.testosterone, [("ng/dL", "ng/dL", 5_000), ("nmol/L", "nmol/L", 175)]),
        lab("inhibin-b", "Inhibin B", ClinicalCodes.inhibinB, [("pg/mL", "pg/mL", 2_000)]),
    ]

    static func lab(_ key: String, _ label: String, _ code: Coding, _ units: [(String, String, Double)]) -> Measure {
        Measure(key: key, label: label, code: code, units: units.map {
            MeasureUnit(ucum: $0.0, label: $0.1, range: AllowedRange(lower: 0, upper: $0.2, unit: $0.1))
        })
    }

    public static func lab(key: String) -> Measure? { labs.first { $0.key == key } }

    /// Every unit any laboratory test accepts, once, in catalogue order.
    public static var allLabUnits: [MeasureUnit] {
        var seen: Set<String> = []
        return labs.flatMap(\.units).filter { seen.insert($0.ucum).inserted }
    }

    /// The measure an observation was recorded under, for editing it with the same units and limits.
    public static func measure(for code: Coding) -> Measure? {
        let all = semen + labs + dxaSites.flatMap(dxa)
        return all.first { $0.code.sameConcept(as: code) }
    }
}

extension EntryMeasures {
    /// The one plausibility check of a measured value, whatever door it came through (issue #19): a value of a
    /// catalogued code must be in one of its units (by spelling or alias) and inside that unit's range. Codes
    /// the catalogue does not list, and values that are not quantities, are left to their own rules.
    public static func checkPlausible(_ observation: Observation) throws {
        guard case let .quantity(quantity) = observation.value, let measure = measure(for: observation.code) else { return }
        guard let unit = measure.unit(matching: quantity.unit) else {
            throw DomainError.invalidValue(
                field: "value.quantity.unit",
                message: "\(measure.label) is recorded in \(measure.unitsText), not '\(quantity.unit)'")
        }
        do {
            try unit.range.check(quantity.value, field: "value.quantity.value")
        } catch let DomainError.invalidValue(field, message) {
            throw DomainError.invalidValue(field: field, message: "\(measure.label) \(message)")
        }
    }
}
