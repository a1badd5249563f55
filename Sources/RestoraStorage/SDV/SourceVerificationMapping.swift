import RestoraDomain

/// `source_verifications` (migration 0046): one SDV mark. Not clinical data (a statement about it), appended only.
enum SourceVerificationMapping: TableMapping {
    typealias Value = SourceVerificationMark
    static let table = "source_verifications"
    static let kind = "source verification"
    static let isClinical = false
    static let columns = [
        Column("id"), Column("participant_id"), Column("record_kind"), Column("record_id"), Column("field"),
        Column("record_version", .integer), Column("scope"), Column("visit_id"), Column("verified_by_user"), Column("verified_by_role"),
        Column("verified_at"), Column("note"),
    ]
    static func id(of value: SourceVerificationMark) -> String { value.id.rawValue }

    static func cells(of m: SourceVerificationMark) throws -> [String: SQLCell] {
        ["id": .text(m.id.rawValue), "participant_id": .text(m.participantID.rawValue), "record_kind": .text(m.recordKind),
         "record_id": .text(m.recordID), "field": Cell.text(m.field), "record_version": .integer(m.recordVersion),
         "scope": .text(m.scope.rawValue), "visit_id": Cell.text(m.visitID?.rawValue), "verified_by_user": .text(m.verifiedBy.userID),
         "verified_by_role": Cell.text(m.verifiedBy.role), "verified_at": Cell.instant(m.verifiedAt), "note": Cell.text(m.note)]
    }

    static func value(from cells: [String: SQLCell]) throws -> SourceVerificationMark {
        let c = StoredCells(cells: cells, table: table)
        return SourceVerificationMark(
            id: try c.id("id"), participantID: try c.id("participant_id"), recordKind: try c.text("record_kind"),
            recordID: try c.text("record_id"), field: try c.optionalText("field"), recordVersion: try c.integer("record_version"),
            scope: try c.enumValue("scope"), visitID: try c.optionalText("visit_id").map { Identifier($0) },
            verifiedBy: Actor(userID: try c.text("verified_by_user"), role: try c.optionalText("verified_by_role")),
            verifiedAt: try c.instant("verified_at"), note: try c.optionalText("note"))
    }
}

/// `data_query_messages` (migration 0046): the steps of a data query's thread, child rows of `data_queries`.
enum DataQueryMessageRows: ChildRowMapping {
    static let table = "data_query_messages"
    static let parentColumn = "data_query_id"
    static let columns = [Column("kind"), Column("text"), Column("by_user"), Column("by_role"), Column("at")]

    static func cells(of m: DataQueryMessage) -> [String: SQLCell] {
        ["kind": .text(m.kind.rawValue), "text": Cell.text(m.text), "by_user": .text(m.by.userID), "by_role": Cell.text(m.by.role),
         "at": Cell.instant(m.at)]
    }

    static func item(from cells: [String: SQLCell]) throws -> DataQueryMessage {
        let row = stored(cells)
        return DataQueryMessage(kind: try row.enumValue("kind"), text: try row.optionalText("text"),
                                by: Actor(userID: try row.text("by_user"), role: try row.optionalText("by_role")), at: try row.optionalInstant("at"))
    }
}
