import SQLKit

/// The dashboard's visits due at 10⁵ participants without reading every listed span (issue #13 item 5; BENCHMARKS.md
/// "Dashboard: the visits-due count kept per day"). SQLite only, like the spans of 0053 it builds on.
///
/// - `visit_due_days`: per site, program and day, how many kept spans start being listed that day (`starting`, their
///   `shown_from`) and how many are listed for the last time that day (`ending`, their `shown_through`; a span with
///   no end never ends). The spans listed on day D are then Σ starting (day ≤ D) − Σ ending (day < D): a sum over the
///   clinic's distinct dates, not over its participants. Triggers on `visit_due_spans` move the counts in the
///   refresher's transaction, so they always equal the kept spans.
/// - `visit_due_spans_order`: the spans in listing order (earliest, then latest), with the columns the filter reads,
///   so the first 100 listed come from an index walk that stops at 100 instead of sorting every listed span.
///
/// Derived data, like 0053's spans: not audited; `m0054_verify` checks the filled counts against the spans.
let m0054_CountVisitDueDays = Migration(
    name: "0054_CountVisitDueDays",
    steps: [
        .engine(sqlite: """
            CREATE TABLE visit_due_days (
                site_id TEXT NOT NULL,
                program_id TEXT NOT NULL,
                day TEXT NOT NULL,
                starting BIGINT NOT NULL DEFAULT 0,
                ending BIGINT NOT NULL DEFAULT 0,
                PRIMARY KEY (site_id, program_id, day)
            ) WITHOUT ROWID
            """, postgres: nil),
        .engine(sqlite: """
            INSERT INTO visit_due_days (site_id, program_id, day, starting, ending)
            SELECT site_id, program_id, day, SUM(starting), SUM(ending) FROM (
                SELECT site_id, program_id, shown_from AS day, 1 AS starting, 0 AS ending FROM visit_due_spans
                UNION ALL
                SELECT site_id, program_id, shown_through, 0, 1 FROM visit_due_spans WHERE shown_through <> '\(VisitDueDayTriggers.openEnd)'
            ) GROUP BY site_id, program_id, day
            """, postgres: nil),
        .engine(sqlite: """
            CREATE INDEX visit_due_spans_order ON visit_due_spans (earliest, latest, shown_from, shown_through, program_id, site_id)
            """, postgres: nil),
    ] + VisitDueDayTriggers.all.map { MigrationStep.engine(sqlite: $0, postgres: nil) })

/// 0054's check (`migrationCode`): on SQLite the filled day counts equal the kept spans'.
@Sendable func m0054_verify(_ db: any SQLDatabase, _ engine: SQLEngine) async throws {
    guard engine == .sqlite else { return }
    let problems = try await db.raw(SQLQueryString(VisitDueDayTriggers.mismatches)).first()?.decode(column: "problems", as: Int.self) ?? 0
    guard problems == 0 else {
        throw StorageError.migrationVerificationFailed(name: m0054_CountVisitDueDays.name, what: "visit-due day counts that differ from the kept spans",
                                                       count: problems)
    }
}

/// SQLite: the triggers that keep `visit_due_days` equal to `visit_due_spans` (an insert counts the span's first and
/// last listed day, a delete uncounts them, an update does both). Rows whose counts fall to zero are removed.
enum VisitDueDayTriggers {
    /// `shown_through` of a span with no end, as the refresher writes it (`SQLDashboardQueries.openEnd` is this
    /// constant): it never ends, so it has no `ending`.
    static let openEnd = "9999-12-31"

    private static func add(_ row: String) -> String {
        """
        INSERT INTO visit_due_days (site_id, program_id, day, starting) VALUES (\(row).site_id, \(row).program_id, \(row).shown_from, 1)
            ON CONFLICT (site_id, program_id, day) DO UPDATE SET starting = starting + 1;
        INSERT INTO visit_due_days (site_id, program_id, day, ending)
            SELECT \(row).site_id, \(row).program_id, \(row).shown_through, 1 WHERE \(row).shown_through <> '\(openEnd)'
            ON CONFLICT (site_id, program_id, day) DO UPDATE SET ending = ending + 1;
        """
    }

    private static func subtract(_ row: String) -> String {
        """
        UPDATE visit_due_days SET starting = starting - 1
            WHERE site_id = \(row).site_id AND program_id = \(row).program_id AND day = \(row).shown_from;
        UPDATE visit_due_days SET ending = ending - 1
            WHERE site_id = \(row).site_id AND program_id = \(row).program_id AND day = \(row).shown_through AND \(row).shown_through <> '\(openEnd)';
        DELETE FROM visit_due_days WHERE site_id = \(row).site_id AND program_id = \(row).program_id
            AND day IN (\(row).shown_from, \(row).shown_through) AND starting = 0 AND ending = 0;
        """
    }

    static let all = [
        "CREATE TRIGGER visit_due_spans_days_insert AFTER INSERT ON visit_due_spans FOR EACH ROW BEGIN \(add("NEW")) END",
        "CREATE TRIGGER visit_due_spans_days_delete AFTER DELETE ON visit_due_spans FOR EACH ROW BEGIN \(subtract("OLD")) END",
        """
        CREATE TRIGGER visit_due_spans_days_update AFTER UPDATE OF site_id, program_id, shown_from, shown_through ON visit_due_spans
        FOR EACH ROW BEGIN \(subtract("OLD")) \(add("NEW")) END
        """,
    ]

    /// One row, `problems`: (site, program, day) whose kept counts differ from the spans counted now.
    static let mismatches = """
        SELECT COUNT(*) AS problems FROM (
            SELECT site_id FROM (
                SELECT site_id, program_id, shown_from AS day, 1 AS starting, 0 AS ending FROM visit_due_spans
                UNION ALL
                SELECT site_id, program_id, shown_through, 0, 1 FROM visit_due_spans WHERE shown_through <> '\(openEnd)'
                UNION ALL
                SELECT site_id, program_id, day, -starting, -ending FROM visit_due_days
            ) GROUP BY site_id, program_id, day
            HAVING SUM(starting) <> 0 OR SUM(ending) <> 0
        ) m
        """
}
