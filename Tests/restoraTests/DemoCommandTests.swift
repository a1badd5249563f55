import Foundation
import Logging
import RestoraDemo
import RestoraReports
import RestoraStorage
@testable import RestoraWeb
import Testing
@testable import restora

/// `restora demo --seed-only` and `restora report` over its folder: fresh seed, re-seed over an earlier
/// demo, refusal to touch anything that is not a demo database, and the report from storage.
/// Serialized: the cases share nothing but the machine's two cores, and each seeds a whole clinic.
@Suite(.serialized) struct DemoCommandTests {
    static let protocols = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("protocols").path

    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("restora-demo-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func logger() -> Logger {
        var logger = Logger(label: "restora.tests")
        logger.logLevel = .warning
        return logger
    }

    func seedOnly(_ folder: URL) async throws {
        let command = try DemoCommand.parse(["--folder", folder.path, "--seed-only", "--protocols", Self.protocols])
        try await command.execute()
    }

    @Test func seedsTwiceIntoTheSameFolderAndReportsFromStorage() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent(DemoFolder.databaseName).path
        try await seedOnly(folder)
        #expect(await SQLiteFileKind.inspect(path: database, logger: Self.logger()) == .restoraDemo)
        // A second run replaces the earlier demo database (same folder).
        try await seedOnly(folder)
        #expect(await SQLiteFileKind.inspect(path: database, logger: Self.logger()) == .restoraDemo)

        let report = try ReportCommand.parse(["--demo-folder", folder.path, "--program", "isotretinoin-noa", "--format", "json",
                                              "--protocols", Self.protocols])
        let json = try await report.render()
        #expect(json.contains("11/30 (36.7%, Clopper–Pearson 95% CI 19.9% to 56.1%)"))
        #expect(json.contains("\"synthetic\" : true"))
        #expect(json.contains("SYNTHETIC DEMO DATA"))
        let markdown = try await ReportCommand.parse(["--demo-folder", folder.path, "--program", "msc-osteoporosis",
                                                       "--protocols", Self.protocols]).render()
        #expect(markdown.contains("SYNTHETIC DEMO DATA"))
        // Issue #19: the report prints the audit chain heads to keep (one row per chain, site-less included).
        #expect(markdown.contains("## Audit chain heads"))
        #expect(markdown.contains("| the site-less chain | "))
        #expect(json.contains("\"auditHeads\""))
        try await webAndCommandLineReportTheSameCutOff(folder)
    }

    /// Issue #19: the web report and `restora report` on the same database print the same "data as of", and
    /// say which rule gave it (before, the web app used the server's today and the CLI the demo's today).
    func webAndCommandLineReportTheSameCutOff(_ folder: URL) async throws {
        let cli = try await ReportCommand.parse(["--demo-folder", folder.path, "--program", "isotretinoin-noa",
                                                 "--format", "html", "--protocols", Self.protocols]).render()
        let storage = try await StorageDatabase.open(
            url: "sqlite://" + folder.appendingPathComponent(DemoFolder.databaseName).path, logger: Self.logger())
        do {
            var web = WebConfiguration()
            try await ServeCommand.describeDatabase(storage, in: &web)
            let catalog = try ReportCommand.parse(["--program", "isotretinoin-noa", "--protocols", Self.protocols]).source.catalog()
            let controller = ReportPageController(
                dependencies: WebDependencies(repositories: storage.repositories, logger: Self.logger(), catalog: catalog), config: web)
            let program = try #require(try await storage.repositories.programs.list().map(\.value).first { $0.protocolID == "isotretinoin-noa" })
            let page = HTMLRenderer.render(try await controller.document(program))
            func cutOff(_ html: String) -> String? {
                html.range(of: "data as of ").map { String(html[$0.upperBound...].prefix { $0 != "<" }) }
            }
            let stated = try #require(cutOff(cli))
            #expect(stated.hasPrefix("\(DemoClinic.defaultToday) (the fixed today of the demo clinic"), "\(stated)")
            #expect(cutOff(page) == stated)
        } catch {
            try? await storage.shutdown()
            throw error
        }
        try await storage.shutdown()
    }

    @Test(arguments: ["plain text, not a database\n", "restora", "other-sqlite"])
    func refusesAnythingThatIsNotADemoDatabaseAndLeavesItsBytes(kind: String) async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent(DemoFolder.databaseName).path
        switch kind {
        case "restora":
            // A real (non-demo) Restora database: migrated, not marked.
            let storage = try await StorageDatabase.open(url: "sqlite://" + path, logger: Self.logger())
            try await storage.migrator.migrate()
            try await storage.shutdown()
        case "other-sqlite":
            let storage = try await StorageDatabase.open(url: "sqlite://" + path, logger: Self.logger())
            try await storage.shutdown()   // an SQLite file with no Restora tables
        default:
            try Data(kind.utf8).write(to: URL(fileURLWithPath: path))
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let listing = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        await #expect(throws: (any Error).self) { try await seedOnly(folder) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == listing)
        let refusal = DemoFolder(path: folder.path)
        do {
            _ = try await refusal.prepare(logger: Self.logger())
            Issue.record("prepare accepted a non-demo file")
        } catch let failure as CLIFailure {
            #expect(failure.message.contains("refusing"))
            #expect(failure.message.contains(path))
        }
    }

    @Test func reportNamesAMissingProgramAndAMissingDatabase() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = "sqlite://" + folder.appendingPathComponent("real.sqlite").path
        await #expect(throws: CLIFailure.self) {
            _ = try await ReportCommand.parse(["--database-url", url, "--program", "isotretinoin-noa", "--protocols", Self.protocols]).render()
        }
        let storage = try await StorageDatabase.open(url: url, logger: Self.logger())
        try await storage.migrator.migrate()
        try await storage.shutdown()
        do {
            _ = try await ReportCommand.parse(["--database-url", url, "--program", "isotretinoin-noa", "--protocols", Self.protocols]).render()
            Issue.record("a report of a program that is not in the database")
        } catch let failure as CLIFailure {
            #expect(failure.message.contains("no program runs protocol isotretinoin-noa"))
        }
    }
}
