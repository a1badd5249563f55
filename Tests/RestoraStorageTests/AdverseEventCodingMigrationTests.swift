import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

/// Migration 0038 (docs/safety.md): adverse events recorded with free-text terms move forward with nothing
/// lost: the text stays, exact CTCAE v5.0 names (case and surrounding spaces aside) get their MedDRA code and
/// system organ class, the rest stay uncoded, the clock's due date is derived, and the record hashes still
/// verify (each changed row is audited by `system`). On SQLite and PostgreSQL.
@Suite("Adverse events: coding forward (migration 0038)", .serialized)
struct AdverseEventCodingMigrationTests {
    static let name = "0038_CodeAdverseEvents"
    static var before: String {
        let index = allMigrations.firstIndex { $0.name == "0037_RecordHashes" } ?? 1
        return allMigrations[index - 1].name
    }

    static func insertOld(_ db: StorageDatabase, id: String, term: String, seriousness: String = "[]", relatedness: String = "possible",
                          aware: String? = nil) async throws {
        let stamp = StoredJSON.format(Fixture.instant)
        try await db.rawSQL("""
            INSERT INTO adverse_events (id, participant_id, term, grade, seriousness, expected, relatedness, onset, outcome,
                action_taken, sponsor_aware_on, site_id, version, created_at, updated_at)
            VALUES ('\(id)', 'p-1', '\(term)', 2, '\(seriousness)', FALSE, '\(relatedness)', '2026-01-05', 'recovering', 'none',
                \(aware.map { "'\($0)'" } ?? "NULL"), 'site-a', 1, '\(stamp)', '\(stamp)')
            """)
    }

    @Test("free-text terms keep their text; exact names are coded; the due date is derived; records still verify", arguments: TestDatabase.urls)
    func movesForward(url: String) async throws {
        try await TestDatabase.with(url, migrated: false) { db in
            try await db.migrator.migrate(through: Self.before)
            try await TypedObservationMigrationTests.insertOldParticipant(db)
            try await Self.insertOld(db, id: "ae-1", term: "dry skin")
            try await Self.insertOld(db, id: "ae-2", term: "Dry skn")
            try await Self.insertOld(db, id: "ae-3", term: "Anxiety", seriousness: #"["hospitalization"]"#, relatedness: "probable", aware: "2026-01-10")
            try await Self.insertOld(db, id: "ae-4", term: "  HYPERTRIGLYCERIDEMIA ")
            let applied = try await db.migrator.migrate()
            #expect(applied.contains(Self.name))
            let events = try await db.repositories.adverseEvents
            let dry = try await events.get("ae-1").value
            #expect(dry.term == "dry skin", "the recorded text is kept")
            #expect(dry.meddraCode == "10013786" && dry.systemOrganClass == "Skin and subcutaneous tissue disorders" && dry.isCoded)
            let typo = try await events.get("ae-2").value
            #expect(typo.term == "Dry skn" && !typo.isCoded && typo.systemOrganClass == nil)
            let serious = try await events.get("ae-3").value
            #expect(serious.meddraCode == "10002855")
            #expect(serious.reportDueOn == CalendarDate("2026-01-25"))
            #expect(try await events.get("ae-4").value.meddraCode == "10020870")
            // The dashboard's indexed column holds the derived date.
            let clocks = try await db.repositories.dashboard.openReportingClocks(sites: nil, limit: 10)
            #expect(clocks.total == 1 && clocks.rows.first?.event.value.id == "ae-3")
            #expect(try await db.repositories.dashboard.openReportingClocks(sites: ["site-b"], limit: 10).total == 0)
            // Every changed row is vouched for by its migration entry.
            let report = try await db.verifyRecords()
            #expect(report.intact, "\(report.findings)")
            let history = try await db.repositories.audit.history(table: "adverse_events", recordID: "ae-1")
            #expect(history.contains { $0.actor.userID == "system" && $0.changes.contains { $0.field == "meddra_code" && $0.new == "10013786" } })
            #expect(try await db.repositories.audit.history(table: "adverse_events", recordID: "ae-2").allSatisfy { $0.action != .update })
        }
    }

    @Test("a stored event round-trips every new column; the clock column follows submissions", arguments: TestDatabase.urls)
    func roundTrip(url: String) async throws {
        try await TestDatabase.with(url) { db in
            try await TypedObservationMigrationTests.insertOldParticipant(db)
            var event = AdverseEvent(
                id: "ae-9", participantID: "p-1", term: "Infections and infestations - Other, specify", grade: 3,
                seriousness: [.lifeThreatening], relatedness: .definite, onset: CalendarDate("2026-02-26")!,
                sponsorAwareOn: CalendarDate("2026-02-27")!, meddraCode: "10021881", systemOrganClass: "Infections and infestations",
                otherSpecify: "abscess at the harvest site", causalityAssessedBy: "u-inv")
            let created = try await db.repositories.adverseEvents.create(try event.validated(), context: Fixture.coordinator, idempotencyKey: nil)
            #expect(created.value == (try event.validated()))
            #expect(created.value.reportDueOn == CalendarDate("2026-03-06"))
            #expect(try await db.repositories.dashboard.openReportingClocks(sites: ["site-a"], limit: 5).total == 1)
            event.initialReport = ReportSubmission(kind: .initial, submittedOn: CalendarDate("2026-03-01")!, submittedBy: "u-inv", reference: "SR-1")
            let updated = try await db.repositories.adverseEvents.update(try event.validated(), expectedVersion: 1, context: Fixture.editing("submitted"))
            #expect(updated.value.initialReport?.reference == "SR-1" && updated.value.reportDueOn == nil)
            #expect(try await db.repositories.adverseEvents.get("ae-9").value == updated.value)
            #expect(try await db.repositories.dashboard.openReportingClocks(sites: nil, limit: 5).total == 0)
            // (The site and participant were inserted by hand, outside Restora: only the event's rows are judged.)
            let findings = try await db.verifyRecords().findings.filter { $0.table == "adverse_events" }
            #expect(findings.isEmpty, "\(findings)")
        }
    }
}
