import Foundation
import RestoraDomain
@testable import RestoraStorage
import SQLKit
import Testing

/// One audit chain per site plus the site-less one (issue #13 item 6, migration 0029).
@Suite("Audit chains per site", .serialized)
struct AuditChainPerSiteTests {
    /// Two sites with a participant each, an adverse event at each.
    func twoSites(_ db: StorageDatabase) async throws -> Repositories {
        let repos = try await Fixture.seed(db)
        _ = try await repos.participants.create(Fixture.participant("p-2", site: "site-b", mrn: "MRN-002"), context: Fixture.coordinator, idempotencyKey: nil)
        _ = try await repos.adverseEvents.create(Fixture.adverseEvent("ae-1", participant: "p-1"), context: Fixture.coordinator, idempotencyKey: nil)
        _ = try await repos.adverseEvents.create(Fixture.adverseEvent("ae-2", participant: "p-2"), context: Fixture.coordinator, idempotencyKey: nil)
        return repos
    }

    func chains(_ db: StorageDatabase) async throws -> [String: AuditVerification] {
        Dictionary(uniqueKeysWithValues: try await SQLAuditLog(store: db.store).verifyEachChain().map { ($0.siteID ?? "", $0.result) })
    }

    @Test("each record's entries join its site's chain; sites and users join the site-less chain", arguments: TestDatabase.urls)
    func entriesJoinTheirSite(url: String) async throws {
        try await TestDatabase.with(url) { db in
            _ = try await twoSites(db)
            #expect(try await chains(db) == ["": .intact(entries: 2), "site-a": .intact(entries: 2), "site-b": .intact(entries: 2)])
            let rows = try await db.store.read { sql in
                try await sql.raw("SELECT chain_id, table_name, record_id FROM audit_log ORDER BY chain_id, sequence").all()
                    .map { "\(try $0.decode(column: "chain_id", as: String.self))/\(try $0.decode(column: "table_name", as: String.self))/\(try $0.decode(column: "record_id", as: String.self))" }
            }
            #expect(rows == ["/sites/site-a", "/sites/site-b", "site-a/participants/p-1", "site-a/adverse_events/ae-1",
                             "site-b/participants/p-2", "site-b/adverse_events/ae-2"])
            // Updates and deletes follow the row's stored site.
            var ae = Fixture.adverseEvent("ae-2", participant: "p-2")
            ae.grade = 2
            _ = try await db.repositories.adverseEvents.update(ae, expectedVersion: 1, context: Fixture.editing("regraded"))
            #expect(try await chains(db)["site-b"] == .intact(entries: 3))
            #expect(try await db.repositories.audit.verify() == .intact(entries: 7))
        }
    }

    @Test("concurrent writers at two sites each get an unbroken chain", arguments: TestDatabase.urls)
    func concurrentWriters(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await twoSites(db)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<40 {
                    let participant = n % 2 == 0 ? "p-1" : "p-2"
                    group.addTask {
                        _ = try await repos.adverseEvents.create(Fixture.adverseEvent("ae-c\(n)", participant: participant),
                                                                 context: Fixture.coordinator, idempotencyKey: nil)
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await chains(db) == ["": .intact(entries: 2), "site-a": .intact(entries: 22), "site-b": .intact(entries: 22)])
        }
    }

    @Test("a writer holding one site's chain head does not hold up another site (PostgreSQL row locks)", arguments: TestDatabase.urls)
    func sitesDoNotWaitForEachOther(url: String) async throws {
        try await TestDatabase.with(url) { db in
            guard db.store.engine == .postgres else { return }  // SQLite has one writer for every chain by design
            let repos = try await twoSites(db)
            let writer = AuditWriter(clock: TestDatabase.testClock)
            try await db.store.transaction { sql in
                // Site A's head stays locked until this transaction ends.
                try await writer.append(sql, action: .update, table: "participants", recordID: "p-1", changes: [],
                                        context: Fixture.editing("held open"), siteID: "site-a")
                let finished = try await Self.finishes(within: .seconds(10)) {
                    _ = try await repos.adverseEvents.create(Fixture.adverseEvent("ae-b", participant: "p-2"),
                                                             context: Fixture.coordinator, idempotencyKey: nil)
                }
                #expect(finished, "a site-b write waited for site-a's chain head")
            }
            #expect(try await chains(db) == ["": .intact(entries: 2), "site-a": .intact(entries: 3), "site-b": .intact(entries: 3)])
        }
    }

    static func finishes(within limit: Duration, _ work: @escaping @Sendable () async throws -> Void) async throws -> Bool {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { try await work(); return true }
            group.addTask { try await Task.sleep(for: limit); return false }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    @Test("tampering in one site's chain is found and named; the other chains still verify", arguments: TestDatabase.urls)
    func tamperOneSite(url: String) async throws {
        try await TestDatabase.with(url) { db in
            _ = try await twoSites(db)
            try await db.rawSQL("UPDATE audit_log SET actor_id = 'someone-else' WHERE chain_id = 'site-b' AND sequence = 2")
            let found = try await chains(db)
            #expect(found[""] == .intact(entries: 2))
            #expect(found["site-a"] == .intact(entries: 2))
            #expect(found["site-b"] == .broken(sequence: 2, problem: "entry 2 does not match its hash (changed or inserted)"))
            #expect(try await db.repositories.audit.verify()
                == .broken(sequence: 2, problem: "the chain of site site-b: entry 2 does not match its hash (changed or inserted)"))
        }
    }

    @Test("deleting, inserting or moving entries in one chain is found in that chain", arguments: TestDatabase.urls)
    func deleteInsertMove(url: String) async throws {
        try await TestDatabase.with(url) { db in
            _ = try await twoSites(db)
            try await db.rawSQL("DELETE FROM audit_log WHERE chain_id = 'site-a' AND sequence = 1")
            #expect(try await chains(db)["site-a"] == .broken(sequence: 1, problem: "entry 1 is missing (deleted); the chain jumps to 2"))
            #expect(try await chains(db)["site-b"] == .intact(entries: 2))
        }
        try await TestDatabase.with(url) { db in
            _ = try await twoSites(db)
            // Site A's whole chain copied under site B's name, head included: a site chain starts at its own genesis.
            try await db.rawSQL("DELETE FROM audit_log WHERE chain_id = 'site-b'")
            try await db.rawSQL("""
                INSERT INTO audit_log (chain_id, sequence, at, actor_id, actor_role, action, table_name, record_id, changes, reason, request_id, hash)
                SELECT 'site-b', sequence, at, actor_id, actor_role, action, table_name, record_id, changes, reason, request_id, hash
                FROM audit_log WHERE chain_id = 'site-a'
                """)
            try await db.rawSQL("UPDATE audit_chain_heads SET last_hash = (SELECT last_hash FROM audit_chain_heads WHERE chain_id = 'site-a') WHERE chain_id = 'site-b'")
            #expect(try await chains(db)["site-b"] == .broken(sequence: 1, problem: "entry 1 does not match its hash (changed or inserted)"))
        }
        try await TestDatabase.with(url) { db in
            _ = try await twoSites(db)
            // An entry under a chain that has no head row at all.
            try await db.rawSQL("""
                INSERT INTO audit_log (chain_id, sequence, at, actor_id, actor_role, action, table_name, record_id, changes, reason, request_id, hash)
                SELECT 'site-x', 1, at, actor_id, actor_role, action, table_name, record_id, changes, reason, request_id, hash
                FROM audit_log WHERE chain_id = 'site-a' AND sequence = 1
                """)
            let found = try await chains(db)
            #expect(found["site-x"] != nil)
            if case .intact = found["site-x"] { Issue.record("an entry of a chain without a head verified") }
        }
    }

    @Test("a database with the one chain of before 0029 migrates forward, still verifies, and new entries start site chains",
          arguments: TestDatabase.urls)
    func legacyChainMigratesForward(url: String) async throws {
        try await TestDatabase.with(url, migrated: false) { db in
            try await db.migrator.migrate(through: "0021_OneOpenEnrolmentPerProgram")
            let stamp = "2026-01-02T00:00:00.000Z"
            let book = "1, '\(stamp)', '\(stamp)'"
            let rows: [(table: String, id: String, sql: String)] = [
                ("sites", "site-a", "INSERT INTO sites (id, code, name, time_zone, version, created_at, updated_at) VALUES ('site-a', 'A', 'Clinic A', 'Europe/Paris', \(book))"),
                ("participants", "p-1", """
                    INSERT INTO participants (id, site_id, mrn, sex, birth_date, search_name, version, created_at, updated_at)
                    VALUES ('p-1', 'site-a', 'MRN-001', 'male', '1990-05-17', 'jean dupont', \(book))
                    """),
                ("programs", "prog-1", """
                    INSERT INTO programs (id, protocol_id, protocol_version, name, site_ids, version, created_at, updated_at)
                    VALUES ('prog-1', 'ISO-AZO', '1.0', 'Isotretinoin', '["site-a"]', \(book))
                    """),
                ("enrolments", "e-1", """
                    INSERT INTO enrolments (id, participant_id, program_id, site_id, status, transitions, version, created_at, updated_at)
                    VALUES ('e-1', 'p-1', 'prog-1', 'site-a', 'prescreened', '[]', \(book))
                    """),
                ("visits", "v-1", """
                    INSERT INTO visits (id, enrolment_id, visit_key, planned_day, window_before, window_after, status, version, created_at, updated_at)
                    VALUES ('v-1', 'e-1', 'week-4', 28, 3, 3, 'scheduled', \(book))
                    """),
                ("adverse_events", "ae-1", """
                    INSERT INTO adverse_events (id, participant_id, term, grade, expected, relatedness, onset, outcome, action_taken, version, created_at, updated_at)
                    VALUES ('ae-1', 'p-1', 'Dry skin', 1, TRUE, 'probable', '2026-01-10', 'recovering', 'none', \(book))
                    """),
            ]
            // The trail as the single-chain writer wrote it: sequence 1…n from 32 zero bytes, head row id 1.
            var previous = AuditChain.genesis
            var statements: [String] = []
            for (n, row) in rows.enumerated() {
                var entry = AuditChain.StoredEntry(
                    sequence: n + 1, at: stamp, actorID: "u-coord", actorRole: "coordinator", action: "create", table: row.table,
                    recordID: row.id, changes: nil, reason: nil, requestID: "req-\(n)", hash: "")
                let hash = AuditChain.hash(previous: previous, entry: entry)
                entry.hash = hash.base64EncodedString()
                previous = hash
                statements.append(row.sql)
                statements.append("""
                    INSERT INTO audit_log (sequence, at, actor_id, actor_role, action, table_name, record_id, changes, reason, request_id, hash)
                    VALUES (\(n + 1), '\(stamp)', 'u-coord', 'coordinator', 'create', '\(row.table)', '\(row.id)', NULL, NULL, 'req-\(n)', '\(entry.hash)')
                    """)
            }
            statements.append("UPDATE audit_chain_head SET last_sequence = \(rows.count), last_hash = '\(previous.base64EncodedString())' WHERE id = 1")
            for statement in statements { try await db.rawSQL(statement) }

            try await db.migrator.migrate()
            // 0037 adds one baseline entry per live row (docs/audit-integrity.md): the site and the program in the
            // site-less chain after the old entries, the participant, enrolment, visit and adverse event in site-a's.
            // (later migrations may add entries of their own to site-a's chain, e.g. 0038 coding the adverse event).
            let found = try await chains(db)
            #expect(found[""] == .intact(entries: rows.count + 2))
            guard case let .intact(siteEntries)? = found["site-a"] else {
                Issue.record("site-a's chain does not verify after the upgrade: \(String(describing: found["site-a"]))")
                return
            }
            #expect(siteEntries >= 4)
            let sites = try await db.store.read { sql in
                try await sql.raw("SELECT (SELECT site_id FROM visits WHERE id = 'v-1') AS v, (SELECT site_id FROM adverse_events WHERE id = 'ae-1') AS a").first()
            }
            #expect(try sites?.decode(column: "v", as: String.self) == "site-a")
            #expect(try sites?.decode(column: "a", as: String.self) == "site-a")

            // New writes: the site's own chain goes on; the old chain goes on as the site-less one.
            _ = try await db.repositories.adverseEvents.create(Fixture.adverseEvent("ae-2", participant: "p-1"), context: Fixture.coordinator, idempotencyKey: nil)
            _ = try await db.repositories.sites.create(Fixture.site("site-b", code: "B"), context: Fixture.coordinator, idempotencyKey: nil)
            #expect(try await chains(db) == ["": .intact(entries: rows.count + 2 + 1), "site-a": .intact(entries: siteEntries + 1)])
            // An old entry changed after the move is still found.
            try await db.rawSQL("UPDATE audit_log SET record_id = 'p-9' WHERE chain_id = '' AND sequence = 2")
            #expect(try await chains(db)[""] == .broken(sequence: 2, problem: "entry 2 does not match its hash (changed or inserted)"))
        }
    }
}
