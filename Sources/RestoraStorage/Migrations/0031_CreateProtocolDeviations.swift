/// Protocol deviations (issue #14): what an investigator let through although the protocol's rules refuse
/// it, with the rule word for word, the category, the reason and the signature. Typed columns throughout;
/// `site_id` is NOT NULL from the start (a new table needs neither 0027's backfill nor its SQLite triggers)
/// and is copied from the participant on insert (SiteScope), so entries join the site's audit chain.
/// `category` is checked against the categories of `ProtocolDeviation.Category` as they were when this
/// migration landed (a new category is a new migration).
let m0031_CreateProtocolDeviations = Migration(name: "0031_CreateProtocolDeviations", statements: [
    """
    CREATE TABLE protocol_deviations (
        id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id),
        participant_id TEXT NOT NULL REFERENCES participants(id),
        enrolment_id TEXT NOT NULL REFERENCES enrolments(id),
        category TEXT NOT NULL CHECK (category IN ('eligibility', 'consent', 'treatment', 'procedure', 'visit-schedule', 'assessment', 'other')),
        rule TEXT NOT NULL,
        field TEXT NOT NULL,
        reason TEXT NOT NULL CHECK (reason <> ''),
        record_kind TEXT,
        record_id TEXT,
        protocol_id TEXT NOT NULL,
        protocol_version TEXT NOT NULL,
        signed_by_user TEXT NOT NULL,
        signed_by_role TEXT,
        signed_at TEXT NOT NULL,
    \(recordBookkeeping))
    """,
    "CREATE INDEX protocol_deviations_site_participant ON protocol_deviations (site_id, participant_id, signed_at)",
    "CREATE INDEX protocol_deviations_enrolment ON protocol_deviations (enrolment_id)",
])
