import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

@Suite("Audit trail", .serialized)
struct AuditTrailTests {
    /// A small trail of two chains: site A and site B created (entries 1 and 2 of the site-less chain), p-1
    /// created and updated (entries 1 and 2 of the chain of site-a).
    func trail(_ db: StorageDatabase) async throws -> Repositories {
        let repos = try await Fixture.seed(db)
        var changed = Fixture.participant()
        changed.familyName = "Durand"
        _ = try await repos.participants.update(changed, expectedVersion: 1, context: Fixture.editing("misspelt surname"))
        return repos
    }

    @Test("an update records only the changed fields, with old and new value, reason and request id", arguments: TestDatabase.urls)
    func compactChanges(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await trail(db)
            let update = try #require(try await repos.audit.history(table: "participants", recordID: "p-1").last)
            #expect(update.action == .update)
            #expect(update.changes == [AuditEntry.Change(field: "family_name", old: "Dupont", new: "Durand")])
            #expect(update.reason == "misspelt surname")
            #expect(update.requestID == "req-2")
            #expect(update.at == TestDatabase.testClock.instant)
        }
    }

    @Test("an intact chain verifies", arguments: TestDatabase.urls)
    func intact(url: String) async throws {
        try await TestDatabase.with(url) { db in
            _ = try await trail(db)
            #expect(try await db.repositories.audit.verify() == .intact(entries: 4))
        }
    }

    @Test("a failing write leaves no audit entry", arguments: TestDatabase.urls)
    func failedWriteNoAudit(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            let before = try await db.count("audit_log")
            // The duplicate MRN fails at the INSERT, after nothing else; the rollback must take the whole transaction.
            _ = try? await repos.participants.create(Fixture.participant("p-2"), context: Fixture.coordinator, idempotencyKey: "retry-1")
            // Appended custody with a stale version fails after the read: nothing may remain either.
            _ = try await repos.cellProducts.create(Fixture.cellProduct(), context: Fixture.coordinator, idempotencyKey: nil)
            let custody = CustodyEvent(kind: .harvested, at: Fixture.instant, actor: Actor(userID: "u-lab"))
            _ = try? await repos.cellProducts.appendCustody(custody, to: "cp-1", expectedVersion: 7, context: Fixture.coordinator)
            // The lot and its two release-test result rows (cell_product_release_tests), one entry each.
            #expect(try await db.count("audit_log") == before + 3)
            #expect(try await db.count("idempotency_keys") == 0)
            #expect(try await db.count("cell_product_custody_events") == 0)
            #expect(try await repos.audit.verify() == .intact(entries: before + 3))
        }
    }

    @Test("changing one field of an entry is detected and named", arguments: TestDatabase.urls)
    func tamperUpdate(url: String) async throws {
        try await TestDatabase.with(url) { db in
            _ = try await trail(db)
            try await db.rawSQL("UPDATE audit_log SET reason = 'nothing to see' WHERE chain_id = 'site-a' AND sequence = 2")
            let result = try await db.repositories.audit.verify()
            guard case let .broken(sequence, problem) = result else { Issue.record("not detected: \(result)"); return }
            #expect(sequence == 2)
            #expect(problem.contains("changed"))
            #expect(problem.hasPrefix("the chain of site site-a: "))
        }
    }

    @Test("deleting an entry is detected and named", arguments: TestDatabase.urls)
    func tamperDelete(url: String) async throws {
        try await TestDatabase.with(url) { db in
            _ = try await trail(db)
            try await db.rawSQL("DELETE FROM audit_log WHERE chain_id = '' AND sequence = 1")
            #expect(try await db.repositories.audit.verify()
                == .broken(sequence: 1, problem: "the site-less chain: entry 1 is missing (deleted); the chain jumps to 2"))
        }
    }

    @Test("deleting the last entry is detected against the chain head", arguments: TestDatabase.urls)
    func tamperDeleteTail(url: String) async throws {
        try await TestDatabase.with(url) { db in
            _ = try await trail(db)
            try await db.rawSQL("DELETE FROM audit_log WHERE chain_id = 'site-a' AND sequence = 2")
            guard case .broken(2, _) = try await db.repositories.audit.verify() else { Issue.record("tail deletion not detected"); return }
        }
    }

    @Test("inserting an entry is detected and named", arguments: TestDatabase.urls)
    func tamperInsert(url: String) async throws {
        try await TestDatabase.with(url) { db in
            _ = try await trail(db)
            // A forged entry at the end, with a hash copied from a real one.
            try await db.rawSQL("""
                INSERT INTO audit_log (chain_id, sequence, at, actor_id, actor_role, action, table_name, record_id, changes, reason, request_id, hash)
                SELECT chain_id, 3, at, 'intruder', actor_role, action, table_name, record_id, changes, reason, request_id, hash
                FROM audit_log WHERE chain_id = 'site-a' AND sequence = 2
                """)
            guard case let .broken(sequence, problem) = try await db.repositories.audit.verify() else {
                Issue.record("insertion not detected"); return
            }
            #expect(sequence == 3)
            #expect(problem.contains("inserted"))
        }
    }

    @Test("user creation never puts the password hash in the audit trail", arguments: TestDatabase.urls)
    func noSecretsInAudit(url: String) async throws {
        try await TestDatabase.with(url) { db in
            _ = try await Fixture.seed(db)
            let user = UserAccount(id: "u-1", username: "alice", role: .coordinator, siteIDs: ["site-a"])
            _ = try await db.repositories.users.create(user, password: "correct horse", context: Fixture.coordinator)
            let token = try await db.repositories.users.issueToken(username: "alice", expiresAt: nil, context: Fixture.coordinator)
            let rows = try await db.store.read { sql in
                try await sql.raw("SELECT COALESCE(changes, '') AS c FROM audit_log").all().map { try $0.decode(column: "c", as: String.self) }
            }
            #expect(!rows.joined().contains("$2"))
            #expect(!rows.joined().contains("correct horse"))
            #expect(!rows.joined().contains(token))
        }
    }
}
