/// A course's frequency becomes doses per period (issue #14: alendronate 70 mg once weekly could not be
/// written while the row kept only `times_per_day`): `doses_per_period` and `dose_period` ('day' or 'week').
/// Every stored course was daily, so its `times_per_day` moves to `doses_per_period` with the period 'day';
/// the verify step rolls the migration back if any row did not move, and only then is `times_per_day` dropped.
///
/// NOT NULL as in 0027: PostgreSQL gets the column constraints after the move; on SQLite (which cannot add
/// NOT NULL to an existing column without a made-up default) triggers refuse a NULL or an unknown period on
/// INSERT and UPDATE. The CHECK on the period and the count holds on both engines.
let m0033_MedicationFrequencyPeriod = Migration(
    name: "0033_MedicationFrequencyPeriod",
    steps: [
        .sql("ALTER TABLE medication_courses ADD COLUMN doses_per_period BIGINT CHECK (doses_per_period >= 1)"),
        .sql("ALTER TABLE medication_courses ADD COLUMN dose_period TEXT CHECK (dose_period IN ('day', 'week'))"),
        .sql("UPDATE medication_courses SET doses_per_period = times_per_day, dose_period = 'day'"),
        .verify(what: "medication courses whose times_per_day did not move to doses_per_period (a count below 1 or missing)",
                countQuery: """
                    SELECT COUNT(*) AS problems FROM medication_courses
                    WHERE doses_per_period IS NULL OR dose_period IS NULL OR doses_per_period <> times_per_day
                    """),
        .sql("ALTER TABLE medication_courses DROP COLUMN times_per_day"),
        .engine(sqlite: nil, postgres: "ALTER TABLE medication_courses ALTER COLUMN doses_per_period SET NOT NULL"),
        .engine(sqlite: nil, postgres: "ALTER TABLE medication_courses ALTER COLUMN dose_period SET NOT NULL"),
        .engine(sqlite: """
            CREATE TRIGGER medication_courses_frequency_not_null_insert BEFORE INSERT ON medication_courses
            FOR EACH ROW WHEN NEW.doses_per_period IS NULL OR NEW.dose_period IS NULL
            BEGIN SELECT RAISE(ABORT, 'NOT NULL constraint failed: medication_courses.doses_per_period/dose_period'); END
            """, postgres: nil),
        .engine(sqlite: """
            CREATE TRIGGER medication_courses_frequency_not_null_update BEFORE UPDATE OF doses_per_period, dose_period ON medication_courses
            FOR EACH ROW WHEN NEW.doses_per_period IS NULL OR NEW.dose_period IS NULL
            BEGIN SELECT RAISE(ABORT, 'NOT NULL constraint failed: medication_courses.doses_per_period/dose_period'); END
            """, postgres: nil),
    ],
    ifDataConflicts: "a medication course with times_per_day below 1 cannot move: correct its row, then migrate again")
