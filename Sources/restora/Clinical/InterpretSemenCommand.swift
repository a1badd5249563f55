import ArgumentParser
import RestoraDomain

/// `restora interpret semen --volume 2.5 --concentration 12 …`: WHO terms, the edition used, total and
/// total motile count, and whether motile sperm are present (REFERENCE.md B).
struct InterpretSemenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "semen",
        abstract: "Classify one semen analysis with the WHO lower reference limits (6th edition by default).")

    @Option(help: "Semen volume, mL (0 = no ejaculate).") var volume: Double?
    @Option(help: "Sperm concentration in the fresh preparation, 10^6/mL.") var concentration: Double?
    @Option(name: .customLong("total-count"), help: "Total sperm number, 10^6 per ejaculate (computed from volume × concentration when absent).")
    var totalCount: Double?
    @Option(name: .customLong("total-motility"), help: "Total motility PR+NP, %.") var totalMotility: Double?
    @Option(name: .customLong("progressive-motility"), help: "Progressive motility PR, %.") var progressiveMotility: Double?
    @Option(help: "Vitality (live spermatozoa), %.") var vitality: Double?
    @Option(name: .customLong("normal-forms"), help: "Normal forms, %.") var normalForms: Double?
    @Option(help: "Centrifuged pellet examined and what it held: no-sperm, non-motile-sperm, motile-sperm. Omit if not examined.")
    var pellet: String?
    @Option(name: .customLong("centrifugation-g"), help: "Centrifugation force, × g.") var centrifugationG: Double?
    @Option(name: .customLong("centrifugation-minutes"), help: "Centrifugation time, minutes.") var centrifugationMinutes: Double?
    @Option(help: "WHO manual edition: 6 (2021, default) or 5 (2010).") var edition: String = "6"
    @Option(name: .customLong("minimum-g"), help: "Minimum force for confirmed azoospermia (default 1000, REFERENCE.md B3).")
    var minimumG: Double = CentrifugationRequirement.corea2005.minimumG
    @Option(name: .customLong("minimum-minutes"), help: "Minimum minutes for confirmed azoospermia (default 15).")
    var minimumMinutes: Double = CentrifugationRequirement.corea2005.minimumMinutes

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let command = self
        try await runReportingErrors {
            guard let edition = WHOEdition(flexible: command.edition) else {
                throw CLIFailure("--edition: '\(command.edition)' is not a WHO edition; use 6 (2021) or 5 (2010)")
            }
            let sample = try command.analysis()
            let requirement = CentrifugationRequirement(minimumG: command.minimumG, minimumMinutes: command.minimumMinutes)
            let result = try ClinicalCLI.rule { try sample.interpret(edition: edition, centrifugation: requirement) }
            if command.output.json {
                try CLIOutput.printJSON(result)
            } else {
                print(SemenText.render(result))
            }
        }
    }

    func analysis() throws -> SemenAnalysis {
        var examination: PelletExamination?
        if let pellet {
            guard let finding = PelletExamination.Finding(rawValue: pellet) else {
                let known = PelletExamination.Finding.allCases.map(\.rawValue).joined(separator: ", ")
                throw CLIFailure("--pellet: '\(pellet)' is not a finding; use one of \(known)")
            }
            examination = PelletExamination(examined: true, finding: finding, centrifugationG: centrifugationG,
                                            centrifugationMinutes: centrifugationMinutes)
        } else if centrifugationG != nil || centrifugationMinutes != nil {
            throw CLIFailure("--centrifugation-g/--centrifugation-minutes need --pellet (what the examined pellet held)")
        }
        return SemenAnalysis(
            volumeML: volume, concentrationMillionPerML: concentration, totalCountMillion: totalCount,
            totalMotilityPercent: totalMotility, progressiveMotilityPercent: progressiveMotility,
            vitalityPercent: vitality, normalFormsPercent: normalForms, pellet: examination)
    }
}

enum SemenText {
    static func render(_ r: SemenInterpretation) -> String {
        var lines = ["Semen analysis — \(r.edition.displayName)"]
        lines.append("Classification: \(r.summary ?? "cannot classify")")
        if let az = r.azoospermia {
            lines.append("Azoospermia: " + (az.confirmed ? "confirmed by pellet examination" : "NOT confirmed — \(az.reason ?? "")"))
        }
        lines.append("Motile sperm in the ejaculate: \(r.motileSpermInEjaculate.rawValue)")
        if let total = r.totalCountMillion {
            lines.append("Total sperm number: \(ClinicalCLI.format(total)) ×10^6\(r.totalCountComputed ? " (computed)" : "")")
        }
        if let tmsc = r.totalMotileSpermCountMillion { lines.append("Total motile sperm count: \(ClinicalCLI.format(tmsc)) ×10^6") }
        lines.append("")
        lines.append("Parameter               Value      LRL    ")
        for p in r.parameters {
            let flag = p.belowLimit.map { $0 ? "below" : "ok" } ?? "not measured"
            let name = p.parameter.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)
            let value = ClinicalCLI.format(p.value).padding(toLength: 10, withPad: " ", startingAt: 0)
            let limit = NumberText.plain(p.lowerReferenceLimit).padding(toLength: 6, withPad: " ", startingAt: 0)
            lines.append("\(name)  \(value) \(limit) \(p.unit)  \(flag)")
        }
        if !r.cannotClassify.isEmpty {
            lines.append("")
            lines += r.cannotClassify
        }
        return lines.joined(separator: "\n")
    }
}
