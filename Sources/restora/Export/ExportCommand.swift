import ArgumentParser
import Foundation
import RestoraDomain
import RestoraExport
import RestoraStorage

extension ExportKind: ExpressibleByArgument {}
extension ExportParticipant.DatePrecision: ExpressibleByArgument {}

/// `restora export csv|sdtm|odm --program <id> --output <dir>`: a research data package of one program, written
/// by the same service as the API's export jobs (`ExportJobs`) and recorded the same way: an `export_jobs` row,
/// audited (who, what, when, which participants), done or failed. docs/exports.md.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a program's research data: CSV with a data dictionary, CDISC SDTM (XPT, Dataset-JSON, define.xml) or ODM 1.3.2.",
        discussion: """
        The package is written into a temporary folder beside --output and moved into place when complete; --output \
        must not exist or be empty. Without --as the export is recorded as the operating-system user (cli:<login>, \
        with the admin role the console has); --as <username> records a named user and applies that user's role \
        and sites (a monitor must add --deidentify). Progress goes to stderr; the manifest summary to stdout.
        """)

    @Argument(help: "csv, sdtm or odm.")
    var kind: ExportKind

    @Option(name: .long, help: "The program: its id, or the protocol id it runs (e.g. isotretinoin-noa).")
    var program: String

    @Option(name: .long, help: "The folder to write the package into (must not exist or be empty).")
    var output: String

    @Flag(name: .long, help: "HIPAA Safe Harbor de-identification (docs/deidentification.md).")
    var deidentify = false

    @Option(name: .customLong("date-precision"), help: "With --deidentify: day (dates shifted per participant, the default) or year (the year alone).")
    var datePrecision: ExportParticipant.DatePrecision?

    @Option(name: .long, help: "Only these participants, by id, comma-separated (default: all of the program's).")
    var participants: String?

    @Option(name: .customLong("as"), help: "Record the export as this Restora user, with that user's role and sites.")
    var asUser: String?

    @Option(name: .customLong("demo-folder"), help: "Export from the demo database `restora demo --folder <dir>` made (instead of --database-url).")
    var demoFolder: String?

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var source: ProtocolSource
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        if demoFolder != nil && database.databaseURL != nil { throw ValidationError("give either --demo-folder or --database-url, not both") }
        if datePrecision != nil && !deidentify {
            throw ValidationError("--date-precision applies to de-identified exports only (add --deidentify); identified exports keep full dates")
        }
        if let participants, Self.ids(participants).isEmpty { throw ValidationError("--participants: name at least one participant id") }
    }

    static func ids(_ list: String) -> [Identifier<Participant>] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { Identifier($0) }
    }

    mutating func run() async throws {
        let command = self
        try await runReportingErrors { try await command.execute() }
    }

    func execute() async throws {
        let folder = URL(fileURLWithPath: output, isDirectory: true).standardizedFileURL
        try Self.checkEmpty(folder)
        let catalog = try source.catalog()
        let url = try database.existingURL(demoFolder: demoFolder)
        // One pass over the program's rows: no map, SQLite's default cache (`SQLiteReadProfile.singlePass`).
        let storage = try await StorageDatabase.open(url: url, logger: CommandLineActor.logger(), sqliteReads: .singlePass)
        do {
            let job = try await DatabaseFailure.wrap(storage.location) {
                try await storage.migrator.migrate()
                return try await export(storage, catalog: catalog, into: folder)
            }
            try await storage.shutdown()
            try print(outputOptions.json ? CLIOutput.jsonString(job) : Self.summary(job))
            if job.status != .done { throw CLIFailure("the export failed: \(job.errorMessage ?? "no reason recorded") (job \(job.id.rawValue))") }
        } catch {
            try? await storage.shutdown()
            throw error
        }
    }

    /// `--output` must be a new folder or an empty one: an export never mixes its files with others.
    static func checkEmpty(_ folder: URL) throws {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        guard files.fileExists(atPath: folder.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else { throw CLIFailure("--output: \(folder.path) is a file, not a folder") }
        let contents = (try? files.contentsOfDirectory(atPath: folder.path)) ?? []
        guard contents.isEmpty else {
            throw CLIFailure("--output: \(folder.path) is not empty (\(contents.count) entries); give a new or empty folder")
        }
    }

    func export(_ storage: StorageDatabase, catalog: ProtocolCatalog, into folder: URL) async throws -> ExportJob {
        let repositories = storage.repositories
        let (requester, role, sites) = try await exporter(repositories)
        let jobs = ExportJobs(repositories: repositories, catalog: catalog, synthetic: try await storage.isDemo())
        var request = ExportRequest(kind: kind, programID: "", deidentify: deidentify, datePrecision: datePrecision ?? .day,
                                    participants: participants.map(Self.ids), sites: sites)
        do {
            try ExportPolicy.check(role: role, request: request)
        } catch {
            throw CLIFailure("--as \(requester.name): \(error.message)")
        }
        do {
            request.programID = try await jobs.program(named: program, field: "--program").id
            try await jobs.checkParticipants(request, field: "--participants")
        } catch let DomainError.invalidValue(field, message) {
            throw CLIFailure("\(field.hasPrefix("--participants") ? "--participants" : field): \(message)")
        }
        let context = AuditContext(actor: requester.actor, requestID: "cli-\(UUIDGenerator().next())")
        let queued = try await jobs.submit(request, id: Identifier(UUIDGenerator().next()), requester: requester, at: Date(), context: context)
        CLIOutput.warn("export \(queued.value.id.rawValue): \(kind.rawValue) of \(program) into \(folder.path)")
        let done = try await jobs.run(queued.value, request: request, folder: folder, context: context, progress: { count in
            CLIOutput.warn("  \(count) participants written")
        })
        return done.value
    }

    /// Who the export is recorded as: `--as` a Restora user (active, with that role and sites), else the
    /// operating-system user as `cli:<login>` with the admin role, as every other command records its writes.
    func exporter(_ repositories: Repositories) async throws -> (ExportJobs.Requester, UserRole, Set<Identifier<Site>>?) {
        guard let asUser else {
            let actor = CommandLineActor.context().actor
            return (ExportJobs.Requester(actor: actor, name: actor.userID), .admin, nil)
        }
        let user: UserAccount
        do {
            user = try await repositories.users.get(username: asUser).value
        } catch RepositoryError.notFound {
            throw CLIFailure("--as: no user \(asUser)")
        }
        guard user.active else { throw CLIFailure("--as: the user \(asUser) is deactivated") }
        let sites = user.role.seesAllSites ? nil : Set(user.siteIDs)
        return (ExportJobs.Requester(actor: user.actor, name: user.username), user.role, sites)
    }

    static func summary(_ job: ExportJob) -> String {
        var lines = ["export \(job.id.rawValue): \(job.kind) of program \(job.programID.rawValue), \(job.status.rawValue)"]
        lines.append("  by \(job.requestedByName) at \(ISO8601DateFormatter().string(from: job.requestedAt))"
            + (job.deidentified ? ", de-identified (dates: \(job.datePrecision))" : ", identified"))
        if let folder = job.folder { lines.append("  folder: \(folder)") }
        if job.status == .done {
            lines.append("  participants: \(job.participantCount)")
            let width = job.files.map(\.name.count).max() ?? 4
            for file in job.files {
                lines.append("  \(file.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(file.rows) rows  \(file.bytes) bytes  sha256 \(file.sha256)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
