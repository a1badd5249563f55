/// FHIR Patient, ResearchSubject and Consent search (issue #17, SQLFHIRPatientSearch): keyset pages sorted by
/// `_lastUpdated` or `birthdate` read one index range each instead of sorting every participant per page, and an
/// `identifier` without a system (an MRN at any site) and a Consent `patient` search are index lookups.
let m0047_FHIRPatientSearchIndexes = Migration(name: "0047_FHIRPatientSearchIndexes", statements: [
    "CREATE INDEX participants_updated ON participants (updated_at, id)",
    "CREATE INDEX participants_birth_date ON participants (birth_date, id)",
    "CREATE INDEX participants_mrn ON participants (mrn)",
    "CREATE INDEX enrolments_updated ON enrolments (updated_at, id)",
    "CREATE INDEX consent_records_participant ON consent_records (participant_id)",
])
