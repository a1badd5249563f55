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
}
