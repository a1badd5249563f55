import ArgumentParser
import Foundation
import RestoraDomain
import RestoraStorage
import RestoraWeb

/// `restora import`: loads data from other systems through the domain services.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load data from other systems through the same services as the web app and the APIs.",
        subcommands: [FHIRImportCommand.self])
}

/// `restora import fhir FILE.ndjson` (issue #17, docs/fhir.md "Bulk Data"): Patient and Observation NDJSON through
/// the FHIR server's own create path — participant checks, `ClinicalEntry.record` with its clinical and safety
/// rules, alerts and audit — many lines to a transaction. Progress goes to stderr; the refused lines (line number,
/// FHIRPath, reason) to stdout (or `--report FILE`), and they never stop the good lines. The import is recorded
/// as a bulk data job (kind import) with its counts. Exit status 0 when every line loaded, 2 when some were refused.
struct FHIRImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fhir",
        abstract: "Import FHIR R4 Patient and Observation resources from an NDJSON file (one resource per line).",
        discussion: """
        Each line is created as POST /fhir/Patient or POST /fhir/Observation would create it (the server assigns ids; \
        an Observation whose subject names a Patient line of the same file is linked to that patient's new id). \
        Without --as the import is recorded as the operating-system user (cli:<login>, admin); --as <username> applies \
        that user's role and sites.
        """)

    @Argument(help: "The NDJSON file.")
    var file: String

    @Option(name: .customLong("as"), help: "Record the import as this Restora user, with that user's role and sites.")
    var asUser: String?

    @Option(name: .customLong("demo-folder"), help: "Import into the demo database `restora demo --folder <dir>` made (instead of --database-url).")
    var demoFolder: String?

    @Option(name: .long, help: "Write the refused lines as CSV (line,path,reason) to this file instead of stdout.")
    var report: String?

    @Option(name: .customLong("batch-size"), help: "Lines per transaction (default \(FHIRBulkImport.defaultBatchSize)).")
    var batchSize: Int = FHIRBulkImport.defaultBatchSize

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var source: ProtocolSource

    func validate() throws {
        if demoFolder != nil && database.databaseURL != nil { throw ValidationError("give either --demo-folder or --database-url, not both") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard FileManager.default.fileExists(atPath: file) else { throw ValidationError("no file \(file)") }
    }

    mutating func run() async throws {
        let command = self
        var refused = 0
        try await runReportingErrors { refused = try await command.execute() }
        if refused > 0 { throw ExitCode(2) }
    }

    func execute() async throws -> Int {
        let catalog = try source.catalog()
        let url = try database.existingURL(demoFolder: demoFolder)
        let storage = try await StorageDatabase.open(url: url, logger: CommandLineActor.logger())
        do {
            let refused = try await DatabaseFailure.wrap(storage.location) {
                try await storage.migrator.migrate()
                try await storage.checkpointLessOftenForBulkLoad()
                let refused = try await load(storage.repositories, catalog: catalog)
                try await storage.restoreCheckpointInterval()
                return refused
            }
            try await storage.shutdown()
            return refused
        } catch {
            try? await storage.shutdown()
            throw error
        }
    }

    func load(_ repositories: Repositories, catalog: ProtocolCatalog) async throws -> Int {
        let user = try await importer(repositories)
        let audit = AuditContext(actor: user.actor, requestID: "cli-\(UUIDGenerator().next())")
        let dependencies = WebDependencies(repositories: repositories, logger: CommandLineActor.logger(), catalog: catalog)
        let now = Date()
        let job = try await repositories.fhirBulk.jobs.create(FHIRBulkJob(
            id: Identifier(UUIDGenerator().next()), kind: .import, level: .system, types: FHIRBulkImport.types,
            sites: user.role.seesAllSites ? nil : user.siteIDs, request: URL(fileURLWithPath: file).lastPathComponent,
            requestedBy: user.actor, requestedByName: user.username, requestedAt: now, transactionTime: now), context: audit)
        _ = try await repositories.fhirBulk.jobs.start(job.value.id, folder: nil, at: Date(), context: audit)
        CLIOutput.warn("import \(job.value.id.rawValue): \(file) as \(user.username)")
        let importer = FHIRBulkImport(dependencies: dependencies, user: user, audit: audit, batchSize: batchSize)
        let started = Date()
        let summary: FHIRBulkImport.Summary
        do {
            summary = try await importer.load(path: file) { progress in
                let rate = Double(progress.loaded.values.reduce(0, +)) / max(Date().timeIntervalSince(started), 0.001)
                let types = progress.loaded.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                CLIOutput.warn("  line \(progress.linesRead): loaded \(types.isEmpty ? "nothing" : types), refused \(progress.refused) (\(Int(rate)) resources/s)")
            }
        } catch {
            _ = try? await repositories.fhirBulk.jobs.fail(job.value.id, message: "the import stopped: \(error)", at: Date(), context: audit)
            throw error
        }
        let outputs = summary.loaded.sorted { $0.key < $1.key }.map { FHIRBulkJob.Output(type: $0.key, file: "", count: $0.value, bytes: 0) }
        _ = try await repositories.fhirBulk.jobs.finish(job.value.id, outputs: outputs, refused: summary.refusals.count, at: Date(), context: audit)
        try writeReport(summary.refusals)
        let total = summary.loaded.values.reduce(0, +)
        CLIOutput.warn("import \(job.value.id.rawValue): \(summary.lines) lines, \(total) loaded ("
            + summary.loaded.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            + "), \(summary.refusals.count) refused, \(String(format: "%.1f", summary.seconds)) s, \(Int(Double(total) / max(summary.seconds, 0.001))) resources/s")
        return summary.refusals.count
    }

    /// The refused lines as CSV: `line,path,reason`.
    func writeReport(_ refusals: [FHIRBulkImport.Refusal]) throws {
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        let lines = ["line,path,reason"] + refusals.map { "\($0.line),\(field($0.path)),\(field($0.reason))" }
        let text = lines.joined(separator: "\n") + "\n"
        if let report {
            try text.write(toFile: report, atomically: true, encoding: .utf8)
        } else if !refusals.isEmpty {
            print(text, terminator: "")
        }
    }

    /// `--as` a Restora user (active, with that role and sites), else the console's admin `cli:<login>`.
    func importer(_ repositories: Repositories) async throws -> UserAccount {
        guard let asUser else {
            let actor = CommandLineActor.context().actor
            return UserAccount(id: Identifier(actor.userID), username: actor.userID, role: .admin, siteIDs: [])
        }
        let user: UserAccount
        do {
            user = try await repositories.users.get(username: asUser).value
        } catch RepositoryError.notFound {
            throw CLIFailure("--as: no user \(asUser)")
        }
        guard user.active else { throw CLIFailure("--as: the user \(asUser) is deactivated") }
        return user
    }
}
