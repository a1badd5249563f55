import Foundation
import Logging
import RestoraDomain
import RestoraStorage
import Testing
@testable import restora

/// `restora export` (issue #18, docs/exports.md) run as a user runs it: the built binary, its exit status and
/// output. A package is written and recorded as a done export job with the participants exported; bad input
/// exits 1 with one line naming the option and writes nothing; a user named with --as brings their role and sites.
@Suite struct ExportCommandTests {
    static let setup = AuditContext(actor: Actor(userID: "setup", role: "admin"), requestID: "setup")

    /// Sites A and B, the isotretinoin program, p-1 (A) and p-2 (B) enrolled, a monitor and a data manager of site A.
    static func database(_ folder: URL) async throws -> String {
        let url = "sqlite://\(folder.path)/db.sqlite"
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let db = try await StorageDatabase.open(url: url, logger: logger)
        try await db.migrator.migrate()
        let repos = db.repositories
        for (site, code) in [("site-a", "A"), ("site-b", "B")] {
            _ = try await repos.sites.create(Site(id: Identifier(site), code: code, name: "Clinic \(code)"), context: setup, idempotencyKey: nil)
        }
        _ = try await repos.programs.create(
            Program(id: "prog-iso", protocolID: "isotretinoin-noa", protocolVersion: "1.0", name: "Iso", siteIDs: ["site-a", "site-b"]),
            context: setup, idempotencyKey: nil)
        for (id, site) in [("p-1", "site-a"), ("p-2", "site-b")] {
            _ = try await repos.participants.create(
                Participant(id: Identifier(id), siteID: Identifier(site), mrn: "M-\(id)", givenName: "A", familyName: "B", sex: .male,
                            birthDate: CalendarDate(year: 1980, month: 1, day: 1)!),
                context: setup, idempotencyKey: nil)
            _ = try await repos.enrolments.create(Enrolment(id: Identifier("e-\(id)"), participantID: Identifier(id), programID: "prog-iso",
                                                            siteID: Identifier(site)), context: setup, idempotencyKey: nil)
        }
        _ = try await repos.users.create(UserAccount(id: "u-mon", username: "mona", role: .monitor, siteIDs: ["site-a"]), password: nil, context: setup)
        _ = try await repos.users.create(UserAccount(id: "u-dm", username: "dora", role: .dataManager, siteIDs: ["site-a"]), password: nil, context: setup)
        try await db.shutdown()
        return url
    }

    static func jobs(_ url: String) async throws -> [ExportJob] {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let db = try await StorageDatabase.open(url: url, logger: logger)
        let jobs = try await db.repositories.exportJobs.list(requestedBy: nil, limit: 100).map(\.value)
        try await db.shutdown()
        return jobs
    }

    @Test func aPackageIsWrittenAndRecordedAndBadInputWritesNothing() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restora-export-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try await Self.database(folder)
        func export(_ arguments: [String]) throws -> ProtocolCommandTests.Run {
            try ProtocolCommandTests.run(["export"] + arguments + ["--database-url", url])
        }

        // Refusals: one line naming the option, exit 1, no job and no folder.
        let refusals: [([String], String)] = [
            (["csv", "--program", "no-such", "--output", folder.appendingPathComponent("x").path], "--program: no program no-such"),
            (["csv", "--program", "isotretinoin-noa", "--output", folder.appendingPathComponent("x").path, "--participants", "p-9"],
             "--participants: unknown participant p-9"),
            (["csv", "--program", "isotretinoin-noa", "--output", folder.appendingPathComponent("x").path, "--as", "mona"],
             "may export only de-identified data"),
            (["csv", "--program", "isotretinoin-noa", "--output", folder.appendingPathComponent("x").path, "--as", "dora", "--participants", "p-2"],
             "--participants: unknown participant p-2"),
            (["csv", "--program", "isotretinoin-noa", "--output", folder.appendingPathComponent("x").path, "--as", "nobody"], "--as: no user nobody"),
        ]
        for (arguments, message) in refusals {
            let run = try export(arguments)
            #expect(run.status == 1 && run.stderr.contains(message), "\(arguments): \(run.stderr)")
            #expect(ProtocolCommandTests.noCrash(run))
        }
        let occupied = folder.appendingPathComponent("occupied")
        try FileManager.default.createDirectory(at: occupied, withIntermediateDirectories: true)
        try "x".write(to: occupied.appendingPathComponent("other.txt"), atomically: true, encoding: .utf8)
        let notEmpty = try export(["sdtm", "--program", "prog-iso", "--output", occupied.path])
        #expect(notEmpty.status == 1 && notEmpty.stderr.contains("is not empty"), "\(notEmpty.stderr)")
        let identifiedYear = try export(["csv", "--program", "prog-iso", "--output", folder.appendingPathComponent("x").path, "--date-precision", "year"])
        #expect(identifiedYear.status != 0 && identifiedYear.stderr.contains("--date-precision applies to de-identified exports only"))
        #expect(try await Self.jobs(url).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("x").path))

        // The console operator: every participant; the data manager of site A: p-1 only, recorded under their name.
        let all = try export(["sdtm", "--program", "isotretinoin-noa", "--output", folder.appendingPathComponent("all").path])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stdout.contains("done") && all.stdout.contains("dm.xpt") && all.stdout.contains("participants: 2"), "\(all.stdout)")
        #expect(all.stderr.contains("participants written"))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("all/dm.xpt").path))
        let mine = try export(["csv", "--program", "prog-iso", "--output", folder.appendingPathComponent("mine").path, "--as", "dora", "--json"])
        #expect(mine.status == 0, "\(mine.stderr)")
        let job = try JSONDecoder().decode(Job.self, from: Data(mine.stdout.utf8))
        #expect(job.status == "done" && job.participantCount == 1 && job.requestedByName == "dora")
        let monitor = try export(["odm", "--program", "prog-iso", "--output", folder.appendingPathComponent("mon").path, "--as", "mona",
                                  "--deidentify", "--date-precision", "year"])
        #expect(monitor.status == 0, "\(monitor.stderr)")

        let jobs = try await Self.jobs(url)
        #expect(jobs.count == 3 && jobs.allSatisfy { $0.status == .done })
        #expect(jobs.first { $0.requestedByName == "dora" }?.requestedBy == Actor(userID: "u-dm", role: "data-manager"))
        #expect(jobs.first { $0.requestedByName.hasPrefix("cli:") }?.requestedBy.role == "admin")
        let verify = try ProtocolCommandTests.run(["audit", "verify", "--records", "--database-url", url])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test func theServersExportFolderIsTheSettingElseBesideTheDatabase() throws {
        #expect(ExportDirectory.resolve(nil, database: .sqliteFile(path: "/srv/restora/restora.sqlite")) == "/srv/restora/exports")
        #expect(ExportDirectory.resolve("/data/exports/", database: .sqliteFile(path: "/srv/restora/restora.sqlite")) == "/data/exports")
        #expect(ExportDirectory.resolve(nil, database: .postgres(url: "postgres://x")).hasSuffix("/exports"))
        let flags = RestoraConfig.Flags(databaseURL: nil, host: nil, port: nil, logLevel: nil)
        let environment = ["RESTORA_EXPORT_DIRECTORY": "/from-env"], dotEnv = ["RESTORA_EXPORT_DIRECTORY": "/from-dotenv"]
        #expect(try RestoraConfig.resolve(flags: flags, environment: environment, dotEnv: dotEnv).exportDirectory == "/from-env")
        #expect(try RestoraConfig.resolve(flags: flags, environment: [:], dotEnv: dotEnv).exportDirectory == "/from-dotenv")
        var flagged = flags
        flagged.exportDirectory = "/from-flag"
        #expect(try RestoraConfig.resolve(flags: flagged, environment: environment, dotEnv: dotEnv).exportDirectory == "/from-flag")
        #expect(try RestoraConfig.resolve(flags: flags, environment: [:], dotEnv: [:]).exportDirectory == nil)
    }

    struct Job: Decodable { var status: String; var participantCount: Int; var requestedByName: String }
}
