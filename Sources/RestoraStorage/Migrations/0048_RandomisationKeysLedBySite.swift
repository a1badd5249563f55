/// Randomisation allocations' one-per-enrolment key led by `site_id`, like every clinical unique key (docs/scaling.md,
/// SiteSchemaInvariantTests), plus an index on `enrolment_id` for the look-ups that key served (issue #16). 0042
/// landed with `UNIQUE (enrolment_id)`; databases that ran it get the new key here (an enrolment has one site, so
/// the rows that satisfied the old key satisfy the new one).
/// - PostgreSQL replaces the constraint in place.
/// - SQLite cannot alter a table constraint: both randomisation tables are rebuilt with their rows (the unblindings
///   reference the allocations, so they are copied first and the old tables dropped child first; the renames
///   carry the unblindings' foreign key over to the rebuilt allocations).
let m0048_RandomisationKeysLedBySite = Migration(name: "0048_RandomisationKeysLedBySite", steps: [
    .engine(sqlite: nil, postgres: """
        ALTER TABLE randomisation_allocations DROP CONSTRAINT randomisation_allocations_enrolment_id_key,
            ADD CONSTRAINT randomisation_allocations_site_id_enrolment_id_key UNIQUE (site_id, enrolment_id)
        """),
    .engine(sqlite: """
        CREATE TABLE randomisation_allocations_0048 (
            id TEXT PRIMARY KEY,
            enrolment_id TEXT NOT NULL REFERENCES enrolments(id),
            participant_id TEXT NOT NULL REFERENCES participants(id),
            program_id TEXT NOT NULL REFERENCES programs(id),
            site_id TEXT NOT NULL REFERENCES sites(id),
            protocol_id TEXT NOT NULL,
            protocol_version TEXT NOT NULL,
            method TEXT NOT NULL CHECK (method IN ('permuted-blocks', 'minimisation')),
            stratum TEXT NOT NULL,
            sequence_number BIGINT NOT NULL CHECK (sequence_number > 0),
            factor_levels TEXT NOT NULL,
            arm_id TEXT NOT NULL CHECK (arm_id <> ''),
            kit_code TEXT,
            block_number BIGINT CHECK (block_number > 0),
            block_size BIGINT CHECK (block_size > 0),
            position_in_block BIGINT CHECK (position_in_block > 0 AND position_in_block <= block_size),
            allocated_by_user TEXT NOT NULL,
            allocated_by_role TEXT,
            allocated_at TEXT NOT NULL,
        \(recordBookkeeping),
            CHECK (method <> 'permuted-blocks' OR (block_number IS NOT NULL AND block_size IS NOT NULL AND position_in_block IS NOT NULL)),
            UNIQUE (site_id, enrolment_id),
            UNIQUE (program_id, stratum, sequence_number),
            UNIQUE (program_id, kit_code))
        """, postgres: nil),
    .engine(sqlite: "INSERT INTO randomisation_allocations_0048 SELECT * FROM randomisation_allocations", postgres: nil),
    .engine(sqlite: """
        CREATE TABLE randomisation_unblindings_0048 (
            id TEXT PRIMARY KEY,
            enrolment_id TEXT NOT NULL REFERENCES enrolments(id),
            participant_id TEXT NOT NULL REFERENCES participants(id),
            site_id TEXT NOT NULL REFERENCES sites(id),
            allocation_id TEXT NOT NULL REFERENCES randomisation_allocations_0048(id),
            reason TEXT NOT NULL CHECK (reason <> ''),
            unblinded_by_user TEXT NOT NULL,
            unblinded_by_role TEXT,
            unblinded_at TEXT NOT NULL,
        \(recordBookkeeping))
        """, postgres: nil),
    .engine(sqlite: "INSERT INTO randomisation_unblindings_0048 SELECT * FROM randomisation_unblindings", postgres: nil),
    .engine(sqlite: "DROP TABLE randomisation_unblindings", postgres: nil),
    .engine(sqlite: "DROP TABLE randomisation_allocations", postgres: nil),
    .engine(sqlite: "ALTER TABLE randomisation_allocations_0048 RENAME TO randomisation_allocations", postgres: nil),
    .engine(sqlite: "ALTER TABLE randomisation_unblindings_0048 RENAME TO randomisation_unblindings", postgres: nil),
    .engine(sqlite: "CREATE INDEX randomisation_allocations_site ON randomisation_allocations (site_id, program_id)", postgres: nil),
    .engine(sqlite: "CREATE INDEX randomisation_unblindings_enrolment ON randomisation_unblindings (enrolment_id)", postgres: nil),
    .sql("CREATE INDEX randomisation_allocations_enrolment ON randomisation_allocations (enrolment_id)"),
])
