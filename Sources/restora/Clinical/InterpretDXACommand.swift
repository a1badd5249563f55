import ArgumentParser
import RestoraDomain

/// `restora interpret dxa --sex female --age 62 --menopause post --bmd femoral-neck=0.53`: T/Z-scores, WHO
/// category or ISCD Z wording, lowest site, and change against the LSC when a previous BMD is given
/// (REFERENCE.md C).
struct InterpretDXACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dxa",
        abstract: "Interpret a DXA scan: T/Z-scores, WHO category (where ISCD allows), change vs least significant change.")

    @Option(help: "female or male.") var sex: String
    @Option(help: "Age in completed years.") var age: Int
    @Option(help: "Women: pre, post or unknown (T-score categories apply only after menopause).") var menopause: String?
    @Option(name: .customLong("bmd"), help: "BMD per site, g/cm²: <site>=<value>, repeatable. Sites: lumbar-spine, femoral-neck, total-hip, radius-33.")
    var bmd: [String] = []
    @Option(name: .customLong("t-score"), help: "T-score printed by the scanner: <site>=<value>, repeatable (used where no reference is configured).")
    var tScore: [String] = []
    @Option(name: .customLong("z-score"), help: "Z-score printed by the scanner: <site>=<value>, repeatable.")
    var zScore: [String] = []
    @Flag(name: .customLong("fragility-fracture"), inversion: .prefixedNo, help: "History of a fragility fracture (omit if unknown).")
    var fragilityFracture: Bool?
    @Option(help: "Scanner manufacturer/model, to pick a scanner-specific reference.") var scanner: String?
    @Option(help: "Young-adult reference: <site>=<mean>,<sd> (g/cm²), repeatable; femoral neck defaults to NHANES III 0.858,0.120.")
    var reference: [String] = []
    @Option(name: .customLong("previous-bmd"), help: "BMD at the previous scan, same scanner: <site>=<value>; compared with --bmd against the LSC.")
    var previousBMD: [String] = []
    @Option(help: "Precision error per site: <site>=<value>% or <site>=<value> (g/cm²). Defaults (U): spine 1.9%, hip 1.8%, neck 2.5%.")
    var precision: [String] = []

    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        var diagnosis: DXADiagnosis
        var changes: [BoneDensityChangeAssessment]
    }

    mutating func run() async throws {
        let command = self
        try await runReportingErrors {
            let exam = try command.exam()
            let table = try command.referenceTable()
            let diagnosis = try ClinicalCLI.rule { try exam.diagnose(references: table) }
            let changes = try command.changes(current: exam)
            let report = Report(diagnosis: diagnosis, changes: changes)
            if command.output.json {
                try CLIOutput.printJSON(report)
            } else {
                print(DXAText.render(report.diagnosis, changes: report.changes))
            }
        }
    }

    func exam() throws -> DXAExam {
        guard let sex = DXAPatient.Sex(rawValue: sex.lowercased()) else {
            throw CLIFailure("--sex: '\(sex)' must be female or male")
        }
        var status: DXAPatient.MenopausalStatus?
        if let menopause {
            switch menopause.lowercased() {
            case "pre", "premenopausal": status = .premenopausal
            case "post", "postmenopausal": status = .postmenopausal
            case "unknown": status = .unknown
            default: throw CLIFailure("--menopause: '\(menopause)' must be pre, post or unknown")
            }
        }
        var sites: [SkeletalSite: DXASiteMeasurement] = [:]
        for (site, value) in try ClinicalCLI.siteValues(bmd, option: "--bmd") {
            sites[site, default: DXASiteMeasurement(site: site)].bmdGPerCm2 = value
        }
        for (site, value) in try ClinicalCLI.siteValues(tScore, option: "--t-score") {
            sites[site, default: DXASiteMeasurement(site: site)].reportedTScore = value
        }
        for (site, value) in try ClinicalCLI.siteValues(zScore, option: "--z-score") {
            sites[site, default: DXASiteMeasurement(site: site)].reportedZScore = value
        }
        guard !sites.isEmpty else { throw CLIFailure("give at least one --bmd, --t-score or --z-score") }
        return DXAExam(patient: DXAPatient(sex: sex, ageYears: age, menopausalStatus: status), scanner: scanner,
                       sites: sites.values.sorted { $0.site < $1.site }, fragilityFracture: fragilityFracture)
    }

    func referenceTable() throws -> BoneReferenceTable {
        var table = BoneReferenceTable.default
        for text in reference {
            let (key, value) = try ClinicalCLI.pair(text, option: "--reference")
            let site = try ClinicalCLI.site(key, option: "--reference")
            let numbers = value.split(separator: ",").map(String.init)
            guard numbers.count == 2 else { throw CLIFailure("--reference: expected <site>=<mean>,<sd>, got '\(text)'") }
            let ref = BoneDensityReference(meanGPerCm2: try ClinicalCLI.number(numbers[0], option: "--reference"),
                                           sdGPerCm2: try ClinicalCLI.number(numbers[1], option: "--reference"),
                                           source: "reference given on the command line (\(numbers[0]) ± \(numbers[1]) g/cm²)")
            try ClinicalCLI.rule { try ref.validate(field: "reference.\(site.rawValue)") }
            table.entries.removeAll { $0.site == site && $0.scanner == scanner }
            table.entries.insert(.init(site: site, scanner: scanner, reference: ref), at: 0)
        }
        return table
    }

    func changes(current exam: DXAExam) throws -> [BoneDensityChangeAssessment] {
        var precisions: [SkeletalSite: PrecisionError] = [:]
        for text in precision {
            let (key, value) = try ClinicalCLI.pair(text, option: "--precision")
            let site = try ClinicalCLI.site(key, option: "--precision")
            let isPercent = value.hasSuffix("%")
            let number = try ClinicalCLI.number(isPercent ? String(value.dropLast()) : value, option: "--precision")
            precisions[site] = PrecisionError(value: number, unit: isPercent ? .percent : .gPerCm2)
        }
        return try ClinicalCLI.siteValues(previousBMD, option: "--previous-bmd").map { site, previous in
            guard let current = exam.sites.first(where: { $0.site == site })?.bmdGPerCm2 else {
                throw CLIFailure("--previous-bmd \(site.rawValue): needs the current BMD of that site (--bmd \(site.rawValue)=<value>)")
            }
            return try ClinicalCLI.rule {
                try LeastSignificantChange.assess(site: site, previousGPerCm2: previous, currentGPerCm2: current, precisions: precisions)
            }
        }
    }
}

enum DXAText {
    static func render(_ d: DXADiagnosis, changes: [BoneDensityChangeAssessment]) -> String {
        var lines: [String] = []
        switch d.vocabulary {
        case .tScore: lines.append("Vocabulary: WHO T-score categories (postmenopausal woman / man ≥ 50)")
        case .zScore: lines.append("Vocabulary: ISCD Z-score wording (premenopausal woman / man < 50)")
        case nil: lines.append("Vocabulary: undecided")
        }
        for s in d.sites {
            var line = "\(s.site.displayName): BMD \(ClinicalCLI.format(s.bmdGPerCm2, places: 3)) g/cm², T \(ClinicalCLI.format(s.tScore)), Z \(ClinicalCLI.format(s.zScore))"
            if let source = s.tScoreSource { line += " (T \(source))" }
            lines.append(line)
        }
        if let site = d.lowestSite { lines.append("Lowest: \(site.displayName) \(ClinicalCLI.format(d.lowestScore))") }
        if let category = d.category { lines.append("WHO category: \(category.displayName)") }
        if let wording = d.zScoreWording { lines.append("Z-score: \(wording.text)") }
        lines += d.notes.map { "Note: \($0)" }
        lines += d.cannotClassify
        for c in changes {
            let lsc = c.lscUnit == .percent ? "\(NumberText.rounded(c.leastSignificantChange, places: 2)) %"
                                            : "\(NumberText.rounded(c.leastSignificantChange, places: 4)) g/cm²"
            lines.append("Change at \(c.site.displayName): \(NumberText.rounded(c.changeGPerCm2, places: 4)) g/cm² (\(NumberText.rounded(c.changePercent, places: 2)) %), LSC \(lsc) → \(c.verdict.rawValue) [precision: \(c.precisionSource)]")
        }
        return lines.joined(separator: "\n")
    }
}
