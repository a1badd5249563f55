/// T = (BMD − young-adult reference mean) / young-adult SD (REFERENCE.md C1 formulas).
/// Worked example (REFERENCE.md C2): femoral neck 0.53 g/cm² → (0.53 − 0.858) / 0.120 = −2.73.
public enum TScore {
    public static func compute(bmdGPerCm2 bmd: Double, reference: BoneDensityReference) throws -> Double {
        try AllowedRange.positive("g/cm²").check(bmd, field: "bmd")
        try reference.validate(field: "reference")
        return (bmd - reference.meanGPerCm2) / reference.sdGPerCm2
    }
}

/// Z = (BMD − age/sex-matched mean) / SD of that group (REFERENCE.md C1 formulas). Local reference data may
/// be used for Z-scores (REFERENCE.md C2).
public enum ZScore {
    public static func compute(bmdGPerCm2 bmd: Double, ageMatched reference: BoneDensityReference) throws -> Double {
        try AllowedRange.positive("g/cm²").check(bmd, field: "bmd")
        try reference.validate(field: "ageMatchedReference")
        return (bmd - reference.meanGPerCm2) / reference.sdGPerCm2
    }
}
