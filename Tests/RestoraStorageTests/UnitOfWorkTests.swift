import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

/// One clinical action, one transaction (`Repositories.transaction`), on both engines: everything the body
/// wrote — records and audit entries — commits together or not at all; a refused inner write is undone alone
/// (a savepoint) and leaves the transaction usable, which PostgreSQL would otherwise refuse.
@Suite("Unit of work: one transaction per clinical action", .serialized)
struct UnitOfWorkTests {
    struct Abort: Error {}

    @Test("an error leaving the body rolls back every write and audit entry", arguments: TestDatabase.urls)
    func rollsBack(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            let auditBefore = try await db.count("audit_log")
            await #expect(throws: Abort.self) {
                try await repos.transaction { tx in
                    _ = try await tx.observations.create(Fixture.observation("o-1"), context: Fixture.coordinator, idempotencyKey: nil)
                    _ = try await tx.adverseEvents.create(Fixture.adverseEvent(), context: Fixture.coordinator, idempotencyKey: nil)
                    // Reads inside the transaction see its own writes.
                    #expect(try await tx.observations.list(participant: "p-1").count == 1)
                    throw Abort()
                }
            }
            #expect(try await repos.observations.list(participant: "p-1").isEmpty)
            #expect(try await repos.adverseEvents.list(participant: "p-1").isEmpty)
            #expect(try await db.count("audit_log") == auditBefore)
            #expect(try await repos.audit.verify() == .intact(entries: auditBefore))
        }
    }

    @Test("a refused inner write is undone alone; the rest commits with an intact chain", arguments: TestDatabase.urls)
    func savepoint(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            let auditBefore = try await db.count("audit_log")
            try await repos.transaction { tx in
                _ = try await tx.cellProducts.create(Fixture.cellProduct("cp-1", lot: "LOT-1"), context: Fixture.coordinator, idempotencyKey: nil)
                await #expect(throws: RepositoryError.duplicate(kind: "cell product", field: "lot")) {
                    try await tx.cellProducts.create(Fixture.cellProduct("cp-2", lot: "LOT-1"), context: Fixture.coordinator, idempotencyKey: nil)
                }
                _ = try await tx.cellProducts.create(Fixture.cellProduct("cp-3", lot: "LOT-3"), context: Fixture.coordinator, idempotencyKey: nil)
            }
            #expect(try await repos.cellProducts.list(participant: "p-1").map(\.value.lot).sorted() == ["LOT-1", "LOT-3"])
            // Two lots, each with its two release-test result rows (cell_product_release_tests): 2 × 3 entries.
            #expect(try await repos.audit.verify() == .intact(entries: auditBefore + 6))
        }
    }

    @Test("a semen panel is one action: a value refused midway leaves nothing of the panel", arguments: TestDatabase.urls)
    func panel(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            let entry = ClinicalEntry(repositories: repos, catalog: ProtocolCatalog(directory: "", protocols: []), ids: UUIDGenerator())
            let auditBefore = try await db.count("audit_log")
            var refused = Fixture.observation("o-3")
            refused.visitID = "no-such-visit"
            await #expect(throws: DomainError.self) {
                try await entry.recordPanel([(Fixture.observation("o-1"), nil), (Fixture.observation("o-2"), nil), (refused, nil)],
                                            context: Fixture.coordinator)
            }
            #expect(try await repos.observations.list(participant: "p-1").isEmpty)
            #expect(try await db.count("audit_log") == auditBefore)
            let stored = try await entry.recordPanel([(Fixture.observation("o-1"), "k1"), (Fixture.observation("o-2"), "k2")], context: Fixture.coordinator)
            #expect(stored.map(\.stored.value.id) == ["o-1", "o-2"])
            // The same panel sent again (same keys) stores nothing twice.
            _ = try await entry.recordPanel([(Fixture.observation("o-1"), "k1"), (Fixture.observation("o-2"), "k2")], context: Fixture.coordinator)
            #expect(try await repos.observations.list(participant: "p-1").count == 2)
            #expect(try await repos.audit.verify() == .intact(entries: auditBefore + 2))
        }
    }

    @Test("a panel refused at its write (a reused key, a duplicate id) throws the refusal itself and writes nothing", arguments: TestDatabase.urls)
    func panelRefusedAtWrite(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            let entry = ClinicalEntry(repositories: repos, catalog: ProtocolCatalog(directory: "", protocols: []), ids: UUIDGenerator())
            _ = try await entry.recordPanel([(Fixture.observation("o-1"), "k1")], context: Fixture.coordinator)
            let auditBefore = try await db.count("audit_log")
            // The key of o-1 sent again with another value: refused as `record` refuses it, not as a batch item.
            await #expect(throws: RepositoryError.idempotencyKeyReused(key: "k1")) {
                try await entry.recordPanel([(Fixture.observation("o-2"), nil), (Fixture.observation("o-3", value: 151), "k1")],
                                            context: Fixture.coordinator)
            }
            // An id already stored, without a key: the duplicate, and o-4 before it is not kept.
            await #expect(throws: RepositoryError.duplicate(kind: "observation", field: "id")) {
                try await entry.recordPanel([(Fixture.observation("o-4"), nil), (Fixture.observation("o-1"), nil)], context: Fixture.coordinator)
            }
            #expect(try await repos.observations.list(participant: "p-1").map(\.value.id) == ["o-1"])
            #expect(try await db.count("audit_log") == auditBefore)
            #expect(try await repos.audit.verify() == .intact(entries: auditBefore))
        }
    }
}
