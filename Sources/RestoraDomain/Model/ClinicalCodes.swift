import RestoraDomain

/// The codes Restora records and reads clinical facts under: the ones the protocol files list (REFERENCE.md F1
/// LOINC where it has one, `restora` local codes where it has none). One catalogue, so that what the demo (or
/// data entry) writes is exactly what screening and reports look for. Compare with `Coding.sameConcept(as:)`.
public enum ClinicalCodes {
    // Semen analysis (REFERENCE.md F1).
    public static let semenVolume = Coding(.loinc, "3160-9", display: "Semen volume")
    public static let spermConcentration = Coding(.loinc, "9780-8", display: "Sperm concentration")
    public static let totalMotility = Coding(.loinc, "6800-7", display: "Total motility")
    public static let progressiveMotility = Coding(.loinc, "14194-5", display: "Progressive motility")
    public static let normalForms = Coding(.loinc, "10622-9", display: "Normal morphology")
    public static let semenClassification = Coding(.restora, "semen-classification", display: "Semen analysis classification")
    // Hormones (REFERENCE.md F1; inhibin B is S there).
    public static let fsh = Coding(.loinc, "15067-2", display: "FSH")
    public static let lh = Coding(.loinc, "10501-5", display: "LH")
    public static let testosterone = Coding(.loinc, "2986-8", display: "Testosterone total")
    public static let inhibinB = Coding(.loinc, "34319-4", display: "Inhibin B")
    // Lipids and liver enzymes (REFERENCE.md E2, F1; total cholesterol 2093-3 is U).
    public static let totalCholesterol = Coding(.loinc, "2093-3", display: "Total cholesterol")
    public static let triglyceride = Coding(.loinc, "2571-8", display: "Triglyceride")
    public static let hdl = Coding(.loinc, "2085-9", display: "HDL cholesterol")
    public static let ldl = Coding(.loinc, "2089-1", display: "LDL cholesterol")
    public static let alt = Coding(.loinc, "1742-6", display: "ALT")
    public static let ast = Coding(.loinc, "1920-8", display: "AST")
    // Questionnaires and local codes the protocols define (their `defaults:` say why).
    public static let phq9 = Coding(.loinc, "44261-6", display: "PHQ-9 total score")
    public static let alcohol = Coding(.restora, "alcohol-drinks-per-day", display: "Alcoholic drinks per day")
    public static let testicularVolume = Coding(.restora, "testicular-volume", display: "Testicular volume")
    public static let histology = Coding(.restora, "testicular-histology", display: "Testicular histology (REFERENCE.md B5)")
    public static let karyotype = Coding(.restora, "karyotype", display: "Karyotype")
    public static let yMicrodeletion = Coding(.restora, "y-microdeletion", display: "Y-chromosome microdeletion")
    public static let fractureReview = Coding(.restora, "fracture-review", display: "Fracture review")
    // DXA (REFERENCE.md F1; femoral neck mapped to the femur codes, U).
    public static func dxaBMD(_ site: SkeletalSite) -> Coding {
        switch site {
        case .lumbarSpine: Coding(.loinc, "24966-4", display: "DXA lumbar spine BMD")
        case .femoralNeck: Coding(.loinc, "24701-5", display: "DXA femur BMD")
        case .totalHip: Coding(.loinc, "38261-4", display: "DXA total hip BMD")
        case .radius33: Coding(.restora, "dxa-radius-33-bmd", display: "DXA 33% radius BMD")
        }
    }
    public static func dxaTScore(_ site: SkeletalSite) -> Coding {
        switch site {
        case .lumbarSpine: Coding(.loinc, "38267-1", display: "DXA lumbar spine T-score")
        case .femoralNeck: Coding(.loinc, "38263-0", display: "DXA femur T-score")
        case .totalHip: Coding(.loinc, "38264-8", display: "DXA total hip T-score")
        case .radius33: Coding(.loinc, "38265-5", display: "DXA radius T-score")
        }
    }
    // Drugs (REFERENCE.md F3) and diagnoses (F2).
    public static let isotretinoin = Coding(.rxnorm, "6064", display: "isotretinoin")
    public static let alendronate = Coding(.rxnorm, "46041", display: "alendronate")
    public static let estradiol = Coding(.rxnorm, "4083", display: "estradiol")
    public static let organicAzoospermia = Coding(.icd10cm, "N46.01", display: "Organic azoospermia")
    public static let oligospermia = Coding(.icd10cm, "N46.11", display: "Organic oligospermia")
    public static let obstructiveAzoospermia = Coding(.icd10cm, "N46.023", display: "Azoospermia due to obstruction of efferent genital tract")
    public static let osteoporosis = Coding(.icd10cm, "M81.0", display: "Age-related osteoporosis without current pathological fracture")
    public static let spermRetrieval = Coding(.restora, "sperm-retrieval", display: "Testicular sperm retrieval (micro-TESE)")
    public static let fragilityFracture = Coding(.restora, "fragility-fracture", display: "Fragility fracture")

    public static func local(_ code: String) -> Coding { Coding(.restora, code) }
}
