/// One laboratory result to grade. ULN and a baseline value are in the same unit as `value`.
public struct CTCAELabMeasurement: Codable, Sendable, Equatable {
    public var term: CTCAETerm
    public var value: Double
    public var unit: String
    public var upperLimitOfNormal: Double?
    public var baseline: CTCAEBaseline?

    public init(term: CTCAETerm, value: Double, unit: String, upperLimitOfNormal: Double? = nil, baseline: CTCAEBaseline? = nil) {
        self.term = term
        self.value = value
        self.unit = unit
        self.upperLimitOfNormal = upperLimitOfNormal
        self.baseline = baseline
    }
}

/// Automatic CTCAE v5.0 grading of the laboratory terms in REFERENCE.md E1. Grade 5 (death) is never
/// assigned from a number; clinician judgement ("life-threatening consequences") can raise a grade.
public enum CTCAELabGrading {
    public static func grade(_ m: CTCAELabMeasurement) throws -> CTCAEGradeResult {
        guard !m.term.isClinicianGraded else {
            throw DomainError.invalidValue(
                field: "term", message: "\(m.term.displayName) is clinician-graded: choose a grade from its criteria text")
        }
        let unit = try CTCAELabUnit.parse(m.unit, field: "unit", allowed: allowedUnits(m.term))
        try AllowedRange.nonNegative(unit.rawValue).check(m.value, field: "value")
        try AllowedRange.positive(unit.rawValue).checkIfPresent(m.upperLimitOfNormal, field: "upperLimitOfNormal")
        if case let .value(b) = m.baseline { try AllowedRange.positive(unit.rawValue).check(b, field: "baseline") }

        switch m.term {
        case .hypertriglyceridemia:
            let scale = unit == .milligramsPerDecilitre ? CTCAELabScales.triglycerideMgPerDL : CTCAELabScales.triglycerideMmolPerL
            return absolute(m, unit, scale, rule: "absolute, \(unit.rawValue) cut-offs as printed by CTCAE")
        case .cholesterolHigh:
            return cholesterol(m, unit)
        case .alanineAminotransferaseIncreased, .aspartateAminotransferaseIncreased:
            return try relative(m, unit, normal: CTCAELabScales.aminotransferaseNormalBaseline,
                                abnormal: CTCAELabScales.aminotransferaseAbnormalBaseline)
        case .bloodBilirubinIncreased:
            return try relative(m, unit, normal: CTCAELabScales.bilirubinNormalBaseline, abnormal: nil)
        case .gammaGlutamylTransferaseIncreased, .alkalinePhosphataseIncreased:
            return try relative(m, unit, normal: CTCAELabScales.ggtAlpNormalBaseline, abnormal: nil)
        case .drySkin, .depression, .rashMaculoPapular, .irritability:
            throw DomainError.invalidValue(field: "term", message: "\(m.term.displayName) is clinician-graded")
        }
    }

    public static func allowedUnits(_ term: CTCAETerm) -> [CTCAELabUnit] {
        switch term {
        case .hypertriglyceridemia, .cholesterolHigh: [.milligramsPerDecilitre, .millimolesPerLitre]
        case .bloodBilirubinIncreased: [.milligramsPerDecilitre, .micromolesPerLitre]
        case .alanineAminotransferaseIncreased, .aspartateAminotransferaseIncreased,
             .gammaGlutamylTransferaseIncreased, .alkalinePhosphataseIncreased: [.unitsPerLitre]
        case .drySkin, .depression, .rashMaculoPapular, .irritability: []
        }
    }

    private static func absolute(_ m: CTCAELabMeasurement, _ unit: CTCAELabUnit, _ scale: [CTCAEGradeBand], rule: String) -> CTCAEGradeResult {
        let band = scale.band(containing: m.value)
        return CTCAEGradeResult(term: m.term, grade: band?.grade ?? 0, criterion: band?.criterion ?? CTCAEGradeResult.belowGradeOne,
                                rule: rule, value: m.value, unit: unit.rawValue)
    }

    /// Grade 1 begins at ULN; grades 2–4 are absolute, so a value above the grade-2 floor is gradable
    /// without a ULN, but anything at or below it needs one.
    private static func cholesterol(_ m: CTCAELabMeasurement, _ unit: CTCAELabUnit) -> CTCAEGradeResult {
        let gradeTwoFloor = unit == .milligramsPerDecilitre ? 300.0 : 7.75
        let rule = "\(unit.rawValue) cut-offs as printed by CTCAE; grade 1 from ULN"
        guard let uln = m.upperLimitOfNormal else {
            if ClinicalComparison.isAbove(m.value, gradeTwoFloor) {
                let scale = unit == .milligramsPerDecilitre
                    ? CTCAELabScales.cholesterolMgPerDL(uln: gradeTwoFloor) : CTCAELabScales.cholesterolMmolPerL(uln: gradeTwoFloor)
                return absolute(m, unit, scale, rule: rule)
            }
            return CTCAEGradeResult(term: m.term, grade: nil, criterion: nil, rule: rule, value: m.value, unit: unit.rawValue,
                                    cannotGrade: "cannot grade: needs upper limit of normal (ULN) in \(unit.rawValue)")
        }
        if ClinicalComparison.isAtOrBelow(m.value, uln) {
            return CTCAEGradeResult(term: m.term, grade: 0, criterion: CTCAEGradeResult.belowGradeOne, rule: rule,
                                    value: m.value, unit: unit.rawValue)
        }
        let scale = unit == .milligramsPerDecilitre ? CTCAELabScales.cholesterolMgPerDL(uln: uln) : CTCAELabScales.cholesterolMmolPerL(uln: uln)
        return absolute(m, unit, scale, rule: rule)
    }

    /// A value so far above a tiny reference that the multiple overflows (1e308 U/L over a ULN of 1e-200) is a
    /// typing error, not a grade: refused before anything is stored (an infinite multiple cannot be answered
    /// in JSON either).
    private static func finiteMultiple(_ multiple: Double, of reference: String) throws -> Double {
        guard multiple.isFinite else {
            throw DomainError.invalidValue(
                field: "value", message: "the value is too large to grade as a multiple of its \(reference); check the value and the unit")
        }
        return multiple
    }

    /// Multiples of ULN when baseline is normal (baseline ≤ ULN), multiples of baseline when it is abnormal.
    private static func relative(
        _ m: CTCAELabMeasurement, _ unit: CTCAELabUnit, normal: [CTCAEGradeBand], abnormal: [CTCAEGradeBand]?
    ) throws -> CTCAEGradeResult {
        func undecided(_ needs: String) -> CTCAEGradeResult {
            CTCAEGradeResult(term: m.term, grade: nil, criterion: nil, value: m.value, unit: unit.rawValue, cannotGrade: needs)
        }
        guard let uln = m.upperLimitOfNormal else {
            return undecided("cannot grade: needs upper limit of normal (ULN) in \(unit.rawValue)")
        }
        guard let baseline = m.baseline else {
            return undecided("cannot grade: needs baseline (\"normal\" or the baseline value in \(unit.rawValue)): CTCAE grades differently after an abnormal baseline")
        }
        var baselineValue: Double?
        if case let .value(b) = baseline, ClinicalComparison.isAbove(b, uln) { baselineValue = b }
        guard let abnormalBaseline = baselineValue else {
            let multiple = try finiteMultiple(m.value / uln, of: "upper limit of normal")
            let band = normal.band(containing: multiple)
            return CTCAEGradeResult(
                term: m.term, grade: band?.grade ?? 0, criterion: band?.criterion ?? CTCAEGradeResult.belowGradeOne,
                rule: "baseline normal: multiples of ULN", multiple: multiple, value: m.value, unit: unit.rawValue)
        }
        guard let abnormal else {
            return undecided("cannot grade: baseline above ULN and REFERENCE.md E1 gives only the normal-baseline rule for \(m.term.displayName); grade by hand")
        }
        let multiple = try finiteMultiple(m.value / abnormalBaseline, of: "baseline")
        let band = abnormal.band(containing: multiple)
        return CTCAEGradeResult(
            term: m.term, grade: band?.grade ?? 0, criterion: band?.criterion ?? CTCAEGradeResult.belowGradeOne,
            rule: "baseline abnormal (above ULN): multiples of baseline", multiple: multiple, value: m.value, unit: unit.rawValue)
    }
}
