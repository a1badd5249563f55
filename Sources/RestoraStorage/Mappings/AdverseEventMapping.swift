import RestoraDomain

/// An adverse event's row: its CTCAE coding, expectedness basis, causality assessor and reporting-clock
/// columns (migration 0038). `report_due_on` is derived (`AdverseEvent.openReportingClock`): written from the
/// value on every write so the dashboard can list open clocks by index; read back it is recomputed, never trusted.
enum AdverseEventMapping: TableMapping {
    typealias Value = AdverseEvent
    static let table = "adverse_events"
    static let kind = "adverse event"
    static let columns = [
        Column("id"), Column("participant_id", path: "participantID"), Column("enrolment_id", path: "enrolmentID"),
        Column("term"), Column("grade", .integer), Column("seriousness", .json), Column("expected", .boolean),
        Column("relatedness"), Column("onset"), Column("resolution"), Column("outcome"),
        Column("action_taken", path: "actionTaken"), Column("sponsor_aware_on", path: "sponsorAwareOn"), Column("note"),
        Column("meddra_code", path: "meddraCode"), Column("system_organ_class", path: "systemOrganClass"),
        Column("other_specify", path: "otherSpecify"), Column("expected_basis", path: "expectedBasis"),
        Column("causality_assessed_by", path: "causalityAssessedBy"),
        Column("initial_report_on", path: "initialReport.submittedOn"), Column("initial_report_by", path: "initialReport.submittedBy"),
        Column("initial_report_reference", path: "initialReport.reference"),
        Column("follow_up_received_on", path: "followUpReceivedOn"),
        Column("follow_up_report_on", path: "followUpReport.submittedOn"), Column("follow_up_report_by", path: "followUpReport.submittedBy"),
        Column("follow_up_report_reference", path: "followUpReport.reference"),
        Column("report_due_on", path: "reportDueOn"),
    ]
    static func id(of value: AdverseEvent) -> String { value.id.rawValue }

    /// `seriousness` stays JSON text: a short list of ICH E2A criteria (empty for a non-serious event).
    static func cells(of e: AdverseEvent) throws -> [String: SQLCell] {
        ["id": .text(e.id.rawValue), "participant_id": .text(e.participantID.rawValue), "enrolment_id": Cell.id(e.enrolmentID),
         "term": .text(e.term), "grade": .integer(e.grade), "seriousness": try Cell.json(e.seriousness),
         "expected": .boolean(e.expected), "relatedness": .text(e.relatedness.rawValue), "onset": Cell.date(e.onset),
         "resolution": Cell.date(e.resolution), "outcome": .text(e.outcome.rawValue), "action_taken": .text(e.actionTaken.rawValue),
         "sponsor_aware_on": Cell.date(e.sponsorAwareOn), "note": Cell.text(e.note),
         "meddra_code": Cell.text(e.meddraCode), "system_organ_class": Cell.text(e.systemOrganClass),
         "other_specify": Cell.text(e.otherSpecify), "expected_basis": Cell.text(e.expectedBasis),
         "causality_assessed_by": Cell.text(e.causalityAssessedBy),
         "initial_report_on": Cell.date(e.initialReport?.submittedOn), "initial_report_by": Cell.text(e.initialReport?.submittedBy),
         "initial_report_reference": Cell.text(e.initialReport?.reference),
         "follow_up_received_on": Cell.date(e.followUpReceivedOn),
         "follow_up_report_on": Cell.date(e.followUpReport?.submittedOn), "follow_up_report_by": Cell.text(e.followUpReport?.submittedBy),
         "follow_up_report_reference": Cell.text(e.followUpReport?.reference),
         "report_due_on": Cell.date(e.reportDueOn)]
    }

    static func value(from cells: [String: SQLCell]) throws -> AdverseEvent {
        let c = StoredCells(cells: cells, table: table)
        func submission(_ kind: ReportSubmission.Kind, _ prefix: String) throws -> ReportSubmission? {
            guard let on = try c.optionalDate("\(prefix)_on") else { return nil }
            return ReportSubmission(kind: kind, submittedOn: on, submittedBy: try c.optionalText("\(prefix)_by") ?? "",
                                    reference: try c.optionalText("\(prefix)_reference") ?? "")
        }
        return AdverseEvent(
            id: try c.id("id"), participantID: try c.id("participant_id"), enrolmentID: try c.optionalID("enrolment_id"),
            term: try c.text("term"), grade: try c.integer("grade"), seriousness: try c.optionalJSON("seriousness") ?? [],
            expected: try c.bool("expected"), relatedness: try c.enumValue("relatedness"), onset: try c.date("onset"),
            resolution: try c.optionalDate("resolution"), outcome: try c.enumValue("outcome"),
            actionTaken: try c.enumValue("action_taken"), sponsorAwareOn: try c.optionalDate("sponsor_aware_on"),
            note: try c.optionalText("note"), meddraCode: try c.optionalText("meddra_code"),
            systemOrganClass: try c.optionalText("system_organ_class"), otherSpecify: try c.optionalText("other_specify"),
            expectedBasis: try c.optionalText("expected_basis"), causalityAssessedBy: try c.optionalText("causality_assessed_by"),
            initialReport: try submission(.initial, "initial_report"), followUpReceivedOn: try c.optionalDate("follow_up_received_on"),
            followUpReport: try submission(.followUp, "follow_up_report"))
    }
}
