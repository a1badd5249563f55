import Foundation
import Logging
import RestoraDemo
import RestoraDomain
import RestoraExport
import RestoraReports
import RestoraStorage

/// The demo clinic seeded once per test process into a fresh SQLite database through the repositories
/// (`DemoSeeder`), for every export test that needs real stored records. Use `ExportDemo.get()`; stream a
/// program with `participants(of:)` or `StoredProgramData.stream`.
struct ExportDemo: Sendable {
    let storage: StorageDatabase
    let catalog: ProtocolCatalog

    static let shared = Task<ExportDemo, any Error> { try await seed() }

    static func get() async throws -> ExportDemo { try await shared.value }

    /// The package root (…/Tests/RestoraExportTests/ExportDemoFixture.swift → the root).
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func catalog() throws -> ProtocolCatalog {
        try ProtocolCatalog.load(directory: repositoryRoot.appendingPathComponent("protocols").path)
    }

    /// A new empty temporary folder.
    static func temporaryFolder(_ label: String = "export") throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restora-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func seed() async throws -> ExportDemo {
        let catalog = try catalog()
        let clinic = try DemoClinic.generate(protocols: catalog.protocols)
        var logger = Logger(label: "restora.export.tests")
        logger.logLevel = .warning
        let storage = try await StorageDatabase.open(
            url: "sqlite://" + (try temporaryFolder("export-demo")).appendingPathComponent("demo.sqlite").path,
            logger: logger, hasher: CredentialHasher(bcryptCost: 4))
        try await storage.migrator.migrate()
        try await storage.relaxDurabilityForThrowawayLoad()
        _ = try await DemoSeeder(repositories: storage.repositories, instance: storage.instance, catalog: catalog).seed(clinic)
        return ExportDemo(storage: storage, catalog: catalog)
    }

    /// The stored program running `protocolID` ("isotretinoin-noa", "asc-azoospermia", "msc-osteoporosis").
    func program(_ protocolID: String) async throws -> Program {
        guard let program = try await storage.repositories.programs.list().map(\.value).first(where: { $0.protocolID == protocolID }) else {
            throw ExportError("no stored program runs \(protocolID)")
        }
        return program
    }

    /// Every participant of the program as an identified export sees them, in stream order.
    func participants(of protocolID: String) async throws -> [ProgramParticipantData] {
        var all: [ProgramParticipantData] = []
        try await StoredProgramData.stream(program: try await program(protocolID), repositories: storage.repositories) { all += $0 }
        return all
    }

    /// The export context of the program (identified unless `deidentified`).
    func context(_ protocolID: String, deidentified: Bool = false) async throws -> ExportContext {
        let program = try await program(protocolID)
        return ExportContext(
            program: program, definition: try catalog.definition(for: program), studyID: program.protocolID.uppercased(),
            createdAt: Date(timeIntervalSince1970: 1_764_900_000), sourceSystemVersion: "test",
            deidentified: deidentified, synthetic: true)
    }
}
