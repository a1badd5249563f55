/// The lot is the label's business identifier: unique across the database.
let m0008_CreateCellProducts = Migration(name: "0008_CreateCellProducts", statements: [
    """
    CREATE TABLE cell_products (
        id TEXT PRIMARY KEY,
        lot TEXT NOT NULL UNIQUE,
        participant_id TEXT NOT NULL REFERENCES participants(id),
        enrolment_id TEXT REFERENCES enrolments(id),
        source_tissue TEXT NOT NULL,
        harvest_procedure_id TEXT REFERENCES procedures(id),
        total_cells DOUBLE PRECISION,
        viable_cells DOUBLE PRECISION,
        viability_percent DOUBLE PRECISION,
        release_tests TEXT NOT NULL,
        release_status TEXT NOT NULL,
        custody TEXT,
    \(recordBookkeeping))
    """,
    "CREATE INDEX cell_products_participant ON cell_products (participant_id)",
])
