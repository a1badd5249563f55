import RestoraDomain
import SQLKit

/// Safety that acts (issue #15 item 4) and what was closed stays readable (issue #19):
/// - `safety_alerts.clinical_date`: the clinical date of what raised the alert (the observation's date, the
///   adverse event's onset), filled here from the source record for every existing alert; the verify step rolls
///   the migration back if an alert whose source record exists is left without one;
/// - `safety_alerts.acknowledgement_comment`: why the investigator closed the alert (required from now on);
/// - `safety_alerts.hold_lifted_by/_at/_reason`: an investigator lifted the hold the alert put on treatment;
/// - `medication_courses.held_by_alert_id/held_on`: the alert holding the course and the clinical date;
/// - `enrolments.treatment_discontinued_on/_reason/_alert_id`: treatment stopped for good by a stop rule;
/// - `data_queries.closed_by/_at/close_note`: who closed a query, when and why.
/// CHECKs refuse blank texts (a comment or reason is either absent or says something) and keep the one
/// enumeration touched, the course status, to its values (`held` is what a hold writes).
let m0039_SafetyActions = Migration(
    name: "0039_SafetyActions",
    steps: [
        .sql("ALTER TABLE safety_alerts ADD COLUMN clinical_date TEXT CHECK (clinical_date IS NULL OR length(clinical_date) = 10)"),
        .sql("ALTER TABLE safety_alerts ADD COLUMN acknowledgement_comment TEXT CHECK (acknowledgement_comment IS NULL OR length(trim(acknowledgement_comment)) > 0)"),
        .sql("ALTER TABLE safety_alerts ADD COLUMN hold_lifted_by TEXT"),
        .sql("ALTER TABLE safety_alerts ADD COLUMN hold_lifted_at TEXT"),
        .sql("ALTER TABLE safety_alerts ADD COLUMN hold_lift_reason TEXT CHECK (hold_lift_reason IS NULL OR length(trim(hold_lift_reason)) > 0)"),
        .sql("""
            UPDATE safety_alerts SET clinical_date =
                (SELECT substr(o.effective, 1, 10) FROM observations o WHERE o.id = safety_alerts.observation_id)
            WHERE observation_id IS NOT NULL
            """),
        .sql("""
            UPDATE safety_alerts SET clinical_date =
                (SELECT e.onset FROM adverse_events e WHERE e.id = safety_alerts.adverse_event_id)
            WHERE clinical_date IS NULL AND adverse_event_id IS NOT NULL
            """),
        .verify(what: "safety alerts whose source record exists but whose clinical date could not be read from it",
                countQuery: """
                    SELECT COUNT(*) AS problems FROM safety_alerts a
                    WHERE a.clinical_date IS NULL
                      AND (EXISTS (SELECT 1 FROM observations o WHERE o.id = a.observation_id)
                           OR EXISTS (SELECT 1 FROM adverse_events e WHERE e.id = a.adverse_event_id))
                    """),
        .sql("ALTER TABLE medication_courses ADD COLUMN held_by_alert_id TEXT REFERENCES safety_alerts(id)"),
        .sql("ALTER TABLE medication_courses ADD COLUMN held_on TEXT CHECK (held_on IS NULL OR length(held_on) = 10)"),
        .sql("ALTER TABLE enrolments ADD COLUMN treatment_discontinued_on TEXT CHECK (treatment_discontinued_on IS NULL OR length(treatment_discontinued_on) = 10)"),
        .sql("ALTER TABLE enrolments ADD COLUMN treatment_discontinuation_reason TEXT CHECK (treatment_discontinuation_reason IS NULL OR length(trim(treatment_discontinuation_reason)) > 0)"),
        .sql("ALTER TABLE enrolments ADD COLUMN treatment_discontinuation_alert_id TEXT REFERENCES safety_alerts(id)"),
        .sql("ALTER TABLE data_queries ADD COLUMN closed_by TEXT"),
        .sql("ALTER TABLE data_queries ADD COLUMN closed_at TEXT"),
        .sql("ALTER TABLE data_queries ADD COLUMN close_note TEXT CHECK (close_note IS NULL OR length(trim(close_note)) > 0)"),
        .verify(what: "medication courses with a status other than planned, active, held, stopped or completed",
                countQuery: "SELECT COUNT(*) AS problems FROM medication_courses WHERE status NOT IN ('planned', 'active', 'held', 'stopped', 'completed')"),
        .engine(sqlite: """
            CREATE TRIGGER medication_courses_status_check_insert BEFORE INSERT ON medication_courses
            FOR EACH ROW WHEN NEW.status NOT IN ('planned', 'active', 'held', 'stopped', 'completed')
            BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: medication_courses.status'); END
            """, postgres: """
            ALTER TABLE medication_courses ADD CONSTRAINT medication_courses_status_check
            CHECK (status IN ('planned', 'active', 'held', 'stopped', 'completed'))
            """),
        .engine(sqlite: """
            CREATE TRIGGER medication_courses_status_check_update BEFORE UPDATE OF status ON medication_courses
            FOR EACH ROW WHEN NEW.status NOT IN ('planned', 'active', 'held', 'stopped', 'completed')
            BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: medication_courses.status'); END
            """, postgres: nil),
    ],
    ifDataConflicts: "a safety alert's observation or adverse event has no readable date, or a course has an unknown status: correct the row, then migrate again")

/// The clinical dates 0039 fills change existing alert rows after 0037 hashed them: each such alert gets an
/// `update` entry by the system with its new record hash, so `audit verify --records` still finds every row
/// as its latest entry says (docs/audit-integrity.md: a migration that changes rows writes their entries).
@Sendable func m0039_auditFilledDates(_ db: any SQLDatabase, _ engine: SQLEngine) async throws {
    try await RecordBaseline.writeChanged(
        db, table: AuditedTables.of(SafetyAlertMapping.self), column: "clinical_date",
        context: AuditContext(actor: Actor(userID: "system", role: nil), requestID: "migration-0039",
                              reason: "migration 0039: the alert's clinical date read from its observation or adverse event"))
}
