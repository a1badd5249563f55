/// A pre-screened candidate registered as a participant (issue #14 item 8) keeps the link: the participant it
/// became. NULL until then; the link is set once, in the transaction that creates the participant, audited.
/// Candidates stay site-less (contact details for a program, not clinical data), so no `site_id` here.
let m0036_LinkPrescreenCandidates = Migration(name: "0036_LinkPrescreenCandidates", statements: [
    "ALTER TABLE prescreen_candidates ADD COLUMN participant_id TEXT REFERENCES participants(id)",
])
