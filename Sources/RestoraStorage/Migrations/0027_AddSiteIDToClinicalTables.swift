/// Every clinical table carries the site its record belongs to (issue #13 item 6), copied from the row it
/// hangs off: the participant, for a visit or a transition its enrolment, for a child row its parent. A deployment that outgrows one machine shards
/// on this column (docs/scaling.md); until then it lets site-scoped queries read one site's rows directly.
///
/// NOT NULL: PostgreSQL gets the column constraint after the backfill. SQLite cannot add NOT NULL to an
/// existing column (`ALTER COLUMN` does not exist, and `ADD COLUMN … NOT NULL` needs a default, which would
/// hide a missing site behind a made-up value); rebuilding thirteen tables that other migrations of this release
/// also change is the riskier move, so on SQLite two triggers per table refuse a NULL site on INSERT and on
/// UPDATE with the same message SQLite gives for a NOT NULL column. The schema-invariant test checks both.
let m0027_AddSiteIDToClinicalTables = Migration(
    name: "0027_AddSiteIDToClinicalTables",
    steps: [
        ("visits", "enrolments", "enrolment_id"),
        ("observations", "participants", "participant_id"),
        ("procedures", "participants", "participant_id"),
        ("cell_products", "participants", "participant_id"),
        ("medication_courses", "participants", "participant_id"),
        ("adverse_events", "participants", "participant_id"),
        ("safety_alerts", "participants", "participant_id"),
        ("data_queries", "participants", "participant_id"),
        ("screenings", "participants", "participant_id"),
        // The child tables of 0024–0026, after their parents got their site above.
        ("enrolment_transitions", "enrolments", "enrolment_id"),
        ("cell_product_custody_events", "cell_products", "cell_product_id"),
        ("cell_product_release_tests", "cell_products", "cell_product_id"),
        ("medication_dispensings", "medication_courses", "medication_course_id"),
    ].flatMap { m0027_siteSteps(table: $0.0, parent: $0.1, via: $0.2) } + [
        // Site-scoped work lists (open alerts, due visits, recent adverse events of the user's sites).
        .sql("CREATE INDEX safety_alerts_site_status ON safety_alerts (site_id, status)"),
        .sql("CREATE INDEX visits_site_status ON visits (site_id, status)"),
        .sql("CREATE INDEX adverse_events_site_onset ON adverse_events (site_id, onset)"),
    ])

/// The steps for one table, fixed with this migration (never shared with later code).
private func m0027_siteSteps(table: String, parent: String, via column: String) -> [MigrationStep] {
    [
        .sql("ALTER TABLE \(table) ADD COLUMN site_id TEXT REFERENCES sites(id)"),
        .sql("UPDATE \(table) SET site_id = p.site_id FROM \(parent) p WHERE p.id = \(table).\(column)"),
        .verify(what: "\(table) rows whose site could not be copied from their \(parent) row (\(column) names no row)",
                countQuery: "SELECT COUNT(*) AS problems FROM \(table) WHERE site_id IS NULL"),
        .engine(sqlite: nil, postgres: "ALTER TABLE \(table) ALTER COLUMN site_id SET NOT NULL"),
        .engine(sqlite: """
            CREATE TRIGGER \(table)_site_id_not_null_insert BEFORE INSERT ON \(table)
            FOR EACH ROW WHEN NEW.site_id IS NULL
            BEGIN SELECT RAISE(ABORT, 'NOT NULL constraint failed: \(table).site_id'); END
            """, postgres: nil),
        .engine(sqlite: """
            CREATE TRIGGER \(table)_site_id_not_null_update BEFORE UPDATE OF site_id ON \(table)
            FOR EACH ROW WHEN NEW.site_id IS NULL
            BEGIN SELECT RAISE(ABORT, 'NOT NULL constraint failed: \(table).site_id'); END
            """, postgres: nil),
    ]
}
