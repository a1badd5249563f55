import RestoraDomain

/// The tests Restora's observation codes become in the findings domains: laboratory values (hormones,
/// lipids, liver enzymes, semen parameters) in LB, DXA bone density in MK. Codes not listed here are not
/// mapped yet (docs/sdtm.md lists them).
struct SDTMFindingsTest {
    let domain: String
    let testcd: String
    let test: String
    let category: String
    /// LBSPEC (SPECTYPE, C78734); nil outside LB.
    let specimen: String?
    /// MKLOC (LOC, C74456); nil outside MK.
    let location: String?
    let method: String?

    static func lab(_ testcd: String, _ test: String, _ category: String, _ specimen: String) -> SDTMFindingsTest {
        SDTMFindingsTest(domain: "LB", testcd: testcd, test: test, category: category, specimen: specimen, location: nil, method: nil)
    }

    static func bone(_ testcd: String, _ test: String, _ location: String) -> SDTMFindingsTest {
        SDTMFindingsTest(domain: "MK", testcd: testcd, test: test, category: "BONE DENSITOMETRY", specimen: nil,
                         location: location, method: "DXA")
    }

    /// By LOINC (or restora) code. LBTESTCD values are CDISC CT (C65047) where the public terminology names the
    /// test; the semen tests other than VOLUME are sponsor-defined (docs/sdtm.md).
    static let catalogue: [Key: SDTMFindingsTest] = {
        var tests: [Coding: SDTMFindingsTest] = [
            ClinicalCodes.semenVolume: .lab("VOLUME", "Volume", "SEMEN ANALYSIS", "SEMEN"),
            ClinicalCodes.spermConcentration: .lab("SPERM", "Spermatozoa", "SEMEN ANALYSIS", "SEMEN"),
            ClinicalCodes.totalMotility: .lab("SPMMOT", "Motile Spermatozoa/Spermatozoa", "SEMEN ANALYSIS", "SEMEN"),
            ClinicalCodes.progressiveMotility: .lab("SPMPRMOT", "Progressively Motile Sperm/Spermatozoa", "SEMEN ANALYSIS", "SEMEN"),
            ClinicalCodes.normalForms: .lab("SPMNORM", "Normal Morphology Sperm/Spermatozoa", "SEMEN ANALYSIS", "SEMEN"),
            ClinicalCodes.fsh: .lab("FSH", "Follicle Stimulating Hormone", "ENDOCRINOLOGY", "SERUM"),
            ClinicalCodes.lh: .lab("LH", "Luteinizing Hormone", "ENDOCRINOLOGY", "SERUM"),
            ClinicalCodes.testosterone: .lab("TESTOS", "Testosterone", "ENDOCRINOLOGY", "SERUM"),
            ClinicalCodes.inhibinB: .lab("INHBB", "Inhibin B", "ENDOCRINOLOGY", "SERUM"),
            ClinicalCodes.totalCholesterol: .lab("CHOL", "Cholesterol", "CHEMISTRY", "SERUM"),
            ClinicalCodes.triglyceride: .lab("TRIG", "Triglycerides", "CHEMISTRY", "SERUM"),
            ClinicalCodes.hdl: .lab("HDL", "HDL Cholesterol", "CHEMISTRY", "SERUM"),
            ClinicalCodes.ldl: .lab("LDL", "LDL Cholesterol", "CHEMISTRY", "SERUM"),
            ClinicalCodes.alt: .lab("ALT", "Alanine Aminotransferase", "CHEMISTRY", "SERUM"),
            ClinicalCodes.ast: .lab("AST", "Aspartate Aminotransferase", "CHEMISTRY", "SERUM"),
        ]
        for site in SkeletalSite.allCases {
            let location = switch site {
            case .lumbarSpine: "LUMBAR SPINE"
            case .femoralNeck: "FEMORAL NECK"
            case .totalHip: "HIP"
            case .radius33: "RADIUS"
            }
            tests[ClinicalCodes.dxaBMD(site)] = .bone("BMD", "Bone Mineral Density", location)
            tests[ClinicalCodes.dxaTScore(site)] = .bone("TSCORE", "T-Score", location)
        }
        return Dictionary(tests.map { (key($0.key), $0.value) }, uniquingKeysWith: { a, _ in a })
    }()

    /// A test's key: the code system and code (the display is not part of it).
    struct Key: Hashable {
        let system: CodeSystem
        let code: String
    }

    static func key(_ coding: Coding) -> Key { Key(system: coding.system, code: coding.code) }

    static func test(for coding: Coding) -> SDTMFindingsTest? { catalogue[key(coding)] }

    static func codes(domain: String) -> [VariableSpec.Code] {
        var seen = Set<String>()
        return catalogue.values.filter { $0.domain == domain }.sorted { $0.testcd < $1.testcd }
            .filter { seen.insert($0.testcd).inserted }.map { .init($0.testcd, $0.test) }
    }
}

/// --GRPID of a subject's findings: its panels (one sample or scan each) numbered 1, 2, … in the order met; the
/// stored panel id is an internal identifier and is not exported.
struct SDTMPanelGroups {
    private var numbers: [String: Int] = [:]

    mutating func number(_ observation: Observation) -> Int? {
        guard let panel = observation.panelID else { return nil }
        if let known = numbers[panel] { return known }
        numbers[panel] = numbers.count + 1
        return numbers.count
    }
}

/// A subject's observations in the order the findings domains write them: by time, then code.
extension SDTMSubject {
    var findingsInOrder: [Observation] { findings }

    static func findingsInOrder(_ observations: [Observation]) -> [Observation] {
        observations.sorted { ($0.effective, $0.code.code) < ($1.effective, $1.code.code) }
    }
}

/// The variables LB and MK share, in SDTMIG order around each domain's own.
enum SDTMFindings {
    static func topic(_ d: String, testLabel: String, codelist: String?) -> [VariableSpec] {
        [
            SDTMVar.seq(d),
            SDTMVar.text("\(d)GRPID", "Group ID", role: "Identifier", origin: "Derived",
                         derivation: "1, 2, … per subject: the panel (one sample) the result belongs to"),
            SDTMVar.text("\(d)TESTCD", "\(testLabel) Short Name", role: "Topic", origin: "Assigned",
                         codelist: codelist, codes: SDTMFindingsTest.codes(domain: d)),
            SDTMVar.text("\(d)TEST", "\(testLabel) Name", role: "Synonym Qualifier", origin: "Assigned"),
            SDTMVar.text("\(d)CAT", "Category for \(d == "LB" ? "Lab Test" : "Test")", role: "Grouping Qualifier", origin: "Assigned"),
            SDTMVar.text("\(d)ORRES", "Result or Finding in Original Units", role: "Result Qualifier"),
            SDTMVar.text("\(d)ORRESU", "Original Units", role: "Variable Qualifier", codelist: "UNIT (C71620)"),
        ]
    }

    static func standardResults(_ d: String) -> [VariableSpec] {
        [
            SDTMVar.text("\(d)STRESC", "Character Result/Finding in Std Format", role: "Result Qualifier", origin: "Derived",
                         derivation: "The original result (no unit conversion)"),
            SDTMVar.float("\(d)STRESN", "Numeric Result/Finding in Standard Units", role: "Result Qualifier", origin: "Derived",
                          derivation: "The original numeric result (no unit conversion)"),
            SDTMVar.text("\(d)STRESU", "Standard Units", role: "Variable Qualifier", origin: "Derived", codelist: "UNIT (C71620)"),
        ]
    }

    static func timing(_ d: String) -> [VariableSpec] {
        [
            SDTMVar.visitnum, SDTMVar.visit, SDTMVar.epoch,
            SDTMVar.dtc("\(d)DTC", d == "LB" ? "Date/Time of Specimen Collection" : "Date/Time of Collection"),
            SDTMVar.studyDay("\(d)DY", d == "LB" ? "Study Day of Specimen Collection" : "Study Day of Visit/Collection/Exam", of: "\(d)DTC"),
        ]
    }

    /// The names of the variables `row` sets, per domain: spelled once, not for every row.
    struct Names {
        let grpid, testcd, test, cat, orres, orresu, stresc, stresn, stresu, dtc, dy: String

        init(_ d: String) {
            grpid = d + "GRPID"; testcd = d + "TESTCD"; test = d + "TEST"; cat = d + "CAT"; orres = d + "ORRES"
            orresu = d + "ORRESU"; stresc = d + "STRESC"; stresn = d + "STRESN"; stresu = d + "STRESU"
            dtc = d + "DTC"; dy = d + "DY"
        }

        static let lb = Names("LB"), mk = Names("MK")

        static func of(_ domain: String) -> Names {
            switch domain {
            case "LB": return lb
            case "MK": return mk
            default: return Names(domain)
            }
        }
    }

    /// The rows of one observation's common variables; the caller adds the domain's own.
    static func row(_ s: SDTMSubject, _ test: SDTMFindingsTest, _ observation: Observation, seq: Int, group: Int?) -> SDTMRow {
        let n = Names.of(test.domain)
        var row = s.row(test.domain, seq: seq)
        row[n.grpid] = .text(group.map(String.init))
        row[n.testcd] = .text(test.testcd)
        row[n.test] = .text(test.test)
        row[n.cat] = .text(test.category)
        let result = resultText(observation.value)
        row[n.orres] = .text(result)
        row[n.stresc] = .text(result)
        row[n.stresn] = .number(observation.value.number)
        if let unit = observation.value.quantity.flatMap({ SDTMTerms.unit($0.unit) }) {
            row[n.orresu] = .text(unit)
            row[n.stresu] = .text(unit)
        }
        let (number, name) = s.visit(observation.visitID)
        row["VISITNUM"] = number
        row["VISIT"] = name
        let date = observation.effectiveDate
        row["EPOCH"] = s.epoch(date)
        row[n.dtc] = s.dateTime(observation.effective)
        row[n.dy] = s.day(date)
        return row
    }

    static func resultText(_ value: ObservationValue) -> String? {
        switch value {
        case let .quantity(q): NumberText.plain(q.value)
        case let .integer(i): String(i)
        case let .coded(c): (c.display ?? c.code).uppercased()
        case let .boolean(b): b ? "Y" : "N"
        case let .text(t): t
        }
    }
}
