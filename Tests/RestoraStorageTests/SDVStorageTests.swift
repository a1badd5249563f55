import Foundation
import RestoraDomain
@testable import RestoraStorage
import SQLKit
import Testing

/// Source data verification and data-query threads in storage (issue #16 item 5, migration 0046) on both engines:
/// marks and thread steps are audited rows in the participant's site chain and vouched for by
/// `audit verify --records`; progress counted in SQL agrees with the rule the pages apply (`ParticipantSDV`); a
/// later change of a record resets its verification; the database refuses a malformed mark.
@Suite("SDV and query threads: storage", .serialized)
struct SDVStorageTests {
    static let monitor = AuditContext(actor: Actor(userID: "u-mon", role: "monitor"), requestID: "req-sdv")

    static func mark(_ id: String, kind: String = "observations", record: String = "o-1", version: Int = 1, field: String? = nil,
                     participant: String = "p-1") -> SourceVerificationMark {
        SourceVerificationMark(id: Identifier(id), participantID: Identifier(participant), recordKind: kind, recordID: record, field: field,
                               recordVersion: version, scope: field == nil ? .record : .field, verifiedBy: monitor.actor,
                               verifiedAt: Fixture.instant, note: nil)
    }

    static func seed(_ db: StorageDatabase) async throws -> Repositories {
        let repos = try await Fixture.seed(db)
        _ = try await repos.participants.create(Fixture.participant("p-2", site: "site-b", mrn: "MRN-B"), context: Fixture.coordinator, idempotencyKey: nil)
        _ = try await repos.observations.create(Fixture.observation("o-1"), context: Fixture.coordinator, idempotencyKey: nil)
        _ = try await repos.observations.create(Fixture.observation("o-2", value: 160), context: Fixture.coordinator, idempotencyKey: nil)
        _ = try await repos.adverseEvents.create(Fixture.adverseEvent("ae-1"), context: Fixture.coordinator, idempotencyKey: nil)
        _ = try await repos.observations.create(Fixture.observation("o-9", participant: "p-2"), context: Fixture.coordinator, idempotencyKey: nil)
        return repos
    }

    @Test("marks round-trip; SQL progress per participant and per site equals the pages' rule; a change resets verification",
          arguments: TestDatabase.urls)
    func progressAndReset(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Self.seed(db)
            let stored = try await repos.sourceVerifications.record(
                [Self.mark("m-1"), Self.mark("m-2", record: "o-2", field: "value"), Self.mark("m-3", kind: "adverse-events", record: "ae-1")],
                context: Self.monitor)
            #expect(stored.map(\.value) == [Self.mark("m-1"), Self.mark("m-2", record: "o-2", field: "value"), Self.mark("m-3", kind: "adverse-events", record: "ae-1")])
            #expect(try await repos.sourceVerifications.list(participant: "p-1").count == 3)
            // p-1: o-1, o-2, ae-1; whole-record marks on o-1 and ae-1 (a field mark does not verify the record).
            #expect(try await repos.sourceVerifications.progress(participant: "p-1") == SDVProgress(total: 3, verified: 2, changed: 0))
            let sdv = ParticipantSDV(records: try await SourceRecords.load("p-1", in: repos), marks: try await repos.sourceVerifications.list(participant: "p-1"))
            #expect(sdv.progress == SDVProgress(total: 3, verified: 2, changed: 0))
            #expect(sdv.verification(kind: "observations", id: "o-2")?.fields.map(\.state) == [.verified])

            // A correction of o-1 moves its version on: changed since verified, in SQL and in the rule alike.
            var corrected = try await repos.observations.get("o-1").value
            corrected.value = .quantity(Quantity(151, "mg/dL"))
            _ = try await repos.observations.update(corrected, expectedVersion: 1, context: Fixture.editing())
            #expect(try await repos.sourceVerifications.progress(participant: "p-1") == SDVProgress(total: 3, verified: 1, changed: 1))
            let after = ParticipantSDV(records: try await SourceRecords.load("p-1", in: repos), marks: try await repos.sourceVerifications.list(participant: "p-1"))
            #expect(after.progress == SDVProgress(total: 3, verified: 1, changed: 1))
            #expect(after.verification(kind: "observations", id: "o-1")?.state == .changedSinceVerified)
            // Per site too (counted from the marks, not row by row): changed, not verified.
            #expect(try await repos.sourceVerifications.progressBySite(sites: ["site-a"])
                == [SiteSDVProgress(siteID: "site-a", progress: SDVProgress(total: 3, verified: 1, changed: 1))])
            // Verified again at the new version: verified; the old mark stays.
            _ = try await repos.sourceVerifications.record([Self.mark("m-4", version: 2)], context: Self.monitor)
            #expect(try await repos.sourceVerifications.progress(participant: "p-1") == SDVProgress(total: 3, verified: 2, changed: 0))

            // Per site, only the sites asked for; p-2 at site-b has one unverified observation.
            let all = try await repos.sourceVerifications.progressBySite(sites: nil)
            #expect(all == [SiteSDVProgress(siteID: "site-a", progress: SDVProgress(total: 3, verified: 2, changed: 0)),
                            SiteSDVProgress(siteID: "site-b", progress: SDVProgress(total: 1, verified: 0, changed: 0))])
            #expect(try await repos.sourceVerifications.progressBySite(sites: ["site-b"]).map(\.siteID) == ["site-b"])
            // A mark on p-2's observation counts at site-b only, asked for alone or with site-a; twice marked, once counted.
            _ = try await repos.sourceVerifications.record(
                [Self.mark("m-5", record: "o-9", participant: "p-2"), Self.mark("m-6", record: "o-9", participant: "p-2")], context: Self.monitor)
            let siteB = SiteSDVProgress(siteID: "site-b", progress: SDVProgress(total: 1, verified: 1, changed: 0))
            #expect(try await repos.sourceVerifications.progressBySite(sites: ["site-b"]) == [siteB])
            #expect(try await repos.sourceVerifications.progressBySite(sites: ["site-a", "site-b"])
                == [SiteSDVProgress(siteID: "site-a", progress: SDVProgress(total: 3, verified: 2, changed: 0)), siteB])
            #expect(try await repos.sourceVerifications.progress(participant: "p-2") == SDVProgress(total: 1, verified: 1, changed: 0))
            #expect(try await repos.sourceVerifications.progressBySite(sites: []).isEmpty)

            // Audited in the participant's site chain and vouched for by the record hashes.
            let chains = try await db.store.read { sql in
                try await sql.raw("SELECT chain_id FROM audit_log WHERE table_name = 'source_verifications'").all()
                    .map { try $0.decode(column: "chain_id", as: String.self) }
            }
            #expect(chains.sorted() == Array(repeating: "site-a", count: 4) + ["site-b", "site-b"])
            #expect(try await repos.audit.verify() == .intact(entries: try await db.count("audit_log")))
            #expect(try await db.verifyRecords().findings.isEmpty)
        }
    }

    @Test("the database refuses a malformed mark: a field scope without a field, an unknown kind, version 0", arguments: TestDatabase.urls)
    func malformedMarksRefused(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Self.seed(db)
            var noField = Self.mark("m-1")
            noField.scope = .field
            var unknownKind = Self.mark("m-2")
            unknownKind.recordKind = "participants"
            var zero = Self.mark("m-3")
            zero.recordVersion = 0
            for bad in [noField, unknownKind, zero] {
                await #expect(throws: (any Error).self) { try await repos.sourceVerifications.record([bad], context: Self.monitor) }
            }
            // A batch is all or nothing.
            await #expect(throws: (any Error).self) {
                try await repos.sourceVerifications.record([Self.mark("m-4"), zero], context: Self.monitor)
            }
            #expect(try await repos.sourceVerifications.list(participant: "p-1").isEmpty)
        }
    }

    @Test("a query's thread is appended in order, audited in its site chain, and counted as waiting per site and participant",
          arguments: TestDatabase.urls)
    func threads(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Self.seed(db)
            for (id, participant) in [("q-1", "p-1"), ("q-2", "p-1"), ("q-3", "p-2")] {
                _ = try await repos.queries.create(
                    DataQuery(id: Identifier(id), participantID: Identifier(participant), question: "unit?", raisedBy: Self.monitor.actor,
                              raisedAt: Fixture.instant),
                    context: Self.monitor, idempotencyKey: nil)
            }
            let site = Actor(userID: "u-coord", role: "coordinator")
            let steps = [DataQueryMessage(kind: .answered, text: "mg/dL", by: site, at: Fixture.instant),
                         DataQueryMessage(kind: .reopened, text: "the lab sheet says mmol/L", by: Self.monitor.actor, at: Fixture.instant)]
            try await repos.queryThreads.append([steps[0]], to: "q-1", context: Fixture.coordinator)
            try await repos.queryThreads.append([steps[1]], to: "q-1", context: Self.monitor)
            #expect(try await repos.queryThreads.messages(of: ["q-1", "q-2"]) == ["q-1": steps])
            // A re-opening without a note is refused by the table too.
            await #expect(throws: (any Error).self) {
                try await repos.queryThreads.append([DataQueryMessage(kind: .reopened, text: " ", by: Self.monitor.actor, at: nil)], to: "q-1", context: Self.monitor)
            }
            var answered = try await repos.queries.get("q-2").value
            answered.status = .answered
            _ = try await repos.queries.update(answered, expectedVersion: 1, context: Fixture.coordinator)
            let perSite = try await repos.queryThreads.openCounts(sites: nil, perSite: true, limit: 10)
            #expect(perSite == [OpenQueryCount(siteID: "site-a", participantID: nil, open: 1, answered: 1),
                                OpenQueryCount(siteID: "site-b", participantID: nil, open: 1, answered: 0)])
            let perParticipant = try await repos.queryThreads.openCounts(sites: ["site-a"], perSite: false, limit: 10)
            #expect(perParticipant == [OpenQueryCount(siteID: "site-a", participantID: "p-1", open: 1, answered: 1)])
            let entries = try await db.store.read { sql in
                try await sql.raw("SELECT record_id, chain_id FROM audit_log WHERE table_name = 'data_query_messages' ORDER BY sequence").all()
                    .map { "\(try $0.decode(column: "record_id", as: String.self))@\(try $0.decode(column: "chain_id", as: String.self))" }
            }
            #expect(entries == ["q-1:0@site-a", "q-1:1@site-a"])
            // The query's history includes its thread's rows.
            let history = try await repos.audit.history(table: "data_queries", recordID: "q-1")
            #expect(history.count >= 3)
            #expect(try await db.verifyRecords().findings.isEmpty)
        }
    }
}
