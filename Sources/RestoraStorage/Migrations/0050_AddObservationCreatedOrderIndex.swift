/// A program's observations are read in bulk one chunk of participants at a time (`SQLProgramRecordSource`:
/// the CSV, SAS, ODM and SDTM exports and the report), grouped by participant and, within a participant, in
/// storage order (created, then id). This partial index holds the live rows in exactly that order, so both
/// engines walk it for the chunk's participants instead of sorting every row of the chunk in a temporary
/// B-tree (issue #18: one 500-participant chunk of the 10⁴ demo, 18,370 rows, took 0.17–0.19 s with the sort
/// and 0.11 s without in the `sqlite3` shell; the export figures are in BENCHMARKS.md "Exports", 2026-12-06).
/// One more index entry per observation written.
let m0050_AddObservationCreatedOrderIndex = Migration(name: "0050_AddObservationCreatedOrderIndex", statements: [
    "CREATE INDEX observations_participant_created ON observations (participant_id, created_at, id) WHERE deleted_at IS NULL",
])
