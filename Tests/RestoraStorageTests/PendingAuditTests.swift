import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

/// A unit of work's audit entries wait for its end and are appended together just before it commits
/// (`PendingAudit`). What must not change: every entry commits with its record or not at all, a rolled-back
/// savepoint takes its entries with it, a read of the audit trail inside the unit of work sees the entries written
/// so far, and a record's entries are in the chain in the order they were written.
@Suite("Audit entries appended when the unit of work ends", .serialized)
struct PendingAuditTests {
    struct Abort: Error {}

    @Test("a read of the trail inside a unit of work sees its entries so far, in write order; all commit with it", arguments: TestDatabase.urls)
    func waitsAndReads(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            let before = try await db.count("audit_log")
            try await repos.transaction { tx in
                let created = try await tx.observations.create(Fixture.observation("o-1"), context: Fixture.coordinator, idempotencyKey: nil)
                var changed = created.value
                changed.value = .quantity(Quantity(160, "mg/dL"))
                _ = try await tx.observations.update(changed, expectedVersion: 1, context: Fixture.editing())
                // The trail read inside the unit of work appends what waits first, so it sees both entries.
                let history = try await tx.audit.history(table: "observations", recordID: "o-1")
                #expect(history.map(\.action) == [.create, .update])
                _ = try await tx.adverseEvents.create(Fixture.adverseEvent(), context: Fixture.coordinator, idempotencyKey: nil)
            }
            let history = try await repos.audit.history(table: "observations", recordID: "o-1")
            #expect(history.map(\.action) == [.create, .update])
            #expect(history.map(\.sequence) == history.map(\.sequence).sorted())
            #expect(try await repos.audit.history(table: "adverse_events", recordID: "ae-1").map(\.action) == [.create])
            #expect(try await db.count("audit_log") == before + 3)
            #expect(try await repos.audit.verify() == .intact(entries: before + 3))
        }
    }

    @Test("a savepoint rolled back after its write drops that write's entry; the rest commits", arguments: TestDatabase.urls)
    func savepointDropsItsEntries(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            let before = try await db.count("audit_log")
            try await repos.transaction { tx in
                _ = try await tx.observations.create(Fixture.observation("o-1"), context: Fixture.coordinator, idempotencyKey: nil)
                // A nested unit of work is a savepoint: its write succeeds, then it fails and is caught.
                await #expect(throws: Abort.self) {
                    try await tx.transaction { inner in
                        _ = try await inner.observations.create(Fixture.observation("o-2"), context: Fixture.coordinator, idempotencyKey: nil)
                        _ = try await inner.adverseEvents.create(Fixture.adverseEvent("ae-2"), context: Fixture.coordinator, idempotencyKey: nil)
                        throw Abort()
                    }
                }
                // A nested unit of work that succeeds shares the outer one's entries (appended at the outer end).
                try await tx.transaction { inner in
                    _ = try await inner.adverseEvents.create(Fixture.adverseEvent("ae-3"), context: Fixture.coordinator, idempotencyKey: nil)
                }
                _ = try await tx.observations.create(Fixture.observation("o-3"), context: Fixture.coordinator, idempotencyKey: nil)
            }
            #expect(try await repos.observations.list(participant: "p-1").map(\.value.id.rawValue).sorted() == ["o-1", "o-3"])
            #expect(try await repos.adverseEvents.list(participant: "p-1").map(\.value.id.rawValue) == ["ae-3"])
            #expect(try await repos.audit.history(table: "observations", recordID: "o-2").isEmpty)
            #expect(try await repos.audit.history(table: "adverse_events", recordID: "ae-2").isEmpty)
            #expect(try await db.count("audit_log") == before + 3)
            #expect(try await repos.audit.verify() == .intact(entries: before + 3))
        }
    }

    @Test("a unit of work that throws after its writes leaves neither records nor entries, and the next one commits", arguments: TestDatabase.urls)
    func failedUnitLeavesNothing(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            let before = try await db.count("audit_log")
            await #expect(throws: Abort.self) {
                try await repos.transaction { tx in
                    _ = try await tx.observations.create(Fixture.observation("o-1"), context: Fixture.coordinator, idempotencyKey: nil)
                    throw Abort()
                }
            }
            #expect(try await db.count("audit_log") == before)
            try await repos.transaction { tx in
                _ = try await tx.observations.create(Fixture.observation("o-2"), context: Fixture.coordinator, idempotencyKey: nil)
            }
            #expect(try await repos.observations.list(participant: "p-1").map(\.value.id.rawValue) == ["o-2"])
            #expect(try await repos.audit.verify() == .intact(entries: before + 1))
        }
    }
}

