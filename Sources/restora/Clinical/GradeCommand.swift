import ArgumentParser
import RestoraDomain

/// `restora grade <term> …`: CTCAE v5.0 grade from a laboratory value, or a clinician's grade recorded with
/// its criteria text (REFERENCE.md E1).
struct GradeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grade",
        abstract: "CTCAE v5.0 grading: laboratory terms from value/unit/ULN/baseline; clinician-graded terms with criteria text.",
        discussion: """
        Laboratory: restora grade alt --value 130 --unit U/L --uln 40 --baseline normal
        Clinician:  restora grade dry-skin --grade 2      (or --criteria to list the text per grade)
        Terms:      restora grade --list
        """)

    @Argument(help: "CTCAE term: hypertriglyceridemia (tg), cholesterol-high, alt, ast, bilirubin, ggt, alp, dry-skin, depression, rash, irritability.")
    var term: String?
    @Option(help: "Laboratory value.") var value: Double?
    @Option(help: "Unit of the value: mg/dL or mmol/L (lipids), U/L (enzymes), mg/dL or umol/L (bilirubin).") var unit: String?
    @Option(help: "Upper limit of normal, in the same unit as the value.") var uln: Double?
    @Option(help: "Baseline: 'normal', or the baseline value in the same unit (ALT/AST/bilirubin/GGT/ALP).") var baseline: String?
    @Option(help: "Clinician-graded terms: the grade chosen.") var grade: Int?
    @Flag(help: "Clinician-graded terms: print the criteria text of every grade.") var criteria = false
    @Flag(help: "List the terms.") var list = false

    @OptionGroup var output: OutputOptions

    struct CriteriaListing: Encodable {
        var term: CTCAETerm
        var termName: String
        var confidence: SourceConfidence
        var source: String
        var grades: [String: String]
    }

    mutating func run() async throws {
        let command = self
        try await runReportingErrors {
            if command.list {
                let terms = CTCAETerm.allCases.map { "\($0.rawValue)\t\($0.displayName)\t\($0.isClinicianGraded ? "clinician-graded" : "laboratory")" }
                if command.output.json { try CLIOutput.printJSON(CTCAETerm.allCases) } else { print(terms.joined(separator: "\n")) }
                return
            }
            guard let text = command.term else { throw CLIFailure("give a CTCAE term (see restora grade --list)") }
            guard let term = CTCAETerm(alias: text) ?? CTCAETerm(displayName: text) else {
                throw CLIFailure("unknown CTCAE term '\(text)'; see restora grade --list")
            }
            if term.isClinicianGraded {
                try command.clinician(term)
            } else {
                try command.laboratory(term)
            }
        }
    }

    func laboratory(_ term: CTCAETerm) throws {
        guard grade == nil, !criteria else {
            throw CLIFailure("\(term.displayName) is graded from a laboratory value: give --value and --unit, not --grade")
        }
        guard let value, let unit else { throw CLIFailure("\(term.displayName): give --value and --unit") }
        var base: CTCAEBaseline?
        if let baseline {
            if baseline.lowercased() == "normal" { base = .normal } else {
                base = .value(try ClinicalCLI.number(baseline, option: "--baseline"))
            }
        }
        let result = try ClinicalCLI.rule {
            try CTCAELabGrading.grade(CTCAELabMeasurement(term: term, value: value, unit: unit, upperLimitOfNormal: uln, baseline: base))
        }
        try show(result)
    }

    func clinician(_ term: CTCAETerm) throws {
        guard value == nil else { throw CLIFailure("\(term.displayName) is clinician-graded: give --grade <n> (or --criteria)") }
        if criteria || grade == nil {
            guard let c = CTCAEClinicianCriteria.criteria(for: term) else { return }
            if output.json {
                let grades = Dictionary(uniqueKeysWithValues: c.byGrade.map { (String($0.key), $0.value) })
                try CLIOutput.printJSON(CriteriaListing(term: term, termName: term.displayName, confidence: c.confidence,
                                                        source: c.source, grades: grades))
            } else {
                print("\(term.displayName) — \(c.source)\(c.confidence == .unconfirmed ? " [U: unconfirmed, configurable]" : "")")
                for (g, text) in c.byGrade.sorted(by: { $0.key < $1.key }) { print("  Grade \(g): \(text)") }
            }
            return
        }
        let result = try ClinicalCLI.rule { try CTCAEClinicianCriteria.grade(term, clinicianGrade: grade ?? 0) }
        try show(result)
    }

    func show(_ r: CTCAEGradeResult) throws {
        if output.json { try CLIOutput.printJSON(r); return }
        var lines = ["\(r.termName): " + (r.grade.map { "grade \($0)" } ?? "not graded")]
        if let criterion = r.criterion { lines.append("Criterion: \(criterion)") }
        if let rule = r.rule { lines.append("Rule: \(rule)") }
        if let multiple = r.multiple { lines.append("Multiple: \(NumberText.rounded(multiple, places: 2))×") }
        if let needs = r.cannotGrade { lines.append(needs) }
        lines.append("Source: \(r.source)\(r.confidence == .unconfirmed ? " [U: unconfirmed, configurable]" : "")")
        print(lines.joined(separator: "\n"))
    }
}
