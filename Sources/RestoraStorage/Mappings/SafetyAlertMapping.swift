import RestoraDomain

enum SafetyAlertMapping: TableMapping {
    typealias Value = SafetyAlertRecord
    static let table = "safety_alerts"
    static let kind = "safety alert"
    static let columns = [
        Column("id"), Column("participant_id", path: "participantID"), Column("enrolment_id", path: "enrolmentID"),
        Column("rule_id", path: "ruleID"), Column("action"), Column("message"),
        Column("observation_id", path: "observationID"), Column("adverse_event_id", path: "adverseEventID"),
        Column("raised_at", path: "raisedAt"), Column("status"), Column("acknowledged_by", .json, path: "acknowledgedBy"),
        Column("acknowledged_at", path: "acknowledgedAt"),
    ]
    static func id(of value: SafetyAlertRecord) -> String { value.id.rawValue }
}
