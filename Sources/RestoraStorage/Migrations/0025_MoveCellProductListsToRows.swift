/// A lot's custody events and release-test results move from JSON text (`cell_products.custody`,
/// `cell_products.release_tests`) into `cell_product_custody_events` (one row per step) and
/// `cell_product_release_tests` (one row per result: a marker percentage, the viability, the sterility
/// culture…, with its number and UCUM unit or its yes/no flag). Results are entered in revisions: changed
/// results append a new revision and the lot names the one in force (`release_tests_revision`); results
/// moved from JSON are revision 1. The lot keeps `custody_count` and `release_test_count` (rows written).
///
/// The release decision stays a column group on `cell_products` (docs/child-tables.md, "Release decision"): its
/// outcome and specification source become typed columns (`release_outcome` CHECKed), while the criteria
/// it listed and the specification it applied stay the decision's JSON document `release_decision` — a
/// snapshot computed once from the typed results and the protocol's configuration, written once, never
/// filtered on, and kept verbatim as the evidence of what was decided.
let m0025_MoveCellProductListsToRows = Migration(name: "0025_MoveCellProductListsToRows", steps:
    ChildTableMove.jsonShapeCheck(table: "cell_products", column: "custody", type: "array", what: "cell products whose custody is not a JSON array")
    + ChildTableMove.jsonShapeCheck(table: "cell_products", column: "release_tests", type: "object", what: "cell products whose release tests are not a JSON object")
    + ChildTableMove.jsonShapeCheck(table: "cell_products", column: "release_decision", type: "object", what: "cell products whose release decision is not a JSON object")
    + [
        ChildTableMove.createTable("cell_product_custody_events", parent: "cell_products", parentColumn: "cell_product_id", columns: """
            kind TEXT NOT NULL CHECK (kind IN ('harvested', 'received', 'processing-started', 'processed', 'sampled', 'quarantined',
                'released', 'rejected', 'transferred', 'thawed', 'administered', 'destroyed')),
            at TEXT NOT NULL,
            actor_id TEXT NOT NULL,
            actor_role TEXT,
            location TEXT,
            note TEXT,
            """),
        ChildTableMove.createTable("cell_product_release_tests", parent: "cell_products", parentColumn: "cell_product_id", columns: """
            revision BIGINT NOT NULL CHECK (revision >= 1),
            test TEXT NOT NULL CHECK (test IN ('marker', 'viability', 'sterility', 'endotoxin', 'mycoplasma', 'dose',
                'participant-weight', 'product-volume')),
            marker TEXT NOT NULL DEFAULT '',
            number DOUBLE PRECISION,
            unit TEXT,
            flag BOOLEAN,
            """, constraints: """
            CHECK ((test = 'marker') = (marker <> '')),
            CHECK ((test IN ('sterility', 'mycoplasma')) = (flag IS NOT NULL)),
            CHECK ((test IN ('sterility', 'mycoplasma')) = (number IS NULL)),
            UNIQUE (cell_product_id, revision, test, marker),
            """),
        .sql("ALTER TABLE cell_products ADD COLUMN release_test_count BIGINT NOT NULL DEFAULT 0 CHECK (release_test_count >= 0)"),
        .sql("ALTER TABLE cell_products ADD COLUMN release_tests_revision BIGINT NOT NULL DEFAULT 0 CHECK (release_tests_revision >= 0)"),
        .sql("ALTER TABLE cell_products ADD COLUMN release_outcome TEXT CHECK (release_outcome IN ('released', 'rejected', 'cannotDecide'))"),
        .sql("ALTER TABLE cell_products ADD COLUMN release_specification_source TEXT"),
    ] + ChildTableMove.moveList(
        parent: "cell_products", column: "custody", countColumn: "custody_count", child: "cell_product_custody_events",
        parentColumn: "cell_product_id", what: "cell products whose custody events did not all move into cell_product_custody_events",
        fields: [("kind", "kind"), ("at", "at"), ("actor_id", "actor.userID"), ("actor_role", "actor.role"), ("location", "location"),
                 ("note", "note")])
    + [
        // Release tests: the results of each lot as revision 1, one row per result present.
        .engine(
            sqlite: """
            UPDATE cell_products SET release_tests_revision = 1, release_test_count =
                (SELECT COUNT(*) FROM json_each(release_tests, '$.markersPercent'))
                + (json_extract(release_tests, '$.viabilityPercent') IS NOT NULL)
                + (json_extract(release_tests, '$.sterilityNoGrowth') IS NOT NULL)
                + (json_extract(release_tests, '$.endotoxin.value') IS NOT NULL)
                + (json_extract(release_tests, '$.mycoplasmaNegative') IS NOT NULL)
                + (json_extract(release_tests, '$.doseCells') IS NOT NULL)
                + (json_extract(release_tests, '$.participantWeightKg') IS NOT NULL)
                + (json_extract(release_tests, '$.productVolumeML') IS NOT NULL)
            """,
            postgres: """
            UPDATE cell_products SET release_tests_revision = 1, release_test_count =
                (SELECT COUNT(*) FROM jsonb_object_keys(COALESCE(release_tests::jsonb -> 'markersPercent', '{}'::jsonb)))
                + ((release_tests::jsonb ->> 'viabilityPercent') IS NOT NULL)::int
                + ((release_tests::jsonb ->> 'sterilityNoGrowth') IS NOT NULL)::int
                + ((release_tests::jsonb -> 'endotoxin' ->> 'value') IS NOT NULL)::int
                + ((release_tests::jsonb ->> 'mycoplasmaNegative') IS NOT NULL)::int
                + ((release_tests::jsonb ->> 'doseCells') IS NOT NULL)::int
                + ((release_tests::jsonb ->> 'participantWeightKg') IS NOT NULL)::int
                + ((release_tests::jsonb ->> 'productVolumeML') IS NOT NULL)::int
            """),
        .engine(
            sqlite: """
            INSERT INTO cell_product_release_tests (id, cell_product_id, position, revision, test, marker, number, unit, flag, created_at)
            SELECT r.pid || ':' || (ROW_NUMBER() OVER w - 1), r.pid, ROW_NUMBER() OVER w - 1, 1, r.test, r.marker, r.number, r.unit, r.flag, r.stamp
            FROM (
                SELECT p.id AS pid, 0 AS ord, 'marker' AS test, m.key AS marker, m.value AS number, '%' AS unit, NULL AS flag, p.updated_at AS stamp
                FROM cell_products p, json_each(p.release_tests, '$.markersPercent') m
                UNION ALL SELECT id, 1, 'viability', '', json_extract(release_tests, '$.viabilityPercent'), '%', NULL, updated_at
                FROM cell_products WHERE json_extract(release_tests, '$.viabilityPercent') IS NOT NULL
                UNION ALL SELECT id, 2, 'sterility', '', NULL, NULL, json_extract(release_tests, '$.sterilityNoGrowth'), updated_at
                FROM cell_products WHERE json_extract(release_tests, '$.sterilityNoGrowth') IS NOT NULL
                UNION ALL SELECT id, 3, 'endotoxin', '', json_extract(release_tests, '$.endotoxin.value'), json_extract(release_tests, '$.endotoxin.unit'), NULL, updated_at
                FROM cell_products WHERE json_extract(release_tests, '$.endotoxin.value') IS NOT NULL
                UNION ALL SELECT id, 4, 'mycoplasma', '', NULL, NULL, json_extract(release_tests, '$.mycoplasmaNegative'), updated_at
                FROM cell_products WHERE json_extract(release_tests, '$.mycoplasmaNegative') IS NOT NULL
                UNION ALL SELECT id, 5, 'dose', '', json_extract(release_tests, '$.doseCells'), '{cells}', NULL, updated_at
                FROM cell_products WHERE json_extract(release_tests, '$.doseCells') IS NOT NULL
                UNION ALL SELECT id, 6, 'participant-weight', '', json_extract(release_tests, '$.participantWeightKg'), 'kg', NULL, updated_at
                FROM cell_products WHERE json_extract(release_tests, '$.participantWeightKg') IS NOT NULL
                UNION ALL SELECT id, 7, 'product-volume', '', json_extract(release_tests, '$.productVolumeML'), 'mL', NULL, updated_at
                FROM cell_products WHERE json_extract(release_tests, '$.productVolumeML') IS NOT NULL
            ) r
            WINDOW w AS (PARTITION BY r.pid ORDER BY r.ord, r.marker)
            """,
            postgres: """
            INSERT INTO cell_product_release_tests (id, cell_product_id, position, revision, test, marker, number, unit, flag, created_at)
            SELECT r.pid || ':' || (ROW_NUMBER() OVER w - 1), r.pid, ROW_NUMBER() OVER w - 1, 1, r.test, r.marker, r.number, r.unit, r.flag, r.stamp
            FROM (
                SELECT p.id AS pid, 0 AS ord, 'marker' AS test, m.key AS marker, m.value::double precision AS number, '%' AS unit,
                       NULL::boolean AS flag, p.updated_at AS stamp
                FROM cell_products p CROSS JOIN LATERAL jsonb_each_text(COALESCE(p.release_tests::jsonb -> 'markersPercent', '{}'::jsonb)) m
                UNION ALL SELECT id, 1, 'viability', '', (release_tests::jsonb ->> 'viabilityPercent')::double precision, '%', NULL, updated_at
                FROM cell_products WHERE (release_tests::jsonb ->> 'viabilityPercent') IS NOT NULL
                UNION ALL SELECT id, 2, 'sterility', '', NULL, NULL, (release_tests::jsonb ->> 'sterilityNoGrowth')::boolean, updated_at
                FROM cell_products WHERE (release_tests::jsonb ->> 'sterilityNoGrowth') IS NOT NULL
                UNION ALL SELECT id, 3, 'endotoxin', '', (release_tests::jsonb -> 'endotoxin' ->> 'value')::double precision,
                       release_tests::jsonb -> 'endotoxin' ->> 'unit', NULL, updated_at
                FROM cell_products WHERE (release_tests::jsonb -> 'endotoxin' ->> 'value') IS NOT NULL
                UNION ALL SELECT id, 4, 'mycoplasma', '', NULL, NULL, (release_tests::jsonb ->> 'mycoplasmaNegative')::boolean, updated_at
                FROM cell_products WHERE (release_tests::jsonb ->> 'mycoplasmaNegative') IS NOT NULL
                UNION ALL SELECT id, 5, 'dose', '', (release_tests::jsonb ->> 'doseCells')::double precision, '{cells}', NULL, updated_at
                FROM cell_products WHERE (release_tests::jsonb ->> 'doseCells') IS NOT NULL
                UNION ALL SELECT id, 6, 'participant-weight', '', (release_tests::jsonb ->> 'participantWeightKg')::double precision, 'kg', NULL, updated_at
                FROM cell_products WHERE (release_tests::jsonb ->> 'participantWeightKg') IS NOT NULL
                UNION ALL SELECT id, 7, 'product-volume', '', (release_tests::jsonb ->> 'productVolumeML')::double precision, 'mL', NULL, updated_at
                FROM cell_products WHERE (release_tests::jsonb ->> 'productVolumeML') IS NOT NULL
            ) r
            WINDOW w AS (PARTITION BY r.pid ORDER BY r.ord, r.marker COLLATE "C")
            """),
        .verify(what: "cell products whose release-test results did not all move into cell_product_release_tests", countQuery: """
            SELECT COUNT(*) AS problems FROM cell_products p
            WHERE p.release_test_count <> (SELECT COUNT(*) FROM cell_product_release_tests t WHERE t.cell_product_id = p.id AND t.revision = 1)
            """),
        // The release decision's outcome and source as typed columns beside its document.
        .engine(
            sqlite: """
            UPDATE cell_products SET release_outcome = json_extract(release_decision, '$.outcome'),
                release_specification_source = json_extract(release_decision, '$.specificationSource')
            WHERE release_decision IS NOT NULL
            """,
            postgres: """
            UPDATE cell_products SET release_outcome = release_decision::jsonb ->> 'outcome',
                release_specification_source = release_decision::jsonb ->> 'specificationSource'
            WHERE release_decision IS NOT NULL
            """),
        .verify(what: "cell products whose release decision has no outcome or specification source", countQuery: """
            SELECT COUNT(*) AS problems FROM cell_products
            WHERE release_decision IS NOT NULL AND (release_outcome IS NULL OR release_specification_source IS NULL)
            """),
        .sql("ALTER TABLE cell_products DROP COLUMN custody"),
        .sql("ALTER TABLE cell_products DROP COLUMN release_tests"),
    ] + ChildTableMove.cleanUp,
    ifDataConflicts: "a stored custody event or release-test result lacks a field or names an unknown kind; correct it with the previous release")
