let m0009_CreateMedicationCourses = Migration(name: "0009_CreateMedicationCourses", statements: [
    """
    CREATE TABLE medication_courses (
        id TEXT PRIMARY KEY,
        participant_id TEXT NOT NULL REFERENCES participants(id),
        enrolment_id TEXT REFERENCES enrolments(id),
        drug TEXT NOT NULL,
        dose TEXT NOT NULL,
        route TEXT NOT NULL,
        times_per_day BIGINT NOT NULL,
        start_date TEXT NOT NULL,
        planned_stop TEXT,
        stop_date TEXT,
        status TEXT NOT NULL,
        dispensings TEXT,
        stop_reason TEXT,
    \(recordBookkeeping))
    """,
    "CREATE INDEX medication_courses_participant ON medication_courses (participant_id)",
])
