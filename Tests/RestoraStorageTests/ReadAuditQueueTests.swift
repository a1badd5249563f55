import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

/// Issue #13 item 4: opening a record reads on a reader and its `read` entry rides the next commit; many
/// concurrent reads share one flush transaction; a read that cannot be logged is not shown.
@Suite("Audited reads ride the next commit", .serialized)
struct ReadAuditQueueTests {
    @Test("200 concurrent openings leave 200 read entries, committed in far fewer transactions", arguments: TestDatabase.urls)
    func groupedReads(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            let before = await db.readAudit.flushed
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<200 {
                    group.addTask {
                        let context = AuditContext(actor: Actor(userID: "u-\(n)", role: "monitor"), requestID: "req-\(n)")
                        let opened = try await repos.participants.open("p-1", context: context)
                        #expect(opened.value.id == "p-1")
                    }
                }
                try await group.waitForAll()
            }
            await db.flushReadAudit()
            let reads = try await repos.audit.history(table: "participants", recordID: "p-1").filter { $0.action == .read }
            #expect(reads.count == 200)
            #expect(Set(reads.map(\.actor.userID)).count == 200)
            #expect(Set(reads.map(\.requestID)) == Set((0..<200).map { "req-\($0)" }))
            let after = await db.readAudit.flushed
            #expect(after.entries - before.entries == 200)
            #expect(after.transactions - before.transactions < 200)
            #expect(try await repos.audit.verify() == .intact(entries: try await db.count("audit_log")))
        }
    }

    @Test("opening a record that does not exist logs nothing", arguments: TestDatabase.urls)
    func missingRecord(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            let entries = try await db.count("audit_log")
            await #expect(throws: RepositoryError.self) { _ = try await repos.participants.open("p-nobody", context: Fixture.coordinator) }
            await db.flushReadAudit()
            #expect(try await db.count("audit_log") == entries)
        }
    }

    @Test("inside a unit of work the read entry commits with the transaction, and rolls back with it", arguments: TestDatabase.urls)
    func insideUnitOfWork(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await repos.transaction { tx in
                    _ = try await tx.participants.open("p-1", context: Fixture.coordinator)
                    throw Abort()
                }
            }
            _ = try await repos.transaction { tx in try await tx.participants.open("p-1", context: Fixture.coordinator) }
            await db.flushReadAudit()
            let reads = try await repos.audit.history(table: "participants", recordID: "p-1").filter { $0.action == .read }
            #expect(reads.count == 1)
        }
    }

    /// SQLite only: the failure is injected with an SQLite trigger that refuses every audit insert.
    @Test("while read entries cannot be committed, openings fail instead of showing an unlogged record; the queue recovers")
    func failingFlush() async throws {
        try await ReaderPoolTests.withFileDatabase { db in
            let repos = try await Fixture.seed(db)
            try await db.rawSQL("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk full'); END")
            // The first opening is shown (its entry is queued), the flush fails and the queue turns unhealthy.
            _ = try await repos.participants.open("p-1", context: Fixture.coordinator)
            await db.flushReadAudit()
            #expect(await db.readAudit.isHealthy == false)
            #expect(await db.readAudit.pendingCount == 1)
            // Now an opening must log in its own transaction, which fails: the record is not shown.
            await #expect(throws: (any Error).self) { _ = try await repos.participants.open("p-1", context: Fixture.coordinator) }
            // Once audit inserts work again, the retry commits the queued entry and openings are queued again.
            try await db.rawSQL("DROP TRIGGER refuse_audit")
            try await Self.eventually {
                let healthy = await db.readAudit.isHealthy
                let pending = await db.readAudit.pendingCount
                return healthy && pending == 0
            }
            _ = try await repos.participants.open("p-1", context: Fixture.coordinator)
            await db.flushReadAudit()
            let reads = try await repos.audit.history(table: "participants", recordID: "p-1").filter { $0.action == .read }
            #expect(reads.count == 2)
            #expect(try await repos.audit.verify() == .intact(entries: try await db.count("audit_log")))
        }
    }

    struct NeverHappened: Error {}

    /// Polls `condition` every 50 ms for up to 5 s.
    static func eventually(_ condition: () async -> Bool) async throws {
        for _ in 0..<100 {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw NeverHappened()
    }
}
