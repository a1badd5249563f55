import RestoraDomain

/// A unit a measured value may be entered in, with the range of values that can be real in that unit.
/// The ranges are plausibility limits for data entry (a typing error, not a clinical finding, lies outside
/// them), wide enough for any value a laboratory could report.
struct MeasureUnit: Sendable {
    /// UCUM spelling, as stored.
    var ucum: String
    /// As shown to people.
    var label: String
    var range: AllowedRange
}

/// One measurable thing the entry forms record: its code and the units it accepts.
struct Measure: Sendable {
    /// The form's name for it (a semen field, a lab test's option value).
    var key: String
    var label: String
    var code: Coding
    var units: [MeasureUnit]

    func unit(_ ucum: String) -> MeasureUnit? { units.first { $0.ucum == ucum } }
    var unitsText: String { units.map(\.label).joined(separator: " or ") }
}

enum EntryMeasures {
    // Semen analysis (REFERENCE.md B; WHO percentages are of counted cells, so 0–100 %). Volume above 20 mL
    // and concentration above 1,000 × 10^6/mL are far beyond any reported ejaculate: entry errors.
    static let volume = Measure(key: "volume", label: "Semen volume", code: ClinicalCodes.semenVolume,
                                units: [MeasureUnit(ucum: "mL", label: "mL", range: AllowedRange(lower: 0, upper: 20, unit: "mL"))])
    static let concentration = Measure(
        key: "concentration", label: "Sperm concentration", code: ClinicalCodes.spermConcentration,
        units: [MeasureUnit(ucum: "10*6/mL", label: "10⁶/mL", range: AllowedRange(lower: 0, upper: 1000, unit: "× 10⁶/mL"))])
    static let totalMotility = percent("totalMotility", "Total motility (PR + NP)", ClinicalCodes.totalMotility)
    static let progressiveMotility = percent("progressiveMotility", "Progressive motility (PR)", ClinicalCodes.progressiveMotility)
    static let normalForms = percent("normalForms", "Normal forms", ClinicalCodes.normalForms)
    static let semen = [volume, concentration, totalMotility, progressiveMotility, normalForms]

    static func percent(_ key: String, _ label: String, _ code: Coding) -> Measure {
        Measure(key: key, label: label, code: code, units: [MeasureUnit(ucum: "%", label: "%", range: .percent)])
    }

    // DXA (REFERENCE.md C1, F1): adult areal BMD lies well inside 0.1–3 g/cm²; T-scores beyond ±10 SD are errors.
    static let bmdUnit = MeasureUnit(ucum: "g/cm2", label: "g/cm²", range: AllowedRange(lower: 0, lowerInclusive: false, upper: 3, unit: "g/cm²"))
    static let tScoreUnit = MeasureUnit(ucum: "{T-score}", label: "SD", range: AllowedRange(lower: -10, upper: 10, unit: "SD"))
    static let dxaSites: [SkeletalSite] = [.lumbarSpine, .femoralNeck, .totalHip]

    static func dxa(_ site: SkeletalSite) -> [Measure] {
        [Measure(key: "bmd", label: "BMD, \(site.displayName)", code: ClinicalCodes.dxaBMD(site), units: [bmdUnit]),
         Measure(key: "tScore", label: "T-score, \(site.displayName)", code: ClinicalCodes.dxaTScore(site), units: [tScoreUnit])]
    }

    // Laboratory values the protocols grade (CTCAE, REFERENCE.md E1) or screen on (hormones, B4/D1). Units are
    // the ones the CTCAE grading and the protocol rules accept; upper limits are entry-error limits.
    static let labs: [Measure] = [
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

    static func lab(key: String) -> Measure? { labs.first { $0.key == key } }

    /// Every unit any laboratory test accepts, once, in catalogue order.
    static var allLabUnits: [MeasureUnit] {
        var seen: Set<String> = []
        return labs.flatMap(\.units).filter { seen.insert($0.ucum).inserted }
    }

    /// The measure an observation was recorded under, for editing it with the same units and limits.
    static func measure(for code: Coding) -> Measure? {
        let all = semen + labs + dxaSites.flatMap(dxa)
        return all.first { $0.code.sameConcept(as: code) }
    }
}
