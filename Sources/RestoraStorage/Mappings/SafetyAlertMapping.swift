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
        // Migration 0039 (issue #15 item 4).
        Column("clinical_date", path: "clinicalDate"), Column("acknowledgement_comment", path: "acknowledgementComment"),
        Column("hold_lifted_by", .json, path: "holdLiftedBy"), Column("hold_lifted_at", path: "holdLiftedAt"),
        Column("hold_lift_reason", path: "holdLiftReason"),
    ]
    static func id(of value: SafetyAlertRecord) -> String { value.id.rawValue }

    /// `acknowledged_by` stays JSON text: who acknowledged (user id and role), not a clinical value.
    static func cells(of a: SafetyAlertRecord) throws -> [String: SQLCell] {
        ["id": .text(a.id.rawValue), "participant_id": .text(a.participantID.rawValue), "enrolment_id": Cell.id(a.enrolmentID),
         "rule_id": .text(a.ruleID), "action": .text(a.action.rawValue), "message": .text(a.message),
         "observation_id": Cell.id(a.observationID), "adverse_event_id": Cell.id(a.adverseEventID),
         "raised_at": Cell.instant(a.raisedAt), "status": .text(a.status.rawValue),
         "acknowledged_by": try Cell.json(a.acknowledgedBy), "acknowledged_at": Cell.instant(a.acknowledgedAt),
         "clinical_date": Cell.date(a.clinicalDate), "acknowledgement_comment": Cell.text(a.acknowledgementComment),
         "hold_lifted_by": try Cell.json(a.holdLiftedBy), "hold_lifted_at": Cell.instant(a.holdLiftedAt),
         "hold_lift_reason": Cell.text(a.holdLiftReason)]
    }

    static func value(from cells: [String: SQLCell]) throws -> SafetyAlertRecord {
        let c = StoredCells(cells: cells, table: table)
        return SafetyAlertRecord(
            id: try c.id("id"), participantID: try c.id("participant_id"), enrolmentID: try c.optionalID("enrolment_id"),
            ruleID: try c.text("rule_id"), action: try c.enumValue("action"), message: try c.text("message"),
            observationID: try c.optionalID("observation_id"), adverseEventID: try c.optionalID("adverse_event_id"),
            raisedAt: try c.instant("raised_at"), status: try c.enumValue("status"),
            acknowledgedBy: try c.optionalJSON("acknowledged_by"), acknowledgedAt: try c.optionalInstant("acknowledged_at"),
            clinicalDate: try c.optionalDate("clinical_date"), acknowledgementComment: try c.optionalText("acknowledgement_comment"),
            holdLiftedBy: try c.optionalJSON("hold_lifted_by"), holdLiftedAt: try c.optionalInstant("hold_lifted_at"),
            holdLiftReason: try c.optionalText("hold_lift_reason"))
    }
}
