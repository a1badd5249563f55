import ArgumentParser
import Foundation
import RestoraDemo
import RestoraDomain
import RestoraReports

/// `restora report --program <protocol-id> --format html|json|md [--output file]`: the study report of one
/// program. Until storage lands it reports the built-in synthetic demo clinic, labelled so in every format.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Study report of a program: flow, responders, time to response, subgroups, safety, BMD, planning.",
        discussion: """
        Until storage lands, reports the synthetic demo clinic (the same data `restora demo` will load), \
        generated deterministically from --seed and --today. Every rendering is labelled SYNTHETIC DEMO DATA. \
        The JSON shape is documented in docs/report-format.md.
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case html, json, md
        init?(argument: String) {
            switch argument.lowercased() {
            case "html", "htm": self = .html
            case "json": self = .json
            case "md", "markdown": self = .md
            default: return nil
            }
        }
    }

    @Option(name: .long, help: "Protocol id of the program, e.g. isotretinoin-noa (see `restora protocol list`).")
    var program: String

    @Option(name: .long, help: "Output format: html, json or md.")
    var format: Format = .md

    @Option(name: .customLong("output"), help: "Write the report to this file instead of standard output.")
    var outputFile: String?

    @Option(name: .long, help: "Seed of the synthetic demo clinic.")
    var seed: UInt64 = DemoClinic.defaultSeed

    @Option(name: .long, help: "The demo clinic's \"today\" (YYYY-MM-DD; default 2026-11-01, so the demo is reproducible).")
    var today: String?

    @OptionGroup var source: ProtocolSource
    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let command = self
        try await runReportingErrors {
            let text = try command.render()
            if let path = command.outputFile {
                do {
                    try text.write(toFile: path, atomically: true, encoding: .utf8)
                } catch {
                    throw CLIFailure("--output: cannot write \(path): \(error.localizedDescription)")
                }
                print("wrote the \(command.effectiveFormat.rawValue) report of \(command.program) to \(path)")
            } else {
                print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
            }
        }
    }

    /// `--json` (the common output flag) is a shorthand for `--format json`.
    var effectiveFormat: Format { output.json ? .json : format }

    func render() throws -> String {
        let catalog = try source.catalog()
        let definition: ProtocolDefinition
        do {
            definition = try catalog.definition(id: program)
        } catch {
            throw CLIFailure(error.description)
        }
        let day = try CLIDate.parse(today, option: "--today", default: DemoClinic.defaultToday)
        let clinic: DemoClinic
        do {
            clinic = try DemoClinic.generate(protocols: catalog.protocols, seed: seed, today: day)
        } catch {
            throw CLIFailure("cannot build the demo clinic: \(error)")
        }
        let dataset = ProgramDataset(
            definition: definition, programName: clinic.program(protocolID: program)?.name, asOf: clinic.today,
            synthetic: true,
            participants: clinic.participants(protocolID: program).map {
                ProgramParticipantData(record: $0.record, enrolment: $0.enrolment, visits: $0.visits, cellProducts: $0.cellProducts)
            })
        let report: StudyReport
        do {
            report = try StudyReport.build(dataset, syntheticLabel: DemoLabel.text)
        } catch {
            throw CLIFailure("cannot compute the report of \(program): \(error)")
        }
        switch effectiveFormat {
        case .json: return try CLIOutput.jsonString(report)
        case .md: return MarkdownRenderer.render(report)
        case .html: return HTMLRenderer.render(report)
        }
    }
}
