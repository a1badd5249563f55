/// What screening reads besides observations and the participant row (issue #14 item 1): concomitant
/// medications (RxNorm-coded, with the class the protocol criteria name and the adjunct flag the osteoporosis
/// report counts) and the sections of the record a clinician reviewed in full. Typed columns throughout;
/// `site_id` is NOT NULL from the start and copied from the participant on insert (SiteScope), so the rows
/// join the site's audit chain. At most one current review per participant and section (a partial unique
/// index, which both engines accept; a withdrawn review is soft-deleted and leaves room for a new one). The
/// section list is the one of `ParticipantRecord.Section` when this migration landed.
let m0032_CreateScreeningInputs = Migration(name: "0032_CreateScreeningInputs", statements: [
    """
    CREATE TABLE concomitant_medications (
        id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id),
        participant_id TEXT NOT NULL REFERENCES participants(id),
        drug_system TEXT NOT NULL CHECK (drug_system = 'rxnorm'),
        drug_code TEXT NOT NULL CHECK (drug_code <> ''),
        drug_display TEXT,
        drug_class TEXT,
        dose TEXT,
        start_date TEXT,
        stop_date TEXT,
        adjunct BOOLEAN NOT NULL,
    \(recordBookkeeping),
        CHECK (start_date IS NULL OR stop_date IS NULL OR stop_date >= start_date))
    """,
    "CREATE INDEX concomitant_medications_site_participant ON concomitant_medications (site_id, participant_id)",
    """
    CREATE TABLE participant_reviews (
        id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id),
        participant_id TEXT NOT NULL REFERENCES participants(id),
        section TEXT NOT NULL CHECK (section IN ('diagnoses', 'history', 'medications', 'procedures')),
        reviewed_by_user TEXT NOT NULL,
        reviewed_by_role TEXT,
        reviewed_at TEXT NOT NULL,
    \(recordBookkeeping))
    """,
    """
    CREATE UNIQUE INDEX participant_reviews_current_section ON participant_reviews (site_id, participant_id, section)
    WHERE deleted_at IS NULL
    """,
])
