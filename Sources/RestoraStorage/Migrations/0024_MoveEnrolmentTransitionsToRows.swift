/// Enrolment transitions move from the JSON text column `enrolments.transitions` into `enrolment_transitions`,
/// one row per status change (issue 13 item 1), typed and CHECKed; the enrolment keeps `transition_count`, the
/// number of rows it was written with (a reader takes exactly that many, so a parent and its list are read as
/// one state). The move refuses a value that is not a JSON array (a verification failure: nothing changes),
/// checks that every item arrived and that the last transition leads to the enrolment's status, then drops
/// the JSON column. Rows moved from JSON carry the enrolment's `updated_at` as their `created_at`.
let m0024_MoveEnrolmentTransitionsToRows = Migration(name: "0024_MoveEnrolmentTransitionsToRows", steps:
    ChildTableMove.jsonShapeCheck(table: "enrolments", column: "transitions", type: "array", what: "enrolments whose transitions are not a JSON array")
    + [
        ChildTableMove.createTable("enrolment_transitions", parent: "enrolments", parentColumn: "enrolment_id", columns: """
            from_status TEXT NOT NULL CHECK (from_status IN (\(ChildTableMove.enrolmentStatuses))),
            to_status TEXT NOT NULL CHECK (to_status IN (\(ChildTableMove.enrolmentStatuses))),
            actor_id TEXT NOT NULL,
            actor_role TEXT,
            at TEXT NOT NULL,
            reason TEXT NOT NULL,
            """),
    ] + ChildTableMove.moveList(
        parent: "enrolments", column: "transitions", countColumn: "transition_count", child: "enrolment_transitions",
        parentColumn: "enrolment_id", what: "enrolments whose transitions did not all move into enrolment_transitions",
        fields: [("from_status", "from"), ("to_status", "to"), ("actor_id", "actor.userID"), ("actor_role", "actor.role"),
                 ("at", "at"), ("reason", "reason")])
    + [
        .verify(what: "enrolments whose last moved transition does not lead to their status", countQuery: """
            SELECT COUNT(*) AS problems FROM enrolments e
            JOIN enrolment_transitions t ON t.enrolment_id = e.id AND t.position = e.transition_count - 1
            WHERE t.to_status <> e.status
            """),
        .sql("ALTER TABLE enrolments DROP COLUMN transitions"),
    ] + ChildTableMove.cleanUp,
    ifDataConflicts: "a stored transition lacks a field or names an unknown status; correct it with the previous release")

/// What the moves of lists into child tables (migrations 0024–0026) share.
enum ChildTableMove {
    static let enrolmentStatuses = "'prescreened', 'screening', 'eligible', 'screen-failed', 'consented', 'enrolled', 'on-treatment', 'follow-up', 'completed', 'withdrawn', 'lost-to-follow-up'"

    /// PostgreSQL has no `json_valid` before version 16: this session-local function answers the text as
    /// jsonb, or NULL when it is not JSON, so a malformed value is counted instead of aborting the move.
    static let postgresJSONFunction = """
        CREATE OR REPLACE FUNCTION pg_temp.restora_jsonb(t text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
        BEGIN
            RETURN t::jsonb;
        EXCEPTION WHEN others THEN
            RETURN NULL;
        END $$
        """

    /// Steps that stop the migration with `StorageError.migrationVerificationFailed` naming `what` when a
    /// non-NULL value of `table.column` is not JSON of `type` ("array" or "object"). The offending ids are
    /// collected in a temporary table (the check is one engine-neutral query; the JSON tests are not).
    static func jsonShapeCheck(table: String, column: String, type: String, what: String) -> [MigrationStep] {
        [
            .engine(sqlite: "CREATE TEMP TABLE IF NOT EXISTS restora_malformed_json (tbl TEXT, col TEXT, id TEXT)",
                    postgres: "CREATE TEMP TABLE IF NOT EXISTS restora_malformed_json (tbl TEXT, col TEXT, id TEXT) ON COMMIT DROP"),
            .engine(sqlite: nil, postgres: postgresJSONFunction),
            .engine(
                sqlite: """
                INSERT INTO restora_malformed_json SELECT '\(table)', '\(column)', id FROM \(table)
                WHERE \(column) IS NOT NULL AND CASE WHEN json_valid(\(column)) THEN json_type(\(column)) <> '\(type)' ELSE 1 END
                """,
                postgres: """
                INSERT INTO restora_malformed_json SELECT '\(table)', '\(column)', id FROM \(table)
                WHERE \(column) IS NOT NULL AND jsonb_typeof(pg_temp.restora_jsonb(\(column))) IS DISTINCT FROM '\(type)'
                """),
            .verify(what: what, countQuery: """
                SELECT COUNT(*) AS problems FROM restora_malformed_json WHERE tbl = '\(table)' AND col = '\(column)'
                """),
        ]
    }

    /// `CREATE TABLE` of a child table: `id` (`<parent id>:<position>`), the parent's foreign key, `position`
    /// (unique per parent), the item's `columns` (each line ending in a comma), `created_at`, then `constraints`.
    static func createTable(_ name: String, parent: String, parentColumn: String, columns: String, constraints: String = "") -> MigrationStep {
        .sql("""
            CREATE TABLE \(name) (
                id TEXT PRIMARY KEY,
                \(parentColumn) TEXT NOT NULL REFERENCES \(parent)(id),
                position BIGINT NOT NULL CHECK (position >= 0),
            \(columns)
                created_at TEXT NOT NULL,
            \(constraints)
                UNIQUE (\(parentColumn), position))
            """)
    }

    static let cleanUp: [MigrationStep] = [.sql("DROP TABLE IF EXISTS restora_malformed_json")]

    /// Moves the JSON array in `parent.column` into rows of `child`: the parent's `countColumn` (added here)
    /// takes the array's length, each item becomes a row at its position with `fields` (child column, dotted
    /// path in the item, PostgreSQL cast), and a verify step checks that every parent has that many rows.
    /// Moved rows carry the parent's `updated_at` as `created_at`.
    static func moveList(
        parent: String, column: String, countColumn: String, child: String, parentColumn: String, what: String,
        fields: [(column: String, path: String)], postgresCasts: [String: String] = [:]
    ) -> [MigrationStep] {
        let names = (["id", parentColumn, "position"] + fields.map(\.column) + ["created_at"]).joined(separator: ", ")
        let sqliteValues = fields.map { "json_extract(j.value, '$.\($0.path)')" }.joined(separator: ", ")
        let postgresValues = fields.map { field -> String in
            let keys = field.path.split(separator: ".").map { "'\($0)'" }
            let value = "j.v" + keys.dropLast().map { " -> \($0)" }.joined() + " ->> \(keys.last ?? "''")"
            return postgresCasts[field.column].map { "(\(value))::\($0)" } ?? value
        }.joined(separator: ", ")
        return [
            .sql("ALTER TABLE \(parent) ADD COLUMN \(countColumn) BIGINT NOT NULL DEFAULT 0 CHECK (\(countColumn) >= 0)"),
            .engine(
                sqlite: "UPDATE \(parent) SET \(countColumn) = json_array_length(\(column)) WHERE \(column) IS NOT NULL",
                postgres: "UPDATE \(parent) SET \(countColumn) = jsonb_array_length(\(column)::jsonb) WHERE \(column) IS NOT NULL"),
            .engine(
                sqlite: """
                INSERT INTO \(child) (\(names))
                SELECT p.id || ':' || j.key, p.id, j.key, \(sqliteValues), p.updated_at
                FROM \(parent) p, json_each(p.\(column)) j WHERE p.\(column) IS NOT NULL
                """,
                postgres: """
                INSERT INTO \(child) (\(names))
                SELECT p.id || ':' || (j.ord - 1), p.id, j.ord - 1, \(postgresValues), p.updated_at
                FROM \(parent) p CROSS JOIN LATERAL jsonb_array_elements(p.\(column)::jsonb) WITH ORDINALITY AS j(v, ord)
                WHERE p.\(column) IS NOT NULL
                """),
            .verify(what: what, countQuery: """
                SELECT COUNT(*) AS problems FROM \(parent) p
                WHERE p.\(countColumn) <> (SELECT COUNT(*) FROM \(child) c WHERE c.\(parentColumn) = p.id)
                """),
        ]
    }
}
