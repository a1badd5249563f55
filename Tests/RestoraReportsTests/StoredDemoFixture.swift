import Foundation
import Logging
import RestoraDemo
import RestoraDomain
import RestoraReports
import RestoraStorage

/// The demo clinic seeded once per test process into a fresh SQLite database through the repositories
/// (`DemoSeeder`), and helpers to load programs back from it (`StoredProgramData`).
struct StoredDemo: Sendable {
    let storage: StorageDatabase
    let catalog: ProtocolCatalog
    let summary: DemoSeeder.Summary
    let seedSeconds: Double

    static let shared = Task<StoredDemo, any Error> { try await seed() }

    static func get() async throws -> StoredDemo { try await shared.value }

    static func logger() -> Logger {
        var logger = Logger(label: "restora.reports.tests")
        logger.logLevel = .warning
        return logger
    }

    static func catalog() throws -> ProtocolCatalog {
        try ProtocolCatalog.load(directory: ReportFixture.repositoryRoot.appendingPathComponent("protocols").path)
    }

    /// A migrated, empty database in a new temporary folder (low bcrypt cost: tests only).
    static func emptyDatabase() async throws -> StorageDatabase {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restora-reports-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let storage = try await StorageDatabase.open(
            url: "sqlite://" + folder.appendingPathComponent("demo.sqlite").path, logger: logger(),
            hasher: CredentialHasher(bcryptCost: 4))
        try await storage.migrator.migrate()
        return storage
    }

    static func seed() async throws -> StoredDemo {
        let catalog = try catalog()
        let clinic = try DemoClinic.generate(protocols: catalog.protocols)
        let storage = try await emptyDatabase()
        try await storage.relaxDurabilityForThrowawayLoad()
        let started = Date()
        let summary = try await DemoSeeder(repositories: storage.repositories, instance: storage.instance, catalog: catalog).seed(clinic)
        return StoredDemo(storage: storage, catalog: catalog, summary: summary, seedSeconds: Date().timeIntervalSince(started))
    }

    /// The program running `protocolID`, as stored.
    func program(_ protocolID: String) async throws -> Program {
        try require(try await storage.repositories.programs.list().map(\.value).first { $0.protocolID == protocolID },
                    "no stored program runs \(protocolID)")
    }

    func dataset(_ protocolID: String) async throws -> ProgramDataset {
        try await StoredProgramData.load(
            programID: try await program(protocolID).id, repositories: storage.repositories, catalog: catalog,
            asOf: DemoClinic.defaultToday, synthetic: try await storage.isDemo())
    }
}
