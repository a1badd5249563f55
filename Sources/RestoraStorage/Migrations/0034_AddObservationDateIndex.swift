/// The calendar and the dashboard count a visit done when data were entered in its window (docs/visits.md):
/// the dashboard reads the distinct observation dates of its candidate enrolments' participants. This partial
/// covering index answers that read from the index alone (participant, enrolment, date of the live rows),
/// on both engines, instead of visiting every observation row.
let m0034_AddObservationDateIndex = Migration(name: "0034_AddObservationDateIndex", statements: [
    "CREATE INDEX observations_participant_dates ON observations (participant_id, enrolment_id, effective) WHERE deleted_at IS NULL",
])
