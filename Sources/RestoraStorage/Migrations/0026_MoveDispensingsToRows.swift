/// A medication course's dispensings move from JSON text (`medication_courses.dispensings`) into
/// `medication_dispensings`, one row per supply handed out, with the rules of `MedicationEntry.dispense` as
/// CHECK constraints (1 to 30 days, at least one unit, no more returned than dispensed). The course keeps
/// `dispensing_count`, the rows it was written with.
let m0026_MoveDispensingsToRows = Migration(name: "0026_MoveDispensingsToRows", steps:
    ChildTableMove.jsonShapeCheck(table: "medication_courses", column: "dispensings", type: "array", what: "medication courses whose dispensings are not a JSON array")
    + [
        ChildTableMove.createTable("medication_dispensings", parent: "medication_courses", parentColumn: "medication_course_id", columns: """
            dispensed_on TEXT NOT NULL CHECK (length(dispensed_on) = 10),
            units_dispensed BIGINT NOT NULL CHECK (units_dispensed > 0),
            days_covered BIGINT NOT NULL CHECK (days_covered BETWEEN 1 AND 30),
            units_returned BIGINT CHECK (units_returned BETWEEN 0 AND units_dispensed),
            lot TEXT,
            """),
    ] + ChildTableMove.moveList(
        parent: "medication_courses", column: "dispensings", countColumn: "dispensing_count", child: "medication_dispensings",
        parentColumn: "medication_course_id", what: "medication courses whose dispensings did not all move into medication_dispensings",
        fields: [("dispensed_on", "date"), ("units_dispensed", "unitsDispensed"), ("days_covered", "daysCovered"),
                 ("units_returned", "unitsReturned"), ("lot", "lot")],
        postgresCasts: ["units_dispensed": "bigint", "days_covered": "bigint", "units_returned": "bigint"])
    + [
        .sql("ALTER TABLE medication_courses DROP COLUMN dispensings"),
    ] + ChildTableMove.cleanUp,
    ifDataConflicts: "a stored dispensing lacks a field or breaks the dispensing rules (1 to 30 days, at least one unit); correct it with the previous release")
