import Foundation
import RestoraDomain
@testable import RestoraStorage
import Logging
import SQLKit
import Testing

/// Issue #13 item 3 on the embedded database: with a file in WAL mode, reads run on reader connections and
/// never wait for the writer; a read sees what was committed when it began, never a write in progress.
@Suite("SQLite readers beside the writer", .serialized)
struct ReaderPoolTests {
    struct TimedOut: Error {}

    /// `body` must finish within `seconds`, or this throws `TimedOut` at once instead of waiting for it.
    static func within<R: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> R) async throws -> R {
        let once = Once<R>()
        return try await withCheckedThrowingContinuation { continuation in
            Task {
                do { once.finish(continuation, with: .success(try await body())) } catch { once.finish(continuation, with: .failure(error)) }
            }
            Task {
                try? await Task.sleep(for: .seconds(seconds))
                once.finish(continuation, with: .failure(TimedOut()))
            }
        }
    }

    /// Resumes a continuation with the first result only.
    final class Once<R: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var done = false
        func finish(_ continuation: CheckedContinuation<R, any Error>, with result: Result<R, any Error>) {
            lock.lock()
            defer { lock.unlock() }
            guard !done else { return }
            done = true
            continuation.resume(with: result)
        }
    }

    static func withFileDatabase(
        reads: SQLiteReadProfile = .repeated, _ body: (StorageDatabase) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restora-readers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var logger = Logger(label: "restora.storage.tests")
        logger.logLevel = .warning
        let db = try await StorageDatabase.open(url: "sqlite://\(folder.path)/r.sqlite", logger: logger,
                                                clock: TestDatabase.testClock, hasher: CredentialHasher(bcryptCost: 4),
                                                sqliteReads: reads)
        do {
            try await db.migrator.migrate()
            try await body(db)
            try await db.shutdown()
        } catch {
            try? await db.shutdown()
            throw error
        }
    }

    @Test("a read completes while a write transaction is open, and does not see its uncommitted rows")
    func readDuringWrite() async throws {
        try await Self.withFileDatabase { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.observations.create(Fixture.observation("o-1"), context: Fixture.coordinator, idempotencyKey: nil)
            let seen = try await repos.transaction { tx in
                _ = try await tx.observations.create(Fixture.observation("o-2"), context: Fixture.coordinator, idempotencyKey: nil)
                // The writer holds its transaction open while another request reads: the read must not wait.
                return try await Self.within(5) { try await repos.observations.list(participant: "p-1").map(\.value.id) }
            }
            #expect(seen == ["o-1"])
            #expect(try await repos.observations.list(participant: "p-1").count == 2)
        }
    }

    @Test("many concurrent reads and writes: every acknowledged write is read back, the chain verifies")
    func concurrentReadsAndWrites() async throws {
        try await Self.withFileDatabase { db in
            let repos = try await Fixture.seed(db)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<40 {
                    group.addTask {
                        if i.isMultiple(of: 2) {
                            _ = try await repos.observations.create(Fixture.observation("o-\(i)"), context: Fixture.coordinator, idempotencyKey: nil)
                        } else {
                            _ = try await repos.participants.get("p-1")
                            _ = try await repos.observations.list(participant: "p-1")
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await repos.observations.list(participant: "p-1").count == 20)
            if case .broken = try await repos.audit.verify() { Issue.record("the audit chain does not verify") }
        }
    }

    @Test("a server's readers map the file and every connection caches more than SQLite's default 2 MB; a single pass neither",
          arguments: [SQLiteReadProfile.repeated, .singlePass])
    func readerSettings(profile: SQLiteReadProfile) async throws {
        try await Self.withFileDatabase(reads: profile) { db in
            let store = try #require(db.store as? SQLiteStore)
            func pragma(_ name: String, onWriter: Bool) async throws -> Int {
                let body: @Sendable (any SQLDatabase) async throws -> Int = { sql in
                    try await sql.raw("PRAGMA \(unsafeRaw: name)").first()?.decode(column: name, as: Int.self) ?? 0
                }
                return onWriter ? try await store.onWriter(body) : try await store.read(body)
            }
            #expect(try await pragma("mmap_size", onWriter: false) == (profile == .repeated ? 128 * 1024 * 1024 : 0))
            #expect(try await pragma("mmap_size", onWriter: true) == 0)
            let cache = profile == .repeated ? -8 * 1024 : -2 * 1024
            #expect(try await pragma("cache_size", onWriter: false) == cache)
            #expect(try await pragma("cache_size", onWriter: true) == cache)
            // The raw readers (the report's and exports' bulk reads) are set up alike.
            let raw = try await store.withRawReader { reader -> [Int] in
                var values: [Int] = []
                for name in ["mmap_size", "cache_size"] {
                    try reader.rows(sql: "PRAGMA \(name)", binds: []) { row in
                        if case let .integer(value) = try row.data(at: 0) { values.append(value) }
                    }
                }
                return values
            }
            #expect(raw == [profile.mappedBytes, cache])
        }
    }
}
