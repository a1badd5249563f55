/// Each enrolment records the protocol version it runs under (issue #14 item 7, docs/amendments.md). Every
/// stored enrolment ran under its program's version (there was one version per protocol), so the column is
/// filled from `programs.protocol_version`; the verify step rolls the migration back if any row stays empty.
///
/// NOT NULL as in 0027 and 0033: PostgreSQL gets the constraint after the move; SQLite (which cannot add NOT
/// NULL to an existing column without a made-up default) gets triggers refusing a NULL on INSERT and UPDATE.
/// The repository fills a new enrolment's version from its program when the caller gives none.
let m0035_EnrolmentProtocolVersion = Migration(
    name: "0035_EnrolmentProtocolVersion",
    steps: [
        .sql("ALTER TABLE enrolments ADD COLUMN protocol_version TEXT"),
        .sql("UPDATE enrolments SET protocol_version = (SELECT p.protocol_version FROM programs p WHERE p.id = enrolments.program_id)"),
        .verify(what: "enrolments whose protocol version could not be read from their program",
                countQuery: "SELECT COUNT(*) AS problems FROM enrolments WHERE protocol_version IS NULL"),
        .engine(sqlite: nil, postgres: "ALTER TABLE enrolments ALTER COLUMN protocol_version SET NOT NULL"),
        .engine(sqlite: """
            CREATE TRIGGER enrolments_protocol_version_not_null_insert BEFORE INSERT ON enrolments
            FOR EACH ROW WHEN NEW.protocol_version IS NULL
            BEGIN SELECT RAISE(ABORT, 'NOT NULL constraint failed: enrolments.protocol_version'); END
            """, postgres: nil),
        .engine(sqlite: """
            CREATE TRIGGER enrolments_protocol_version_not_null_update BEFORE UPDATE OF protocol_version ON enrolments
            FOR EACH ROW WHEN NEW.protocol_version IS NULL
            BEGIN SELECT RAISE(ABORT, 'NOT NULL constraint failed: enrolments.protocol_version'); END
            """, postgres: nil),
    ],
    ifDataConflicts: "an enrolment whose program is missing has no protocol version: correct its program_id, then migrate again")
