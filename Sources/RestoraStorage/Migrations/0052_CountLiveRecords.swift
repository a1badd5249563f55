import SQLKit

/// The dashboard's source-data-verification progress per site counts each site's live records of the seven SDV
/// tables (`SQLSourceVerificationRepository.progressBySite`). Even from an index (0051) that walked one entry per
/// observation: about 40 ms of the dashboard at 10⁴ participants, growing with the database (BENCHMARKS.md
/// "Dashboard and report at scale"). On SQLite the counts are now kept as the rows change: one row per table and
/// site in `live_record_counts`, moved by triggers in the same transaction as the change (a row inserted live, soft
/// deleted or restored, moved to another site, hard deleted), so the dashboard reads seven small rows per site.
///
/// SQLite only: it has one writer, so a counter row adds no contention. On PostgreSQL every transaction that writes
/// a site's observation would wait on that site's counter row until the other commits; there the count stays a
/// query (an index-only scan of 0051's index). The counts are derived data like an index: not audited, and
/// checked against the tables when this migration fills them (`m0052_verifyCounts`) and by `LiveRecordCountTests`.
let m0052_CountLiveRecords = Migration(
    name: "0052_CountLiveRecords",
    steps: [.engine(sqlite: """
        CREATE TABLE live_record_counts (
            site_id TEXT NOT NULL,
            table_name TEXT NOT NULL,
            live BIGINT NOT NULL,
            PRIMARY KEY (site_id, table_name)
        )
        """, postgres: nil)]
        + LiveRecordCounts.tables.flatMap { table in
            LiveRecordCounts.triggers(table).map { MigrationStep.engine(sqlite: $0, postgres: nil) } + [
                .engine(sqlite: """
                    INSERT INTO live_record_counts (site_id, table_name, live)
                    SELECT site_id, '\(table)', COUNT(*) FROM \(table) WHERE deleted_at IS NULL GROUP BY site_id
                    """, postgres: nil),
            ]
        })

/// 0052's check (`migrationCode` in Migration.swift): on SQLite every count equals its table's.
@Sendable func m0052_verifyCounts(_ db: any SQLDatabase, _ engine: SQLEngine) async throws {
    guard engine == .sqlite else { return }
    let problems = try await db.raw(SQLQueryString(LiveRecordCounts.mismatches)).first()?.decode(column: "problems", as: Int.self) ?? 0
    guard problems == 0 else {
        throw StorageError.migrationVerificationFailed(name: m0052_CountLiveRecords.name,
                                                       what: "live record counts that differ from their tables", count: problems)
    }
}

/// The tables whose live rows are counted per site on SQLite, and the triggers that keep the counts.
enum LiveRecordCounts {
    /// The SDV tables (`SQLSourceVerificationRepository.tables`).
    static let tables = ["enrolments", "visits", "observations", "procedures", "adverse_events", "medication_courses", "cell_products"]

    /// Adds `delta` to `table`'s count of `site` (an expression), creating the row at the first live record.
    private static func add(_ table: String, site: String, when condition: String) -> String {
        """
        INSERT INTO live_record_counts (site_id, table_name, live) SELECT \(site), '\(table)', 1 WHERE \(condition)
            ON CONFLICT (site_id, table_name) DO UPDATE SET live = live + 1;
        """
    }

    private static func subtract(_ table: String, site: String, when condition: String) -> String {
        "UPDATE live_record_counts SET live = live - 1 WHERE \(condition) AND site_id = \(site) AND table_name = '\(table)';"
    }

    /// A row inserted live counts; one deleted while live stops counting; an update that soft-deletes, restores or
    /// moves a live row to another site moves its count.
    static func triggers(_ table: String) -> [String] {
        [
            """
            CREATE TRIGGER \(table)_live_count_insert AFTER INSERT ON \(table) FOR EACH ROW WHEN NEW.deleted_at IS NULL
            BEGIN \(add(table, site: "NEW.site_id", when: "true")) END
            """,
            """
            CREATE TRIGGER \(table)_live_count_delete AFTER DELETE ON \(table) FOR EACH ROW WHEN OLD.deleted_at IS NULL
            BEGIN \(subtract(table, site: "OLD.site_id", when: "true")) END
            """,
            """
            CREATE TRIGGER \(table)_live_count_update AFTER UPDATE OF deleted_at, site_id ON \(table) FOR EACH ROW
            WHEN (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL) OR OLD.site_id IS NOT NEW.site_id
            BEGIN
            \(subtract(table, site: "OLD.site_id", when: "OLD.deleted_at IS NULL"))
            \(add(table, site: "NEW.site_id", when: "NEW.deleted_at IS NULL"))
            END
            """,
        ]
    }

    /// One row, `problems`: the (table, site) pairs whose kept count differs from the live rows counted now.
    static var mismatches: String {
        let actual = tables.map { "SELECT site_id, '\($0)' AS table_name, COUNT(*) AS live FROM \($0) WHERE deleted_at IS NULL GROUP BY site_id" }
            .joined(separator: " UNION ALL ")
        return """
            SELECT COUNT(*) AS problems FROM (
                SELECT a.site_id FROM (\(actual)) a
                LEFT JOIN live_record_counts c ON c.site_id = a.site_id AND c.table_name = a.table_name
                WHERE c.live IS NULL OR c.live <> a.live
                UNION ALL
                SELECT c.site_id FROM live_record_counts c
                LEFT JOIN (\(actual)) a ON a.site_id = c.site_id AND a.table_name = c.table_name
                WHERE c.live <> 0 AND a.live IS NULL
            ) m
            """
    }
}
