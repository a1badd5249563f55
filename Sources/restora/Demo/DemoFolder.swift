import Foundation
import Logging
import RestoraDemo
import RestoraDomain
import RestoraStorage

/// The folder `restora demo` keeps its database in. Only a database Restora marked as a demo
/// (`restora_instance.kind = demo`, migration 0018) is ever replaced; anything else of that name is left
/// byte for byte as it was and the command refuses.
struct DemoFolder {
    static let databaseName = "restora-demo.sqlite"

    let folder: URL

    init(path: String) {
        folder = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
    }

    var databasePath: String { folder.appendingPathComponent(Self.databaseName).path }
    var databaseURL: String { "sqlite://" + databasePath }

    /// Makes the folder and clears an earlier demo database. Returns true when one was replaced.
    func prepare(logger: Logger) async throws -> Bool {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        if files.fileExists(atPath: folder.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw CLIFailure("--folder \(folder.path) is a file, not a folder; choose another --folder")
        }
        do {
            try files.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw CLIFailure("cannot create the demo folder \(folder.path): \(error.localizedDescription)")
        }
        guard files.fileExists(atPath: databasePath, isDirectory: &isDirectory) else { return false }
        if isDirectory.boolValue {
            throw CLIFailure("\(databasePath) is a folder, not a Restora demo database; refusing to touch it (choose another --folder)")
        }
        let kind = await SQLiteFileKind.inspect(path: databasePath, logger: logger)
        guard kind == .restoraDemo else {
            throw CLIFailure("\(databasePath) is \(Self.describe(kind)), not a Restora demo database; refusing to replace it. Choose another --folder, or move that file away yourself.")
        }
        for suffix in ["", "-wal", "-shm", "-journal"] where files.fileExists(atPath: databasePath + suffix) {
            do {
                try files.removeItem(atPath: databasePath + suffix)
            } catch {
                throw CLIFailure("cannot remove the old demo database \(databasePath + suffix): \(error.localizedDescription)")
            }
        }
        return true
    }

    static func describe(_ kind: SQLiteFileKind) -> String {
        switch kind {
        case .restoraDemo: return "a Restora demo database"
        case .restora: return "a Restora database with real (non-demo) data"
        case .otherDatabase: return "an SQLite database of another application"
        case .notDatabase: return "not an SQLite database"
        }
    }

    /// A fresh demo database: prepared folder, migrations, the synthetic clinic seeded through the repositories.
    /// `participants`: the total wanted (nil: the default clinic alone); more than the default clinic adds
    /// generated participants (`DemoScaledClinic`, from `seed`), each seeded before the next is made.
    /// Refused before anything on disk is touched when fewer than the default clinic's.
    func createAndSeed(catalog: ProtocolCatalog, logger: Logger, participants: Int? = nil,
                       seed: UInt64 = DemoClinic.defaultSeed, progress: (@Sendable (DemoSeeder.Summary) -> Void)? = nil)
        async throws -> DemoSeedResult {
        let clinic: DemoClinic
        do {
            clinic = try DemoClinic.generate(protocols: catalog.protocols)
        } catch {
            throw CLIFailure("cannot build the demo clinic from the protocols in \(catalog.directory): \(error)")
        }
        var scaled: DemoScaledClinic?
        if let participants {
            guard participants >= clinic.participants.count else {
                throw CLIFailure("--participants \(participants) is fewer than the default demo clinic's \(clinic.participants.count) participants; give \(clinic.participants.count) or more (the default clinic is always seeded whole)")
            }
            do {
                scaled = try DemoScaledClinic(base: clinic, protocols: catalog.protocols, total: participants, seed: seed)
            } catch {
                throw CLIFailure("cannot scale the demo clinic to \(participants) participants: \(error)")
            }
        }
        let replaced = try await prepare(logger: logger)
        let storage = try await StorageDatabase.open(url: databaseURL, logger: logger)
        do {
            let started = ContinuousClock.now
            let summary = try await DatabaseFailure.wrap(storage.location) {
                try await storage.migrator.migrate()
                try await storage.relaxDurabilityForThrowawayLoad()
                let seeder = DemoSeeder(repositories: storage.repositories, instance: storage.instance, catalog: catalog)
                let summary = try await seeder.seed(clinic, scaled: scaled, progress: progress)
                try await storage.restoreDurability()   // what is served afterwards is synced at every commit
                return summary
            }
            let elapsed = ContinuousClock.now - started
            return DemoSeedResult(storage: storage, replaced: replaced, summary: summary, clinic: clinic, elapsed: elapsed)
        } catch {
            try? await storage.shutdown()
            throw error
        }
    }
}

/// The opened, seeded database and what the seed did.
struct DemoSeedResult {
    let storage: StorageDatabase
    let replaced: Bool
    let summary: DemoSeeder.Summary
    let clinic: DemoClinic
    let elapsed: Duration
}
