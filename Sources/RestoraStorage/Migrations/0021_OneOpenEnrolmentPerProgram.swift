/// One open enrolment per participant and program (issue #12 item 5): a second one doubled every safety
/// alert of the participant's values. "Open" is every status but the closed ones of
/// `ClinicalEntry.closedStatuses`; a screen failure, completion, withdrawal or loss to follow-up frees the
/// program for a new enrolment. Both engines support partial unique indexes. A database that already holds
/// two open enrolments of one participant in one program stops at this migration (the constraint error
/// names the index): close the extra enrolment with the previous release first (README "Upgrading").
let m0021_OneOpenEnrolmentPerProgram = Migration(name: "0021_OneOpenEnrolmentPerProgram", statements: [
    """
    CREATE UNIQUE INDEX enrolments_one_open_per_program ON enrolments (participant_id, program_id)
    WHERE deleted_at IS NULL AND status NOT IN ('screen-failed', 'completed', 'withdrawn', 'lost-to-follow-up')
    """,
], ifDataConflicts: "a participant has two open enrolments in one program; withdraw the extra one with the previous release (see README \"Upgrading\"), then start again")
