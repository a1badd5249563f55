/// Every unique rule of a clinical table names the site (issue #13 item 6): a sharded PostgreSQL (Citus)
/// can only enforce a unique index that contains the distribution column, and the rules below are already
/// per site in meaning (an enrolment, a participant, a cell product, a drug course belong to one site), so
/// nothing is loosened.
///
/// - Visit keys, and the positions (and release-test revisions) of the child rows of 0024–0026: each unique
///   per parent, now led by site_id. PostgreSQL drops the old table constraints (found by table in the
///   catalogue: their generated names are truncated at 63 characters); SQLite cannot drop a table constraint
///   without rebuilding the table, so there the old ones stay beside the new indexes (the same rules, since
///   each parent has one site).
/// - One open enrolment per participant and program (0021): now led by site_id.
/// - The lot of a cell product stays unique across the database on both engines for now: `get(lot:)` looks a
///   lot up without a site, and a label scan must find exactly one product. (site_id, lot) is added so the
///   move to Citus only drops the global rule once lookups by lot take the site (docs/scaling.md).
/// - MRN is already unique per site (0002).
let m0028_SiteScopedUniqueIndexes = Migration(
    name: "0028_SiteScopedUniqueIndexes",
    steps: [
        .sql("CREATE UNIQUE INDEX visits_site_enrolment_visit_key ON visits (site_id, enrolment_id, visit_key)"),
        .sql("CREATE UNIQUE INDEX enrolment_transitions_site_position ON enrolment_transitions (site_id, enrolment_id, position)"),
        .sql("CREATE UNIQUE INDEX cell_product_custody_events_site_position ON cell_product_custody_events (site_id, cell_product_id, position)"),
        .sql("CREATE UNIQUE INDEX cell_product_release_tests_site_position ON cell_product_release_tests (site_id, cell_product_id, position)"),
        .sql("""
            CREATE UNIQUE INDEX cell_product_release_tests_site_revision ON cell_product_release_tests
            (site_id, cell_product_id, revision, test, marker)
            """),
        .sql("CREATE UNIQUE INDEX medication_dispensings_site_position ON medication_dispensings (site_id, medication_course_id, position)"),
        .engine(sqlite: nil, postgres: m0028_dropUniqueConstraints([
            "visits", "enrolment_transitions", "cell_product_custody_events", "cell_product_release_tests", "medication_dispensings",
        ])),
        .sql("DROP INDEX enrolments_one_open_per_program"),
        .sql("""
            CREATE UNIQUE INDEX enrolments_site_one_open_per_program ON enrolments (site_id, participant_id, program_id)
            WHERE deleted_at IS NULL AND status NOT IN ('screen-failed', 'completed', 'withdrawn', 'lost-to-follow-up')
            """),
        .sql("CREATE UNIQUE INDEX cell_products_site_lot ON cell_products (site_id, lot)"),
    ])

/// PostgreSQL: drops every UNIQUE table constraint (not the primary key) of `tables`; the site-led indexes
/// created just before take their place.
private func m0028_dropUniqueConstraints(_ tables: [String]) -> String {
    let list = tables.map { "'\($0)'" }.joined(separator: ", ")
    return """
        DO $$
        DECLARE r record;
        BEGIN
            FOR r IN SELECT c.conrelid::regclass::text AS tbl, c.conname FROM pg_constraint c
                     JOIN pg_class t ON t.oid = c.conrelid
                     WHERE c.contype = 'u' AND t.relname IN (\(list)) AND t.relnamespace = current_schema()::regnamespace
            LOOP
                EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.tbl, r.conname);
            END LOOP;
        END $$
        """
}
