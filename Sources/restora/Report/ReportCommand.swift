import ArgumentParser
import Foundation
import RestoraDemo
import RestoraDomain
import RestoraReports
import RestoraStorage

/// `restora report --program <protocol-id> --format html|json|md [--output file]`: the study report of one
/// program, computed from the database (`--database-url`, `RESTORA_DATABASE_URL`, or `--demo-folder` for the
/// database `restora demo` made). A demo database is labelled SYNTHETIC DEMO DATA in every format.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Study report of a program: flow, responders, time to response, subgroups, safety, BMD, planning.",
        discussion: """
        Reads the program's records from the database. Try it on the synthetic demo: `restora demo --seed-only`, \
        then `restora report --demo-folder restora-demo --program isotretinoin-noa`. A demo database is labelled \
        SYNTHETIC DEMO DATA in every rendering. The JSON shape is documented in docs/report-format.md.
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

    @Option(name: .customLong("demo-folder"), help: "Report the demo database `restora demo --folder <dir>` made (instead of --database-url).")
    var demoFolder: String?

    @Option(name: .customLong("as-of"), help: "Data cut-off date (YYYY-MM-DD; default: the demo's fixed today for a demo database, else today, UTC).")
    var asOf: String?

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var source: ProtocolSource
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if demoFolder != nil && database.databaseURL != nil {
            throw ValidationError("give either --demo-folder or --database-url, not both")
        }
    }

    mutating func run() async throws {
        let command = self
        try await runReportingErrors {
            let text = try await command.render()
            if let path = command.outputFile {
                do {
                    try OutputFile.write(text, to: path)
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

    func render() async throws -> String {
        let catalog = try source.catalog()
        do {
            _ = try catalog.definition(id: program)
        } catch {
            throw CLIFailure(error.description)
        }
        // Reporting never creates a database.
        let url = try database.existingURL(demoFolder: demoFolder)
        // One pass over the program's rows: no map, SQLite's default cache (`SQLiteReadProfile.singlePass`).
        let storage = try await StorageDatabase.open(url: url, logger: CommandLineActor.logger(), sqliteReads: .singlePass)
        do {
            let report = try await DatabaseFailure.wrap(storage.location) { try await build(storage, catalog: catalog) }
            try await storage.shutdown()
            switch effectiveFormat {
            case .json: return try CLIOutput.jsonString(report)
            case .md: return MarkdownRenderer.render(report)
            case .html: return HTMLRenderer.render(report)
            }
        } catch {
            try? await storage.shutdown()
            throw error
        }
    }

    func build(_ storage: StorageDatabase, catalog: ProtocolCatalog) async throws -> StudyReport {
        try await storage.migrator.migrate()
        let repositories = storage.repositories
        let programs = try await repositories.programs.list().map(\.value)
        guard let stored = programs.first(where: { $0.protocolID == program }) else {
            let present = programs.map(\.protocolID).sorted()
            throw CLIFailure("no program runs protocol \(program) in the database at \(storage.location.redacted)"
                + (present.isEmpty ? " (it has no programs)" : "; programs there: \(present.joined(separator: ", "))"))
        }
        let demo = try await storage.isDemo()
        let chosen = try asOf.map { try CLIDate.parse($0, option: "--as-of", default: CalendarDate(Date())) }
        let cutOff = ReportCutOff.resolve(chosen: chosen, demoToday: demo ? try await storage.demoToday() : nil, now: Date())
        let day = cutOff.date
        let dataset = try await StoredProgramData.loadForReport(
            programID: stored.id, repositories: repositories, catalog: catalog, asOf: day, synthetic: demo)
        var report: StudyReport
        do {
            report = try StudyReport.build(consume dataset, syntheticLabel: DemoLabel.text).stating(cutOff)
        } catch {
            throw CLIFailure("cannot compute the report of \(program): \(error)")
        }
        // The chain heads at this moment, printed with the report to keep (docs/audit-integrity.md).
        report.auditHeads = try await storage.auditAnchor().heads.map {
            StudyReport.AuditHead(chain: $0.chainName, sequence: $0.sequence, hash: $0.hash)
        }
        return report
    }
}
