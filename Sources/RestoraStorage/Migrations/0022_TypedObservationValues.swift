/// Issue 13 item 1: an observation's value and specimen as typed columns instead of JSON text, so SQL can
/// filter and aggregate values (all ALT values above 3× ULN…) and rows decode without a JSON round trip.
///
/// The move, on both engines, inside the migration's one transaction:
/// 1. the typed columns are added, nullable and unchecked;
/// 2. each row's JSON `value` / `specimen` is copied into them — text that is not JSON, an unknown value kind,
///    a field of the wrong JSON type or an unknown pellet finding leaves the typed column NULL instead of
///    failing, so that
/// 3. the verify step counts every row whose typed columns miss or disagree with its JSON (a value kind not
///    found, a kind's column NULL, a JSON key that has no column — counted by comparing the number of keys with
///    the number of non-NULL columns); any such row rolls the whole migration back (the database stays at
///    0021 and the error names the problem);
/// 4. (migration 0023) the constraints are put in place and the JSON columns dropped. PostgreSQL alters the table in place;
///    SQLite cannot add a CHECK or NOT NULL to an existing column, so it rebuilds the table (no other table
///    references observations) and recreates its index.
///
/// The index `observations_participant_code (participant_id, code_system, code, effective)` still serves
/// "all of one participant's values of one code" and is kept as it is.
let m0022_TypedObservationValues = Migration(name: "0022_TypedObservationValues", steps:
    TypedObservationSQL.addColumns.map(MigrationStep.sql)
    + [
        .engine(sqlite: nil, postgres: TypedObservationSQL.postgresTryJSON),
        .engine(sqlite: TypedObservationSQL.sqliteMoveKind, postgres: TypedObservationSQL.postgresMove),
        .engine(sqlite: TypedObservationSQL.sqliteMoveValues, postgres: nil),
        .engine(sqlite: TypedObservationSQL.sqliteMoveSpecimen, postgres: nil),
    ]
    + TypedObservationSQL.verifySteps)

/// The statements of 0022, spelled out once (the migration is the only user; never edit them once landed).
enum TypedObservationSQL {
    static let kinds = ["quantity", "coded", "integer", "boolean", "text"]
    static let pelletFindings = ["no-sperm", "non-motile-sperm", "motile-sperm"]

    /// Value columns and the kind that uses each (value_display is optional for coded values).
    static let valueColumns: [(name: String, type: String, kind: String, required: Bool)] = [
        ("value_number", "DOUBLE PRECISION", "quantity", true), ("value_unit", "TEXT", "quantity", true),
        ("value_system", "TEXT", "coded", true), ("value_code", "TEXT", "coded", true),
        ("value_display", "TEXT", "coded", false), ("value_integer", "BIGINT", "integer", true),
        ("value_boolean", "BOOLEAN", "boolean", true), ("value_text", "TEXT", "text", true),
    ]

    /// Specimen columns with the JSON key each comes from and its JSON type on SQLite / PostgreSQL.
    static let specimenColumns: [(name: String, type: String, key: String)] = [
        ("specimen_type", "TEXT", "type"), ("specimen_collected", "TEXT", "collected"),
        ("specimen_centrifuged", "BOOLEAN", "centrifuged"), ("centrifugation_g", "DOUBLE PRECISION", "centrifugationG"),
        ("centrifugation_minutes", "DOUBLE PRECISION", "centrifugationMinutes"),
        ("pellet_examined", "BOOLEAN", "pelletExamined"), ("pellet_finding", "TEXT", "pelletFinding"),
        ("abstinence_days", "BIGINT", "abstinenceDays"), ("specimen_note", "TEXT", "note"),
    ]

    static let addColumns: [String] =
        ["ALTER TABLE observations ADD COLUMN value_kind TEXT"]
        + valueColumns.map { "ALTER TABLE observations ADD COLUMN \($0.name) \($0.type)" }
        + specimenColumns.map { "ALTER TABLE observations ADD COLUMN \($0.name) \($0.type)" }

    static func quoted(_ values: [String]) -> String { values.map { "'\($0)'" }.joined(separator: ", ") }

    /// "How many of these columns are set", as SQL both engines evaluate.
    static func setCount(_ columns: [String]) -> String {
        columns.map { "(CASE WHEN \($0) IS NULL THEN 0 ELSE 1 END)" }.joined(separator: " + ")
    }

    /// Each kind sets its own columns and no other.
    static let valueShape: String = kinds.map { kind in
        let parts = valueColumns.compactMap { column -> String? in
            if column.kind != kind { return "\(column.name) IS NULL" }
            return column.required ? "\(column.name) IS NOT NULL" : nil
        }
        return "(value_kind = '\(kind)' AND " + parts.joined(separator: " AND ") + ")"
    }.joined(separator: " OR ")

    /// Specimen details need the specimen type.
    static let specimenShape: String =
        "specimen_type IS NOT NULL OR (" + specimenColumns.dropFirst().map { "\($0.name) IS NULL" }.joined(separator: " AND ") + ")"

    // MARK: SQLite

    /// The kind, only where `value` is a JSON object with exactly one key of the right JSON type.
    static let sqliteMoveKind = """
        UPDATE observations SET value_kind = CASE WHEN json_valid(value) AND json_type(value) = 'object' THEN
            CASE WHEN (SELECT COUNT(*) FROM json_each(observations.value)) <> 1 THEN NULL
                 WHEN json_type(value, '$.quantity') = 'object' THEN 'quantity'
                 WHEN json_type(value, '$.coded') = 'object' THEN 'coded'
                 WHEN json_type(value, '$.integer') = 'integer' THEN 'integer'
                 WHEN json_type(value, '$.boolean') IN ('true', 'false') THEN 'boolean'
                 WHEN json_type(value, '$.text') = 'text' THEN 'text'
            END END
        """

    static let sqliteMoveValues = """
        UPDATE observations SET
            value_number = CASE WHEN value_kind = 'quantity' AND json_type(value, '$.quantity.value') IN ('integer', 'real')
                THEN json_extract(value, '$.quantity.value') END,
            value_unit = CASE WHEN value_kind = 'quantity' AND json_type(value, '$.quantity.unit') = 'text'
                THEN json_extract(value, '$.quantity.unit') END,
            value_system = CASE WHEN value_kind = 'coded' AND json_type(value, '$.coded.system') = 'text'
                THEN json_extract(value, '$.coded.system') END,
            value_code = CASE WHEN value_kind = 'coded' AND json_type(value, '$.coded.code') = 'text'
                THEN json_extract(value, '$.coded.code') END,
            value_display = CASE WHEN value_kind = 'coded' AND json_type(value, '$.coded.display') = 'text'
                THEN json_extract(value, '$.coded.display') END,
            value_integer = CASE WHEN value_kind = 'integer' THEN json_extract(value, '$.integer') END,
            value_boolean = CASE WHEN value_kind = 'boolean' THEN json_extract(value, '$.boolean') END,
            value_text = CASE WHEN value_kind = 'text' THEN json_extract(value, '$.text') END
        WHERE value_kind IS NOT NULL
        """

    static let sqliteMoveSpecimen: String = {
        func field(_ key: String, _ types: String) -> String {
            "CASE WHEN json_type(specimen, '$.\(key)') IN (\(types)) THEN json_extract(specimen, '$.\(key)') END"
        }
        return """
            UPDATE observations SET
                specimen_type = \(field("type", "'text'")),
                specimen_collected = \(field("collected", "'text'")),
                specimen_centrifuged = \(field("centrifuged", "'true', 'false'")),
                centrifugation_g = \(field("centrifugationG", "'integer', 'real'")),
                centrifugation_minutes = \(field("centrifugationMinutes", "'integer', 'real'")),
                pellet_examined = \(field("pelletExamined", "'true', 'false'")),
                pellet_finding = CASE WHEN json_extract(specimen, '$.pelletFinding') IN (\(quoted(pelletFindings)))
                    AND json_type(specimen, '$.pelletFinding') = 'text' THEN json_extract(specimen, '$.pelletFinding') END,
                abstinence_days = \(field("abstinenceDays", "'integer'")),
                specimen_note = \(field("note", "'text'"))
            WHERE specimen IS NOT NULL AND json_valid(specimen) AND json_type(specimen) = 'object'
            """
    }()

    static let sqliteVerify = """
        SELECT COUNT(*) AS problems FROM observations WHERE value_kind IS NULL
            OR (value_kind = 'quantity' AND (value_number IS NULL OR value_unit IS NULL
                OR (CASE WHEN json_valid(value) THEN (SELECT COUNT(*) FROM json_each(observations.value, '$.quantity')) ELSE -1 END) <> 2))
            OR (value_kind = 'coded' AND (value_system IS NULL OR value_code IS NULL
                OR (CASE WHEN json_valid(value) THEN (SELECT COUNT(*) FROM json_each(observations.value, '$.coded')) ELSE -1 END) <> \(setCount(["value_system", "value_code", "value_display"]))))
            OR (value_kind = 'integer' AND value_integer IS NULL)
            OR (value_kind = 'boolean' AND value_boolean IS NULL)
            OR (value_kind = 'text' AND value_text IS NULL)
            OR (specimen IS NOT NULL AND (specimen_type IS NULL
                OR (CASE WHEN json_valid(specimen) THEN (SELECT COUNT(*) FROM json_each(observations.specimen)) ELSE -1 END) <> \(setCount(specimenColumns.map(\.name)))))
        """

    /// SQLite: the table again, with the constraints, without the JSON columns.
    static let sqliteRebuild: [String] = {
        let value = valueColumns.map { "\($0.name) \($0.type)," }.joined(separator: "\n    ")
        let specimen = specimenColumns.map { column in
            column.name == "pellet_finding"
                ? "pellet_finding TEXT CHECK (pellet_finding IN (\(quoted(pelletFindings)))),"
                : "\(column.name) \(column.type),"
        }.joined(separator: "\n    ")
        let kept = ["id", "participant_id", "enrolment_id", "visit_id", "panel_id", "code_system", "code", "code_display",
                    "effective", "body_site", "note", "upper_limit_of_normal", "value_kind"]
            + valueColumns.map(\.name) + specimenColumns.map(\.name)
            + ["version", "created_at", "updated_at", "deleted_at"]
        let list = kept.joined(separator: ", ")
        return [
            """
            CREATE TABLE observations_typed (
                id TEXT PRIMARY KEY,
                participant_id TEXT NOT NULL REFERENCES participants(id),
                enrolment_id TEXT REFERENCES enrolments(id),
                visit_id TEXT REFERENCES visits(id),
                panel_id TEXT,
                code_system TEXT NOT NULL,
                code TEXT NOT NULL,
                code_display TEXT,
                effective TEXT NOT NULL,
                body_site TEXT,
                note TEXT,
                upper_limit_of_normal DOUBLE PRECISION,
                value_kind TEXT NOT NULL CHECK (value_kind IN (\(quoted(kinds)))),
                \(value)
                \(specimen)
            \(recordBookkeeping),
                CONSTRAINT observations_value_shape CHECK (\(valueShape)),
                CONSTRAINT observations_specimen_shape CHECK (\(specimenShape)))
            """,
            "INSERT INTO observations_typed (\(list)) SELECT \(list) FROM observations",
            "DROP INDEX observations_participant_code",
            "DROP TABLE observations",
            "ALTER TABLE observations_typed RENAME TO observations",
            "CREATE INDEX observations_participant_code ON observations (participant_id, code_system, code, effective)",
        ]
    }()

    // MARK: PostgreSQL

    /// JSON text as jsonb, NULL where it is not JSON (PostgreSQL 15 has no `IS JSON`); dropped at the end.
    static let postgresTryJSON = """
        CREATE FUNCTION restora_0022_jsonb(t text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
        BEGIN RETURN t::jsonb; EXCEPTION WHEN others THEN RETURN NULL; END $$
        """

    static let postgresMove: String = {
        func field(_ key: String, _ type: String, cast: String) -> String {
            "CASE WHEN jsonb_typeof(s -> '\(key)') = '\(type)' THEN (s ->> '\(key)')::\(cast) END"
        }
        return """
            UPDATE observations o SET
                value_kind = src.kind,
                value_number = CASE WHEN src.kind = 'quantity' AND jsonb_typeof(j #> '{quantity,value}') = 'number'
                    THEN (j #>> '{quantity,value}')::double precision END,
                value_unit = CASE WHEN src.kind = 'quantity' AND jsonb_typeof(j #> '{quantity,unit}') = 'string'
                    THEN j #>> '{quantity,unit}' END,
                value_system = CASE WHEN src.kind = 'coded' AND jsonb_typeof(j #> '{coded,system}') = 'string'
                    THEN j #>> '{coded,system}' END,
                value_code = CASE WHEN src.kind = 'coded' AND jsonb_typeof(j #> '{coded,code}') = 'string'
                    THEN j #>> '{coded,code}' END,
                value_display = CASE WHEN src.kind = 'coded' AND jsonb_typeof(j #> '{coded,display}') = 'string'
                    THEN j #>> '{coded,display}' END,
                value_integer = CASE WHEN src.kind = 'integer' THEN (j ->> 'integer')::bigint END,
                value_boolean = CASE WHEN src.kind = 'boolean' THEN (j ->> 'boolean')::boolean END,
                value_text = CASE WHEN src.kind = 'text' THEN j ->> 'text' END,
                specimen_type = \(field("type", "string", cast: "text")),
                specimen_collected = \(field("collected", "string", cast: "text")),
                specimen_centrifuged = \(field("centrifuged", "boolean", cast: "boolean")),
                centrifugation_g = \(field("centrifugationG", "number", cast: "double precision")),
                centrifugation_minutes = \(field("centrifugationMinutes", "number", cast: "double precision")),
                pellet_examined = \(field("pelletExamined", "boolean", cast: "boolean")),
                pellet_finding = CASE WHEN jsonb_typeof(s -> 'pelletFinding') = 'string'
                    AND s ->> 'pelletFinding' IN (\(quoted(pelletFindings))) THEN s ->> 'pelletFinding' END,
                abstinence_days = CASE WHEN jsonb_typeof(s -> 'abstinenceDays') = 'number'
                    AND (s ->> 'abstinenceDays') ~ '^-?[0-9]{1,18}$' THEN (s ->> 'abstinenceDays')::bigint END,
                specimen_note = \(field("note", "string", cast: "text"))
            FROM (
                SELECT id, j, CASE WHEN jsonb_typeof(sj) = 'object' THEN sj END AS s,
                    CASE WHEN jsonb_typeof(j) <> 'object' THEN NULL
                         WHEN (SELECT COUNT(*) FROM jsonb_object_keys(j)) <> 1 THEN NULL
                         WHEN jsonb_typeof(j -> 'quantity') = 'object' THEN 'quantity'
                         WHEN jsonb_typeof(j -> 'coded') = 'object' THEN 'coded'
                         WHEN jsonb_typeof(j -> 'integer') = 'number' AND (j ->> 'integer') ~ '^-?[0-9]{1,18}$' THEN 'integer'
                         WHEN jsonb_typeof(j -> 'boolean') = 'boolean' THEN 'boolean'
                         WHEN jsonb_typeof(j -> 'text') = 'string' THEN 'text'
                    END AS kind
                FROM (SELECT id, restora_0022_jsonb(value) AS j, restora_0022_jsonb(specimen) AS sj FROM observations) parsed
            ) src
            WHERE src.id = o.id
            """
    }()

    static let postgresVerify = """
        SELECT COUNT(*) AS problems FROM (
            SELECT o.*, restora_0022_jsonb(value) AS j, restora_0022_jsonb(specimen) AS sj FROM observations o
        ) x WHERE value_kind IS NULL
            OR (value_kind = 'quantity' AND (value_number IS NULL OR value_unit IS NULL
                OR (SELECT COUNT(*) FROM jsonb_object_keys(CASE WHEN jsonb_typeof(j -> 'quantity') = 'object' THEN j -> 'quantity' END)) <> 2))
            OR (value_kind = 'coded' AND (value_system IS NULL OR value_code IS NULL
                OR (SELECT COUNT(*) FROM jsonb_object_keys(CASE WHEN jsonb_typeof(j -> 'coded') = 'object' THEN j -> 'coded' END))
                    <> \(setCount(["value_system", "value_code", "value_display"]))))
            OR (value_kind = 'integer' AND value_integer IS NULL)
            OR (value_kind = 'boolean' AND value_boolean IS NULL)
            OR (value_kind = 'text' AND value_text IS NULL)
            OR (specimen IS NOT NULL AND (specimen_type IS NULL
                OR (SELECT COUNT(*) FROM jsonb_object_keys(CASE WHEN jsonb_typeof(sj) = 'object' THEN sj END))
                    <> \(setCount(specimenColumns.map(\.name)))))
        """

    static let postgresConstrain: [String] = [
        "ALTER TABLE observations ALTER COLUMN value_kind SET NOT NULL",
        "ALTER TABLE observations ADD CONSTRAINT observations_value_kind CHECK (value_kind IN (\(quoted(kinds))))",
        "ALTER TABLE observations ADD CONSTRAINT observations_pellet_finding CHECK (pellet_finding IN (\(quoted(pelletFindings))))",
        "ALTER TABLE observations ADD CONSTRAINT observations_value_shape CHECK (\(valueShape))",
        "ALTER TABLE observations ADD CONSTRAINT observations_specimen_shape CHECK (\(specimenShape))",
        "ALTER TABLE observations DROP COLUMN value",
        "ALTER TABLE observations DROP COLUMN specimen",
    ]

    /// The check query differs per engine (JSON functions): it is a temporary view, so the one `.verify` step
    /// reads the same name on both.
    static let verifySteps: [MigrationStep] = [
        .engine(sqlite: "CREATE TEMP VIEW restora_0022_problems AS \(sqliteVerify)",
                postgres: "CREATE TEMP VIEW restora_0022_problems AS \(postgresVerify)"),
        .verify(
            what: "observations whose JSON value or specimen did not move into typed columns (the value is not JSON, has an unknown kind, a field of the wrong type, a key with no column, or an unknown pellet finding); correct those rows with the previous release",
            countQuery: "SELECT problems FROM restora_0022_problems"),
        .sql("DROP VIEW restora_0022_problems"),
        .engine(sqlite: nil, postgres: "DROP FUNCTION restora_0022_jsonb(text)"),
    ]

    static let constrainSteps: [MigrationStep] =
        sqliteRebuild.map { .engine(sqlite: $0, postgres: nil) } + postgresConstrain.map { .engine(sqlite: nil, postgres: $0) }
}
