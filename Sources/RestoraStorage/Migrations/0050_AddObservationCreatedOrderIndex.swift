/// A program's observations are read in bulk one chunk of participants at a time (`SQLProgramRecordSource`:
/// the CSV, SAS, ODM and SDTM exports and the report), grouped by participant and, within a participant, in
/// storage order (created, then id). This partial index holds the live rows in exactly that order, so both
/// engines walk it for the chunk's participants instead of sorting every row of the chunk in a temporary
/// B-tree (issue #18: on SQLite that sort took a fifth of a CSV export's CPU; measured in BENCHMARKS.md).
/// One more index entry per observation written.
let m0050_AddObservationCreatedOrderIndex = Migration(name: "0050_AddObservationCreatedOrderIndex", statements: [
    "CREATE INDEX observations_participant_created ON observations (participant_id, created_at, id) WHERE deleted_at IS NULL",
])
