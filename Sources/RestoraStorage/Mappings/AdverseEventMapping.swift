import RestoraDomain

enum AdverseEventMapping: TableMapping {
    typealias Value = AdverseEvent
    static let table = "adverse_events"
    static let kind = "adverse event"
    static let columns = [
        Column("id"), Column("participant_id", path: "participantID"), Column("enrolment_id", path: "enrolmentID"),
        Column("term"), Column("grade", .integer), Column("seriousness", .json), Column("expected", .boolean),
        Column("relatedness"), Column("onset"), Column("resolution"), Column("outcome"),
        Column("action_taken", path: "actionTaken"), Column("sponsor_aware_on", path: "sponsorAwareOn"), Column("note"),
    ]
    static func id(of value: AdverseEvent) -> String { value.id.rawValue }

    /// `seriousness` stays JSON text: a short list of ICH E2A criteria (empty for a non-serious event).
    static func cells(of e: AdverseEvent) throws -> [String: SQLCell] {
        ["id": .text(e.id.rawValue), "participant_id": .text(e.participantID.rawValue), "enrolment_id": Cell.id(e.enrolmentID),
         "term": .text(e.term), "grade": .integer(e.grade), "seriousness": try Cell.json(e.seriousness),
         "expected": .boolean(e.expected), "relatedness": .text(e.relatedness.rawValue), "onset": Cell.date(e.onset),
         "resolution": Cell.date(e.resolution), "outcome": .text(e.outcome.rawValue), "action_taken": .text(e.actionTaken.rawValue),
         "sponsor_aware_on": Cell.date(e.sponsorAwareOn), "note": Cell.text(e.note)]
    }

    static func value(from cells: [String: SQLCell]) throws -> AdverseEvent {
        let c = StoredCells(cells: cells, table: table)
        return AdverseEvent(
            id: try c.id("id"), participantID: try c.id("participant_id"), enrolmentID: try c.optionalID("enrolment_id"),
            term: try c.text("term"), grade: try c.integer("grade"), seriousness: try c.optionalJSON("seriousness") ?? [],
            expected: try c.bool("expected"), relatedness: try c.enumValue("relatedness"), onset: try c.date("onset"),
            resolution: try c.optionalDate("resolution"), outcome: try c.enumValue("outcome"),
            actionTaken: try c.enumValue("action_taken"), sponsorAwareOn: try c.optionalDate("sponsor_aware_on"),
            note: try c.optionalText("note"))
    }
}
