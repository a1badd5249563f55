/// A medication course's dispensings move from JSON text (`medication_courses.dispensings`) into
/// `medication_dispensings`, one row per supply handed out, with the rules of `MedicationEntry.dispense` as
/// CHECK constraints (1 to 30 days, at least one unit, no more returned than dispensed). The course keeps
/// `dispensing_count`, the rows it was written with.
let m0026_MoveDispensingsToRows = Migration(name: "0026_MoveDispensingsToRows", steps:
    ChildTableMove.jsonShapeCheck(table: "medication_courses", column: "dispensings", type: "array", what: "medication courses whose dispensings are not a JSON array")
    + [
        .sql("""
        CREATE TABLE medication_dispensings (
            id TEXT PRIMARY KEY,
            medication_course_id TEXT NOT NULL REFERENCES medication_courses(id),
            position BIGINT NOT NULL CHECK (position >= 0),
            dispensed_on TEXT NOT NULL CHECK (length(dispensed_on) = 10),
            units_dispensed BIGINT NOT NULL CHECK (units_dispensed > 0),
            days_covered BIGINT NOT NULL CHECK (days_covered BETWEEN 1 AND 30),
            units_returned BIGINT CHECK (units_returned BETWEEN 0 AND units_dispensed),
            lot TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (medication_course_id, position))
        """),
        .sql("ALTER TABLE medication_courses ADD COLUMN dispensing_count BIGINT NOT NULL DEFAULT 0 CHECK (dispensing_count >= 0)"),
        .engine(
            sqlite: "UPDATE medication_courses SET dispensing_count = json_array_length(dispensings) WHERE dispensings IS NOT NULL",
            postgres: "UPDATE medication_courses SET dispensing_count = jsonb_array_length(dispensings::jsonb) WHERE dispensings IS NOT NULL"),
        .engine(
            sqlite: """
            INSERT INTO medication_dispensings (id, medication_course_id, position, dispensed_on, units_dispensed, days_covered, units_returned, lot, created_at)
            SELECT c.id || ':' || j.key, c.id, j.key, json_extract(j.value, '$.date'), json_extract(j.value, '$.unitsDispensed'),
                   json_extract(j.value, '$.daysCovered'), json_extract(j.value, '$.unitsReturned'), json_extract(j.value, '$.lot'), c.updated_at
            FROM medication_courses c, json_each(c.dispensings) j WHERE c.dispensings IS NOT NULL
            """,
            postgres: """
            INSERT INTO medication_dispensings (id, medication_course_id, position, dispensed_on, units_dispensed, days_covered, units_returned, lot, created_at)
            SELECT c.id || ':' || (j.ord - 1), c.id, j.ord - 1, j.v ->> 'date', (j.v ->> 'unitsDispensed')::bigint,
                   (j.v ->> 'daysCovered')::bigint, (j.v ->> 'unitsReturned')::bigint, j.v ->> 'lot', c.updated_at
            FROM medication_courses c CROSS JOIN LATERAL jsonb_array_elements(c.dispensings::jsonb) WITH ORDINALITY AS j(v, ord)
            WHERE c.dispensings IS NOT NULL
            """),
        .verify(what: "medication courses whose dispensings did not all move into medication_dispensings", countQuery: """
            SELECT COUNT(*) AS problems FROM medication_courses c
            WHERE c.dispensing_count <> (SELECT COUNT(*) FROM medication_dispensings d WHERE d.medication_course_id = c.id)
            """),
        .sql("ALTER TABLE medication_courses DROP COLUMN dispensings"),
    ] + ChildTableMove.cleanUp,
    ifDataConflicts: "a stored dispensing lacks a field or breaks the dispensing rules (1 to 30 days, at least one unit); correct it with the previous release")
