import SQLKit

/// The dashboard at 10⁵ participants (issue #13 item 5; BENCHMARKS.md "Dashboard: visits due from kept spans"):
///
/// - `enrolments.enrolled_on`, both engines: the UTC date of the enrolment's first move to `enrolled`, written from
///   the record on every write (`EnrolmentMapping.derivedCells`) and filled here from `enrolment_transitions` the
///   way the dashboard read it until now (`EnrolmentMilestones.firstDate`). The enrolments-by-month chart counts it
///   from an index instead of looking up each enrolment's transitions (0.3 s at 10⁵).
///
/// - On SQLite, the visits each open enrolment has still to have, as spans of dates on which each is listed
///   (`visit_due_spans`, `ScheduleEngine.dueSpans`), kept by `SQLVisitDueCache.refresh` from the participants that
///   `schedule_changes` names: triggers log a participant in the writing transaction whenever what the schedule
///   depends on changes (an observation's date, enrolment, participant or deletion; a visit recorded, missed,
///   edited or deleted; an enrolment's status, transitions, version, program, site or deletion). The dashboard
///   reads the kept spans of everyone not logged and computes the logged participants itself, so what it shows
///   is always exact. `visit_due_cache_state` holds the fingerprint of the protocols and programs the spans were
///   computed with; until the refresher has stored the current one, the dashboard computes every enrolment.
///   SQLite only, like 0052: on PostgreSQL the dashboard keeps computing every candidate (docs/scaling.md).
///   Derived data, like an index: not audited, rebuilt from the records whenever the fingerprint changes.
///
/// - On SQLite, the enrolment counts per site, program, status and month enrolled (`enrolment_counts`) and each
///   enrolment's highest signed consent version (`enrolments.consent_version`), kept by triggers (below): the
///   dashboard's counts, chart and re-consent tasks stop reading every enrolment and consent record.
///
/// - Both engines: a partial index of the open reporting clocks (`adverse_events_open_clocks`), so an admin's list of
///   them reads the open clocks only, not every adverse event.
let m0053_KeepDashboardSchedules = Migration(
    name: "0053_KeepDashboardSchedules",
    steps: [
        .sql("ALTER TABLE enrolments ADD COLUMN enrolled_on TEXT CHECK (enrolled_on IS NULL OR length(enrolled_on) = 10)"),
        .sql("""
            UPDATE enrolments SET enrolled_on = (
                SELECT substr(t.at, 1, 10) FROM enrolment_transitions t
                WHERE t.enrolment_id = enrolments.id AND t.position < enrolments.transition_count AND t.to_status = 'enrolled'
                ORDER BY t.position LIMIT 1)
            """),
        // PostgreSQL counts from this index (covering both counts); SQLite keeps the counts (`enrolment_counts` below).
        .engine(sqlite: nil, postgres: "CREATE INDEX enrolments_program_counts ON enrolments (program_id, status, site_id, enrolled_on) WHERE deleted_at IS NULL"),
        // The open reporting clocks of every site, earliest due first, without reading every adverse event (an admin's
        // dashboard; a site-scoped one uses adverse_events_site_report_due).
        .sql("CREATE INDEX adverse_events_open_clocks ON adverse_events (report_due_on, id) WHERE deleted_at IS NULL AND report_due_on IS NOT NULL"),
        .engine(sqlite: """
            CREATE TABLE enrolment_counts (
                site_id TEXT NOT NULL,
                program_id TEXT NOT NULL,
                status TEXT NOT NULL,
                enrolled_month TEXT NOT NULL,
                n BIGINT NOT NULL,
                PRIMARY KEY (site_id, program_id, status, enrolled_month)
            )
            """, postgres: nil),
        .engine(sqlite: """
            INSERT INTO enrolment_counts (site_id, program_id, status, enrolled_month, n)
            SELECT site_id, program_id, status, COALESCE(substr(enrolled_on, 1, 7), ''), COUNT(*) FROM enrolments
            WHERE deleted_at IS NULL GROUP BY site_id, program_id, status, COALESCE(substr(enrolled_on, 1, 7), '')
            """, postgres: nil),
        .engine(sqlite: "ALTER TABLE enrolments ADD COLUMN consent_version BIGINT NOT NULL DEFAULT 0", postgres: nil),
        .engine(sqlite: """
            UPDATE enrolments SET consent_version = COALESCE((
                SELECT MAX(r.document_version) FROM consent_records r WHERE r.enrolment_id = enrolments.id AND r.deleted_at IS NULL), 0)
            """, postgres: nil),
        .engine(sqlite: "CREATE INDEX enrolments_program_consent ON enrolments (program_id, status, consent_version) WHERE deleted_at IS NULL",
                postgres: nil),
        .engine(sqlite: """
            CREATE TABLE visit_due_spans (
                site_id TEXT NOT NULL,
                enrolment_id TEXT NOT NULL,
                participant_id TEXT NOT NULL,
                program_id TEXT NOT NULL,
                visit_key TEXT NOT NULL,
                visit_index INTEGER NOT NULL,
                title TEXT NOT NULL,
                earliest TEXT NOT NULL,
                latest TEXT NOT NULL,
                shown_from TEXT NOT NULL,
                shown_through TEXT NOT NULL,
                PRIMARY KEY (site_id, enrolment_id, visit_key)
            )
            """, postgres: nil),
        .engine(sqlite: "CREATE INDEX visit_due_spans_shown ON visit_due_spans (shown_through, shown_from, program_id, site_id)", postgres: nil),
        .engine(sqlite: "CREATE INDEX visit_due_spans_participant ON visit_due_spans (participant_id)", postgres: nil),
        .engine(sqlite: """
            CREATE TABLE schedule_changes (
                site_id TEXT NOT NULL,
                participant_id TEXT NOT NULL,
                generation BIGINT NOT NULL,
                PRIMARY KEY (site_id, participant_id)
            )
            """, postgres: nil),
        .engine(sqlite: "CREATE INDEX schedule_changes_participant ON schedule_changes (participant_id)", postgres: nil),
        .engine(sqlite: "CREATE TABLE visit_due_cache_state (fingerprint TEXT NOT NULL)", postgres: nil),
    ] + (ScheduleChangeTriggers.all + EnrolmentCountTriggers.all + ConsentVersionTriggers.all).map { MigrationStep.engine(sqlite: $0, postgres: nil) })

/// 0053's check (`migrationCode`): on SQLite the kept enrolment counts and signed consent versions equal the tables'.
@Sendable func m0053_verify(_ db: any SQLDatabase, _ engine: SQLEngine) async throws {
    guard engine == .sqlite else { return }
    for (what, query) in [("enrolment counts that differ from the enrolments", EnrolmentCountTriggers.mismatches),
                          ("enrolments whose signed consent version differs from their consent records", ConsentVersionTriggers.mismatches)] {
        let problems = try await db.raw(SQLQueryString(query)).first()?.decode(column: "problems", as: Int.self) ?? 0
        guard problems == 0 else {
            throw StorageError.migrationVerificationFailed(name: m0053_KeepDashboardSchedules.name, what: what, count: problems)
        }
    }
}

/// SQLite: live enrolments counted per site, program, status and month enrolled (`enrolment_counts`; '' for not
/// enrolled yet), moved by triggers in the writing transaction like 0052's live-record counts, so the dashboard's
/// status counts and enrolments-by-month chart read a few hundred rows at any clinic size.
enum EnrolmentCountTriggers {
    private static func month(_ row: String) -> String { "COALESCE(substr(\(row).enrolled_on, 1, 7), '')" }

    private static func add(_ row: String) -> String {
        """
        INSERT INTO enrolment_counts (site_id, program_id, status, enrolled_month, n)
            VALUES (\(row).site_id, \(row).program_id, \(row).status, \(month(row)), 1)
            ON CONFLICT (site_id, program_id, status, enrolled_month) DO UPDATE SET n = n + 1;
        """
    }

    private static func subtract(_ row: String) -> String {
        """
        UPDATE enrolment_counts SET n = n - 1 WHERE site_id = \(row).site_id AND program_id = \(row).program_id
            AND status = \(row).status AND enrolled_month = \(month(row));
        """
    }

    static let all = [
        "CREATE TRIGGER enrolments_count_insert AFTER INSERT ON enrolments FOR EACH ROW WHEN NEW.deleted_at IS NULL BEGIN \(add("NEW")) END",
        "CREATE TRIGGER enrolments_count_delete AFTER DELETE ON enrolments FOR EACH ROW WHEN OLD.deleted_at IS NULL BEGIN \(subtract("OLD")) END",
        """
        CREATE TRIGGER enrolments_count_update_old AFTER UPDATE OF deleted_at, site_id, program_id, status, enrolled_on ON enrolments
        FOR EACH ROW WHEN OLD.deleted_at IS NULL BEGIN \(subtract("OLD")) END
        """,
        """
        CREATE TRIGGER enrolments_count_update_new AFTER UPDATE OF deleted_at, site_id, program_id, status, enrolled_on ON enrolments
        FOR EACH ROW WHEN NEW.deleted_at IS NULL BEGIN \(add("NEW")) END
        """,
    ]

    /// One row, `problems`: kept counts that differ from the live enrolments counted now.
    static let mismatches = """
        SELECT COUNT(*) AS problems FROM (
            SELECT a.site_id FROM (SELECT site_id, program_id, status, COALESCE(substr(enrolled_on, 1, 7), '') AS enrolled_month, COUNT(*) AS n
                                   FROM enrolments WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4) a
            LEFT JOIN enrolment_counts c ON c.site_id = a.site_id AND c.program_id = a.program_id AND c.status = a.status
                AND c.enrolled_month = a.enrolled_month
            WHERE c.n IS NULL OR c.n <> a.n
            UNION ALL
            SELECT c.site_id FROM enrolment_counts c
            WHERE c.n <> (SELECT COUNT(*) FROM enrolments e WHERE e.deleted_at IS NULL AND e.site_id = c.site_id AND e.program_id = c.program_id
                          AND e.status = c.status AND COALESCE(substr(e.enrolled_on, 1, 7), '') = c.enrolled_month)
        ) m
        """
}

/// SQLite: each enrolment's highest signed consent document version (`enrolments.consent_version`, 0 for none),
/// recomputed by triggers whenever a consent record is written, so the dashboard's re-consent tasks read only the
/// enrolments behind their program's current version (an index range) instead of grouping every consent record.
/// Derived like `enrolled_on`: not part of the enrolment's audited content.
enum ConsentVersionTriggers {
    private static func recompute(_ row: String) -> String {
        """
        UPDATE enrolments SET consent_version = COALESCE((
            SELECT MAX(r.document_version) FROM consent_records r WHERE r.enrolment_id = enrolments.id AND r.deleted_at IS NULL), 0)
        WHERE id = \(row).enrolment_id;
        """
    }

    static let all = [
        "CREATE TRIGGER consent_records_version_insert AFTER INSERT ON consent_records FOR EACH ROW BEGIN \(recompute("NEW")) END",
        "CREATE TRIGGER consent_records_version_delete AFTER DELETE ON consent_records FOR EACH ROW BEGIN \(recompute("OLD")) END",
        """
        CREATE TRIGGER consent_records_version_update AFTER UPDATE OF enrolment_id, document_version, deleted_at ON consent_records
        FOR EACH ROW BEGIN \(recompute("OLD")) \(recompute("NEW")) END
        """,
    ]

    static let mismatches = """
        SELECT COUNT(*) AS problems FROM enrolments e
        WHERE e.consent_version <> COALESCE((SELECT MAX(r.document_version) FROM consent_records r
                                             WHERE r.enrolment_id = e.id AND r.deleted_at IS NULL), 0)
        """
}

/// The SQLite triggers of 0053 that log a participant in `schedule_changes` when what their schedule depends on
/// changes (`SQLDashboardQueries.visitCandidates` reads exactly these columns).
/// One row per participant: a change inserts it, or bumps its `generation` when the participant is already logged.
/// The refresh computes a participant from a snapshot that holds the row at some generation and removes the row only
/// if it still holds that generation (`SQLDashboardQueries.refreshKeptVisitsDue`): a change after the snapshot keeps
/// the participant logged.
enum ScheduleChangeTriggers {
    private static let bump = "ON CONFLICT (site_id, participant_id) DO UPDATE SET generation = generation + 1;"

    private static func log(site: String, participant: String) -> String {
        "INSERT INTO schedule_changes (site_id, participant_id, generation) VALUES (\(site), \(participant), 1) \(bump)"
    }

    /// A visit names its enrolment; the participant is the enrolment's.
    private static func logVisit(_ row: String) -> String {
        """
        INSERT INTO schedule_changes (site_id, participant_id, generation)
            SELECT e.site_id, e.participant_id, 1 FROM enrolments e WHERE e.id = \(row).enrolment_id \(bump)
        """
    }

    private static func triggers(table: String, columns: String, log: (String) -> String) -> [String] {
        [
            "CREATE TRIGGER \(table)_schedule_insert AFTER INSERT ON \(table) FOR EACH ROW BEGIN \(log("NEW")) END",
            "CREATE TRIGGER \(table)_schedule_delete AFTER DELETE ON \(table) FOR EACH ROW BEGIN \(log("OLD")) END",
            """
            CREATE TRIGGER \(table)_schedule_update AFTER UPDATE OF \(columns) ON \(table) FOR EACH ROW
            BEGIN \(log("OLD")) \(log("NEW")) END
            """,
        ]
    }

    static let all: [String] =
        triggers(table: "observations", columns: "participant_id, enrolment_id, effective, deleted_at, site_id") {
            log(site: "\($0).site_id", participant: "\($0).participant_id")
        }
        + triggers(table: "visits", columns: "enrolment_id, visit_key, status, actual_date, deleted_at, site_id", log: logVisit)
        + triggers(table: "enrolments",
                   columns: "participant_id, program_id, site_id, status, transition_count, protocol_version, deleted_at") {
            log(site: "\($0).site_id", participant: "\($0).participant_id")
        }
}
