import Foundation
import Logging
import RestoraDomain
@testable import RestoraStorage
import SQLKit
import Testing
@testable import restora

/// Issue 12: `restora backup` while the database is being written, `restora restore` checked before and after
/// with the audit chain check, refusals to overwrite, and a tampered backup never restored.
@Suite("Backup and restore", .serialized)
struct BackupRestoreTests {
    static let setup = AuditContext(actor: Actor(userID: "setup", role: "admin"), requestID: "setup")

    static func logger() -> Logger {
        var logger = Logger(label: "restora.tests")
        logger.logLevel = .warning
        return logger
    }

    static func participant(_ n: Int) -> Participant {
        Participant(id: Identifier("p-\(n)"), siteID: "site-a", mrn: "MRN-\(n)", givenName: "Ana", familyName: "Lopez",
                    sex: .female, birthDate: CalendarDate(year: 1980, month: 3, day: 1)!)
    }

    static func failure(_ body: () async throws -> Void) async -> String? {
        do { try await body(); return nil } catch let error as CLIFailure { return error.message } catch { return "\(error)" }
    }

    @Test("a backup taken during writes restores with an intact audit trail and the backup's record counts")
    func backupDuringWritesThenRestore() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restora-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let live = "sqlite://\(folder.path)/live.sqlite", backup = folder.appendingPathComponent("backup.sqlite").path
        let restoredPath = folder.appendingPathComponent("restored.sqlite").path, restored = "sqlite://\(restoredPath)"

        let db = try await StorageDatabase.open(url: live, logger: Self.logger())
        try await db.migrator.migrate()
        _ = try await db.repositories.sites.create(Site(id: "site-a", code: "A", name: "Clinic A"), context: Self.setup, idempotencyKey: nil)
        for n in 0..<5 { _ = try await db.repositories.participants.create(Self.participant(n), context: Self.setup, idempotencyKey: nil) }
        // Writes go on while the backup runs (the same process, another connection: like a serving server).
        let writes = Task {
            for n in 5..<45 { _ = try await db.repositories.participants.create(Self.participant(n), context: Self.setup, idempotencyKey: nil) }
        }
        try await BackupCommand.parse(["--database-url", live, "--output", backup]).execute()
        try await writes.value
        #expect(try await db.count("participants") == 45, "every write went through during the backup")
        try await db.shutdown()

        let copy = try await StorageDatabase.open(url: "sqlite://\(backup)", logger: Self.logger())
        let backupCounts = try await copy.tableCounts().map { "\($0.table)=\($0.rows)" }
        guard case .intact = try await copy.repositories.audit.verify() else { Issue.record("backup audit trail not intact"); return }
        try await copy.shutdown()

        try await RestoreCommand.parse(["--database-url", restored, "--input", backup]).execute()
        let back = try await StorageDatabase.open(url: restored, logger: Self.logger())
        #expect(try await back.tableCounts().map { "\($0.table)=\($0.rows)" } == backupCounts)
        let verification = try await back.repositories.audit.verify()
        if case let .broken(sequence, problem) = verification { Issue.record("restored trail broken at \(sequence): \(problem)") }
        try await back.shutdown()

        // Neither command overwrites without --force.
        let again = await Self.failure { try await BackupCommand.parse(["--database-url", live, "--output", backup]).execute() }
        #expect(again?.contains("refusing to overwrite") == true)
        let over = await Self.failure { try await RestoreCommand.parse(["--database-url", restored, "--input", backup]).execute() }
        #expect(over?.contains("refusing to overwrite") == true)
        try await RestoreCommand.parse(["--database-url", restored, "--input", backup, "--force"]).execute()
    }

    @Test("a backup whose audit trail was tampered with is refused, and the target is left as it was")
    func tamperedBackupIsRefused() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restora-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let live = "sqlite://\(folder.path)/live.sqlite", backup = folder.appendingPathComponent("backup.sqlite").path
        let target = folder.appendingPathComponent("target.sqlite").path
        let db = try await StorageDatabase.open(url: live, logger: Self.logger())
        try await db.migrator.migrate()
        _ = try await db.repositories.sites.create(Site(id: "site-a", code: "A", name: "Clinic A"), context: Self.setup, idempotencyKey: nil)
        for n in 0..<3 { _ = try await db.repositories.participants.create(Self.participant(n), context: Self.setup, idempotencyKey: nil) }
        try await db.shutdown()
        try await BackupCommand.parse(["--database-url", live, "--output", backup]).execute()
        let copy = try await StorageDatabase.open(url: "sqlite://\(backup)", logger: Self.logger())
        try await copy.store.transaction { sql in try await sql.raw("UPDATE audit_log SET actor_id = 'someone-else' WHERE sequence = 2").run() }
        try await copy.shutdown()
        try "keep me".write(toFile: target, atomically: true, encoding: .utf8)
        let refused = await Self.failure {
            try await RestoreCommand.parse(["--database-url", "sqlite://\(target)", "--input", backup, "--force"]).execute()
        }
        #expect(refused?.contains("audit trail BROKEN at entry 2") == true)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep me")
        #expect(!FileManager.default.fileExists(atPath: target + ".restoring"))
    }
}

extension StorageDatabase {
    func count(_ table: String) async throws -> Int {
        try await tableCounts().first { $0.table == table }?.rows ?? 0
    }
}
