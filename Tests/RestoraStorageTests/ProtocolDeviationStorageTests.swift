import Foundation
import RestoraDomain
@testable import RestoraStorage
import SQLKit
import Testing

/// Protocol deviations (issue #14, migration 0031) on both engines: typed columns read back exactly, the
/// participant's site and audit chain, appended only, the category checked by the database, and stored in
/// the same transaction as the action they let through.
@Suite("Protocol deviations: storage", .serialized)
struct ProtocolDeviationStorageTests {
    static func deviation(_ id: String = "dev-1", participant: String = "p-1", enrolment: String = "e-1",
                          category: ProtocolDeviation.Category = .eligibility) -> ProtocolDeviation {
        ProtocolDeviation(
            id: Identifier(id), participantID: Identifier(participant), enrolmentID: Identifier(enrolment), category: category,
            rule: "eligibility gate: an eligible screening verdict on protocol ISO-AZO v1.0", field: "to",
            reason: "PHQ-9 re-scored after the visit; the investigator judged the participant eligible",
            recordKind: "enrolments", recordID: enrolment, protocolID: "ISO-AZO", protocolVersion: "1.0",
            signedBy: Actor(userID: "u-inv", role: "investigator"), signedAt: Fixture.instant)
    }

    /// Site A with p-1 enrolled in prog-1 (e-1); site B with p-2 enrolled (e-2).
    static func seed(_ db: StorageDatabase) async throws -> Repositories {
        let repos = try await Fixture.seed(db)
        var program = Fixture.program()
        program.siteIDs = ["site-a", "site-b"]
        _ = try await repos.programs.create(program, context: Fixture.coordinator, idempotencyKey: nil)
        _ = try await repos.participants.create(Fixture.participant("p-2", site: "site-b", mrn: "MRN-002"), context: Fixture.coordinator, idempotencyKey: nil)
        _ = try await repos.enrolments.create(Enrolment(id: "e-1", participantID: "p-1", programID: "prog-1", siteID: "site-a"),
                                              context: Fixture.coordinator, idempotencyKey: nil)
        _ = try await repos.enrolments.create(Enrolment(id: "e-2", participantID: "p-2", programID: "prog-1", siteID: "site-b"),
                                              context: Fixture.coordinator, idempotencyKey: nil)
        return repos
    }

    @Test("a deviation round-trips through typed columns, with the participant's site, audited in its site's chain",
          arguments: TestDatabase.urls)
    func roundTrip(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Self.seed(db)
            var withoutRecord = Self.deviation("dev-2", participant: "p-2", enrolment: "e-2", category: .visitSchedule)
            withoutRecord.recordKind = nil
            withoutRecord.recordID = nil
            withoutRecord.signedBy = Actor(userID: "u-inv-b")
            let context = AuditContext(actor: Actor(userID: "u-inv", role: "investigator"), requestID: "req-d")
            _ = try await repos.deviations.create(Self.deviation(), context: context, idempotencyKey: nil)
            _ = try await repos.deviations.create(withoutRecord, context: context, idempotencyKey: nil)
            #expect(try await repos.deviations.get("dev-1").value == Self.deviation())
            #expect(try await repos.deviations.list(participant: "p-2").map(\.value) == [withoutRecord])
            #expect(try await repos.deviations.list(participants: ["p-1", "p-2"]).map(\.value.id).sorted() == ["dev-1", "dev-2"])
            let stored = try await db.store.read { sql in
                try await sql.raw("SELECT id, site_id, category, signed_by_user, signed_by_role, record_kind FROM protocol_deviations ORDER BY id").all()
                    .map { row in
                        try ["id", "site_id", "category", "signed_by_user", "signed_by_role", "record_kind"]
                            .map { try row.decode(column: $0, as: String?.self) ?? "-" }.joined(separator: "|")
                    }
            }
            #expect(stored == ["dev-1|site-a|eligibility|u-inv|investigator|enrolments", "dev-2|site-b|visit-schedule|u-inv-b|-|-"])
            let history = try await repos.audit.history(table: "protocol_deviations", recordID: "dev-1")
            #expect(history.map(\.action) == [.create])
            #expect(history.first?.actor == Actor(userID: "u-inv", role: "investigator") && history.first?.requestID == "req-d")
            let chains = Dictionary(uniqueKeysWithValues: try await SQLAuditLog(store: db.store).verifyEachChain().map { ($0.siteID ?? "", $0.result) })
            let chained = try await db.store.read { sql in
                try await sql.raw("SELECT chain_id FROM audit_log WHERE table_name = 'protocol_deviations' ORDER BY record_id").all()
                    .map { try $0.decode(column: "chain_id", as: String.self) }
            }
            #expect(chained == ["site-a", "site-b"])
            #expect(chains["site-a"] != nil && chains["site-b"] != nil)
            #expect(try await repos.audit.verify() == .intact(entries: try await db.count("audit_log")))
        }
    }

    @Test("a signed deviation is never edited or deleted: both refused, nothing written", arguments: TestDatabase.urls)
    func appendOnly(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Self.seed(db)
            _ = try await repos.deviations.create(Self.deviation(), context: Fixture.coordinator, idempotencyKey: nil)
            let audit = try await db.count("audit_log")
            var edited = Self.deviation()
            edited.reason = "changed my mind"
            await #expect(throws: DomainError.self) {
                try await repos.deviations.update(edited, expectedVersion: 1, context: Fixture.editing())
            }
            await #expect(throws: DomainError.self) {
                try await repos.deviations.delete("dev-1", expectedVersion: 1, context: Fixture.editing())
            }
            let stored = try await repos.deviations.get("dev-1")
            #expect(stored.value == Self.deviation() && stored.version == 1)
            #expect(try await db.count("audit_log") == audit)
        }
    }

    @Test("the database refuses an unknown category, an empty reason, a deviation without a participant", arguments: TestDatabase.urls)
    func constraints(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Self.seed(db)
            _ = try await repos.deviations.create(Self.deviation(), context: Fixture.coordinator, idempotencyKey: nil)
            await #expect(throws: (any Error).self) {
                try await db.rawSQL("UPDATE protocol_deviations SET category = 'visitSchedule' WHERE id = 'dev-1'")
            }
            await #expect(throws: (any Error).self) {
                try await db.rawSQL("UPDATE protocol_deviations SET reason = '' WHERE id = 'dev-1'")
            }
            await #expect(throws: (any Error).self) {
                try await db.rawSQL("UPDATE protocol_deviations SET site_id = NULL WHERE id = 'dev-1'")
            }
            var orphan = Self.deviation("dev-9", participant: "p-gone")
            orphan.enrolmentID = "e-1"
            await #expect(throws: RepositoryError.unknownReference(kind: "protocol deviation")) {
                try await repos.deviations.create(orphan, context: Fixture.coordinator, idempotencyKey: nil)
            }
            #expect(try await db.count("protocol_deviations") == 1)
        }
    }

    @Test("a transition and its deviation are one transaction: a refused deviation leaves the enrolment unmoved",
          arguments: TestDatabase.urls)
    func oneTransaction(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Self.seed(db)
            let audit = try await db.count("audit_log")
            await #expect(throws: (any Error).self) {
                try await repos.transaction { tx in
                    _ = try await tx.enrolments.transition("e-1", to: .screening, at: Fixture.instant, expectedVersion: 1,
                                                           context: Fixture.editing("booked"))
                    var bad = Self.deviation()
                    bad.enrolmentID = "no-such-enrolment"
                    _ = try await tx.deviations.create(bad, context: Fixture.coordinator, idempotencyKey: nil)
                }
            }
            #expect(try await repos.enrolments.get("e-1").version == 1)
            #expect(try await db.count("protocol_deviations") == 0)
            #expect(try await db.count("audit_log") == audit)
            try await repos.transaction { tx in
                _ = try await tx.enrolments.transition("e-1", to: .screening, at: Fixture.instant, expectedVersion: 1,
                                                       context: Fixture.editing("booked"))
                _ = try await tx.deviations.create(Self.deviation(), context: Fixture.coordinator, idempotencyKey: nil)
            }
            #expect(try await repos.enrolments.get("e-1").value.status == .screening)
            #expect(try await repos.deviations.list(participant: "p-1").count == 1)
        }
    }
}
