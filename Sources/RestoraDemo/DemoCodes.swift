import RestoraDomain

/// The codes the demo records under: the ones the protocol files list (REFERENCE.md F1 LOINC where it has
/// one, `restora` local codes where it has none), so screening and reports find the demo's observations.
enum DemoCodes {
    // Semen analysis (REFERENCE.md F1).
    static let semenVolume = Coding(.loinc, "3160-9", display: "Semen volume")
    static let spermConcentration = Coding(.loinc, "9780-8", display: "Sperm concentration")
    static let totalMotility = Coding(.loinc, "6800-7", display: "Total motility")
    static let progressiveMotility = Coding(.loinc, "14194-5", display: "Progressive motility")
    static let normalForms = Coding(.loinc, "10622-9", display: "Normal morphology")
    static let semenClassification = Coding(.restora, "semen-classification", display: "Semen analysis classification")
    // Hormones (REFERENCE.md F1; inhibin B is S there).
    static let fsh = Coding(.loinc, "15067-2", display: "FSH")
    static let lh = Coding(.loinc, "10501-5", display: "LH")
    static let testosterone = Coding(.loinc, "2986-8", display: "Testosterone total")
    static let inhibinB = Coding(.loinc, "34319-4", display: "Inhibin B")
    // Lipids and liver enzymes (REFERENCE.md E2, F1; total cholesterol 2093-3 is U).
    static let totalCholesterol = Coding(.loinc, "2093-3", display: "Total cholesterol")
    static let triglyceride = Coding(.loinc, "2571-8", display: "Triglyceride")
    static let hdl = Coding(.loinc, "2085-9", display: "HDL cholesterol")
    static let ldl = Coding(.loinc, "2089-1", display: "LDL cholesterol")
    static let alt = Coding(.loinc, "1742-6", display: "ALT")
    static let ast = Coding(.loinc, "1920-8", display: "AST")
    // Questionnaires and local codes the protocols define (their `defaults:` say why).
    static let phq9 = Coding(.loinc, "44261-6", display: "PHQ-9 total score")
    static let alcohol = Coding(.restora, "alcohol-drinks-per-day", display: "Alcoholic drinks per day")
    static let testicularVolume = Coding(.restora, "testicular-volume", display: "Testicular volume")
    static let histology = Coding(.restora, "testicular-histology", display: "Testicular histology (REFERENCE.md B5)")
    static let karyotype = Coding(.restora, "karyotype", display: "Karyotype")
    static let yMicrodeletion = Coding(.restora, "y-microdeletion", display: "Y-chromosome microdeletion")
    static let fractureReview = Coding(.restora, "fracture-review", display: "Fracture review")
    // DXA (REFERENCE.md F1; femoral neck mapped to the femur codes, U).
    static func dxaBMD(_ site: SkeletalSite) -> Coding {
        switch site {
        case .lumbarSpine: Coding(.loinc, "24966-4", display: "DXA lumbar spine BMD")
        case .femoralNeck: Coding(.loinc, "24701-5", display: "DXA femur BMD")
        case .totalHip: Coding(.loinc, "38261-4", display: "DXA total hip BMD")
        case .radius33: Coding(.restora, "dxa-radius-33-bmd", display: "DXA 33% radius BMD")
        }
    }
    static func dxaTScore(_ site: SkeletalSite) -> Coding {
        switch site {
        case .lumbarSpine: Coding(.loinc, "38267-1", display: "DXA lumbar spine T-score")
        case .femoralNeck: Coding(.loinc, "38263-0", display: "DXA femur T-score")
        case .totalHip: Coding(.loinc, "38264-8", display: "DXA total hip T-score")
        case .radius33: Coding(.loinc, "38265-5", display: "DXA radius T-score")
        }
    }
    // Drugs (REFERENCE.md F3) and diagnoses (F2).
    static let isotretinoin = Coding(.rxnorm, "6064", display: "isotretinoin")
    static let alendronate = Coding(.rxnorm, "46041", display: "alendronate")
    static let estradiol = Coding(.rxnorm, "4083", display: "estradiol")
    static let organicAzoospermia = Coding(.icd10cm, "N46.01", display: "Organic azoospermia")
    static let oligospermia = Coding(.icd10cm, "N46.11", display: "Organic oligospermia")
    static let obstructiveAzoospermia = Coding(.icd10cm, "N46.023", display: "Azoospermia due to obstruction of efferent genital tract")
    static let osteoporosis = Coding(.icd10cm, "M81.0", display: "Age-related osteoporosis without current pathological fracture")
    static let spermRetrieval = Coding(.restora, "sperm-retrieval", display: "Testicular sperm retrieval (micro-TESE)")
    static let fragilityFracture = Coding(.restora, "fragility-fracture", display: "Fragility fracture")

    static func local(_ code: String) -> Coding { Coding(.restora, code) }
}
