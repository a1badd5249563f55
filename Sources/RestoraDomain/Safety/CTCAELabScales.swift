/// CTCAE v5.0 laboratory scales, transcribed from REFERENCE.md E1 (NCI table via pharmaverse/admiral, C).
/// Absolute scales are in the unit printed; relative scales are in multiples of ULN or of baseline.
public enum CTCAELabScales {
    // MARK: Hypertriglyceridemia — absolute, both units printed by CTCAE (REFERENCE.md E1)

    public static let triglycerideMgPerDL: [CTCAEGradeBand] = [
        .init(grade: 1, lower: 150, lowerInclusive: true, upper: 300, criterion: "150–300 mg/dL"),
        .init(grade: 2, lower: 300, upper: 500, criterion: ">300–500 mg/dL"),
        .init(grade: 3, lower: 500, upper: 1000, criterion: ">500–1000 mg/dL"),
        .init(grade: 4, lower: 1000, upper: nil, criterion: ">1000 mg/dL; life-threatening consequences"),
    ]

    public static let triglycerideMmolPerL: [CTCAEGradeBand] = [
        .init(grade: 1, lower: 1.71, lowerInclusive: true, upper: 3.42, criterion: "1.71–3.42 mmol/L"),
        .init(grade: 2, lower: 3.42, upper: 5.7, criterion: ">3.42–5.7 mmol/L"),
        .init(grade: 3, lower: 5.7, upper: 11.4, criterion: ">5.7–11.4 mmol/L"),
        .init(grade: 4, lower: 11.4, upper: nil, criterion: ">11.4 mmol/L; life-threatening consequences"),
    ]

    // MARK: Cholesterol high — grade 1 starts at ULN, the rest absolute (REFERENCE.md E1)

    public static func cholesterolMgPerDL(uln: Double) -> [CTCAEGradeBand] {
        [
            .init(grade: 1, lower: uln, upper: 300, criterion: ">ULN–300 mg/dL"),
            .init(grade: 2, lower: 300, upper: 400, criterion: ">300–400 mg/dL"),
            .init(grade: 3, lower: 400, upper: 500, criterion: ">400–500 mg/dL"),
            .init(grade: 4, lower: 500, upper: nil, criterion: ">500 mg/dL"),
        ]
    }

    public static func cholesterolMmolPerL(uln: Double) -> [CTCAEGradeBand] {
        [
            .init(grade: 1, lower: uln, upper: 7.75, criterion: ">ULN–7.75 mmol/L"),
            .init(grade: 2, lower: 7.75, upper: 10.34, criterion: ">7.75–10.34 mmol/L"),
            .init(grade: 3, lower: 10.34, upper: 12.92, criterion: ">10.34–12.92 mmol/L"),
            .init(grade: 4, lower: 12.92, upper: nil, criterion: ">12.92 mmol/L"),
        ]
    }

    // MARK: Relative scales, in multiples of ULN or baseline (REFERENCE.md E1)

    /// ALT / AST increased, baseline normal: >ULN–3.0×ULN, >3.0–5.0, >5.0–20.0, >20.0×ULN.
    static let aminotransferaseNormalBaseline: [CTCAEGradeBand] = [
        .init(grade: 1, lower: 1, upper: 3, criterion: ">ULN–3.0×ULN if baseline was normal"),
        .init(grade: 2, lower: 3, upper: 5, criterion: ">3.0–5.0×ULN if baseline was normal"),
        .init(grade: 3, lower: 5, upper: 20, criterion: ">5.0–20.0×ULN if baseline was normal"),
        .init(grade: 4, lower: 20, upper: nil, criterion: ">20.0×ULN if baseline was normal"),
    ]

    /// ALT / AST increased, baseline abnormal: 1.5–3.0×baseline (1.5 included), >3.0–5.0, >5.0–20.0, >20.0.
    static let aminotransferaseAbnormalBaseline: [CTCAEGradeBand] = [
        .init(grade: 1, lower: 1.5, lowerInclusive: true, upper: 3, criterion: "1.5–3.0×baseline if baseline was abnormal"),
        .init(grade: 2, lower: 3, upper: 5, criterion: ">3.0–5.0×baseline if baseline was abnormal"),
        .init(grade: 3, lower: 5, upper: 20, criterion: ">5.0–20.0×baseline if baseline was abnormal"),
        .init(grade: 4, lower: 20, upper: nil, criterion: ">20.0×baseline if baseline was abnormal"),
    ]

    /// Blood bilirubin increased, baseline normal: >ULN–1.5, >1.5–3.0, >3.0–10.0, >10.0×ULN.
    static let bilirubinNormalBaseline: [CTCAEGradeBand] = [
        .init(grade: 1, lower: 1, upper: 1.5, criterion: ">ULN–1.5×ULN if baseline was normal"),
        .init(grade: 2, lower: 1.5, upper: 3, criterion: ">1.5–3.0×ULN if baseline was normal"),
        .init(grade: 3, lower: 3, upper: 10, criterion: ">3.0–10.0×ULN if baseline was normal"),
        .init(grade: 4, lower: 10, upper: nil, criterion: ">10.0×ULN if baseline was normal"),
    ]

    /// GGT / ALP increased, baseline normal: >ULN–2.5, >2.5–5.0, >5.0–20.0, >20.0×ULN.
    static let ggtAlpNormalBaseline: [CTCAEGradeBand] = [
        .init(grade: 1, lower: 1, upper: 2.5, criterion: ">ULN–2.5×ULN if baseline was normal"),
        .init(grade: 2, lower: 2.5, upper: 5, criterion: ">2.5–5.0×ULN if baseline was normal"),
        .init(grade: 3, lower: 5, upper: 20, criterion: ">5.0–20.0×ULN if baseline was normal"),
        .init(grade: 4, lower: 20, upper: nil, criterion: ">20.0×ULN if baseline was normal"),
    ]
}
