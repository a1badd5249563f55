import RestoraDomain

/// Protocol deviations (migration 0031): typed columns, the signature as user and role columns.
enum ProtocolDeviationMapping: TableMapping {
    typealias Value = ProtocolDeviation
    static let table = "protocol_deviations"
    static let kind = "protocol deviation"
    static let columns = [
        Column("id"), Column("participant_id"), Column("enrolment_id"), Column("category"), Column("rule"), Column("field"),
        Column("reason"), Column("record_kind"), Column("record_id"), Column("protocol_id"), Column("protocol_version"),
        Column("signed_by_user"), Column("signed_by_role"), Column("signed_at"),
    ]
    static func id(of value: ProtocolDeviation) -> String { value.id.rawValue }

    static func cells(of d: ProtocolDeviation) throws -> [String: SQLCell] {
        ["id": .text(d.id.rawValue), "participant_id": .text(d.participantID.rawValue), "enrolment_id": .text(d.enrolmentID.rawValue),
         "category": .text(d.category.rawValue), "rule": .text(d.rule), "field": .text(d.field), "reason": .text(d.reason),
         "record_kind": Cell.text(d.recordKind), "record_id": Cell.text(d.recordID), "protocol_id": .text(d.protocolID),
         "protocol_version": .text(d.protocolVersion), "signed_by_user": .text(d.signedBy.userID),
         "signed_by_role": Cell.text(d.signedBy.role), "signed_at": Cell.instant(d.signedAt)]
    }

    static func value(from cells: [String: SQLCell]) throws -> ProtocolDeviation {
        let c = StoredCells(cells: cells, table: table)
        return ProtocolDeviation(
            id: try c.id("id"), participantID: try c.id("participant_id"), enrolmentID: try c.id("enrolment_id"),
            category: try c.enumValue("category"), rule: try c.text("rule"), field: try c.text("field"), reason: try c.text("reason"),
            recordKind: try c.optionalText("record_kind"), recordID: try c.optionalText("record_id"),
            protocolID: try c.text("protocol_id"), protocolVersion: try c.text("protocol_version"),
            signedBy: Actor(userID: try c.text("signed_by_user"), role: try c.optionalText("signed_by_role")),
            signedAt: try c.instant("signed_at"))
    }
}
