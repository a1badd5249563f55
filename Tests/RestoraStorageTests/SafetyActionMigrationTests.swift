import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

/// Migration 0039 (docs/safety-actions.md) moves existing alerts forward: each gets the clinical date of the
/// observation or adverse event that raised it (not the time it was stored); an alert whose source record is
/// gone keeps none. Afterwards a blank acknowledgement comment and an unknown course status are refused by the
/// database itself.
@Suite("Safety actions: migrating alerts forward (0039)", .serialized)
struct SafetyActionMigrationTests {
    /// The last migration that landed before this session's (0037–0040): the schema the rows below are written in.
    static let before = "0036_LinkPrescreenCandidates"

    @Test("existing alerts take the clinical date of their observation or adverse event", arguments: TestDatabase.urls)
    func fillsClinicalDates(url: String) async throws {
        try await TestDatabase.with(url, migrated: false) { db in
            try await db.migrator.migrate(through: Self.before)
            try await TypedObservationMigrationTests.insertOldParticipant(db)
            let stored = StoredJSON.format(Fixture.instant)  // 2026-01-02: when the rows were stored
            try await db.rawSQL("""
                INSERT INTO observations (id, participant_id, site_id, code_system, code, value_kind, value_number, value_unit,
                                          effective, version, created_at, updated_at)
                VALUES ('o-1', 'p-1', 'site-a', 'loinc', '2571-8', 'quantity', 600, 'mg/dL', '2025-12-20T09:00:00Z', 1, '\(stored)', '\(stored)')
                """)
            try await db.rawSQL("""
                INSERT INTO adverse_events (id, participant_id, site_id, term, grade, expected, relatedness, onset, outcome, action_taken,
                                            version, created_at, updated_at)
                VALUES ('ae-1', 'p-1', 'site-a', 'Depression', 3, false, 'possible', '2025-12-15', 'recovering', 'none', 1, '\(stored)', '\(stored)')
                """)
            for (id, source) in [("sa-obs", "'o-1', NULL"), ("sa-ae", "NULL, 'ae-1'"), ("sa-gone", "'o-deleted', NULL")] {
                try await db.rawSQL("""
                    INSERT INTO safety_alerts (id, participant_id, site_id, rule_id, action, message, observation_id, adverse_event_id,
                                               raised_at, status, version, created_at, updated_at)
                    VALUES ('\(id)', 'p-1', 'site-a', 'r', 'holdDrug', 'm', \(source), '\(stored)', 'open', 1, '\(stored)', '\(stored)')
                    """)
            }
            #expect(try await db.migrator.migrate().contains("0039_SafetyActions"))
            let alerts = db.repositories.safetyAlerts
            #expect(try await alerts.get("sa-obs").value.clinicalDate == CalendarDate(year: 2025, month: 12, day: 20))
            #expect(try await alerts.get("sa-ae").value.clinicalDate == CalendarDate(year: 2025, month: 12, day: 15))
            #expect(try await alerts.get("sa-gone").value.clinicalDate == nil)
            #expect(try await alerts.get("sa-obs").value.holdLiftedAt == nil)
            // The dates filled in are audited changes (issue #19): the upgraded database verifies clean, and the
            // filled alerts' latest entry is the migration's update naming the column.
            let verified = try await RecordVerifier(store: db.store).verify(tables: [AuditedTables.of(SafetyAlertMapping.self)])
            #expect(verified.problems == 0, "\(verified)")
            let history = try await db.repositories.audit.history(table: "safety_alerts", recordID: "sa-obs")
            #expect(history.last?.changes.map(\.field) == ["clinical_date"])
            #expect(history.last?.actor.userID == "system")

            // The database refuses a blank comment and a course status it does not know.
            await #expect(throws: (any Error).self) {
                try await db.rawSQL("UPDATE safety_alerts SET acknowledgement_comment = '  ' WHERE id = 'sa-obs'")
            }
            try await db.rawSQL("""
                INSERT INTO medication_courses (id, participant_id, site_id, drug, dose, route, doses_per_period, dose_period, start_date,
                                                status, dispensing_count, version, created_at, updated_at)
                VALUES ('mc-1', 'p-1', 'site-a', '{}', '{}', 'oral', 2, 'day', '2025-12-01', 'active', 0, 1, '\(stored)', '\(stored)')
                """)
            await #expect(throws: (any Error).self) {
                try await db.rawSQL("UPDATE medication_courses SET status = 'paused' WHERE id = 'mc-1'")
            }
            try await db.rawSQL("UPDATE medication_courses SET status = 'held' WHERE id = 'mc-1'")
        }
    }
}
