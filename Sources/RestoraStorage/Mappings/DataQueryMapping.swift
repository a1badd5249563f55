import RestoraDomain

/// Queries are conversation about the data, not clinical data: answering one needs no reason for change.
enum DataQueryMapping: TableMapping {
    typealias Value = DataQuery
    static let table = "data_queries"
    static let kind = "data query"
    static let isClinical = false
    static let columns = [
        Column("id"), Column("participant_id", path: "participantID"), Column("record_kind", path: "recordKind"),
        Column("record_id", path: "recordID"), Column("field"), Column("question"), Column("raised_by", .json, path: "raisedBy"),
        Column("raised_at", path: "raisedAt"), Column("answer"), Column("answered_by", .json, path: "answeredBy"), Column("status"),
        // Migration 0039 (issue #19: closed queries stay readable with who closed them and why).
        Column("closed_by", .json, path: "closedBy"), Column("closed_at", path: "closedAt"), Column("close_note", path: "closeNote"),
    ]
    static func id(of value: DataQuery) -> String { value.id.rawValue }

    /// `raised_by` / `answered_by` stay JSON text: who (user id and role), not clinical values.
    static func cells(of q: DataQuery) throws -> [String: SQLCell] {
        ["id": .text(q.id.rawValue), "participant_id": .text(q.participantID.rawValue), "record_kind": Cell.text(q.recordKind),
         "record_id": Cell.text(q.recordID), "field": Cell.text(q.field), "question": .text(q.question),
         "raised_by": try Cell.json(q.raisedBy), "raised_at": Cell.instant(q.raisedAt), "answer": Cell.text(q.answer),
         "answered_by": try Cell.json(q.answeredBy), "status": .text(q.status.rawValue),
         "closed_by": try Cell.json(q.closedBy), "closed_at": Cell.instant(q.closedAt), "close_note": Cell.text(q.closeNote)]
    }

    static func value(from cells: [String: SQLCell]) throws -> DataQuery {
        let c = StoredCells(cells: cells, table: table)
        return DataQuery(
            id: try c.id("id"), participantID: try c.id("participant_id"), recordKind: try c.optionalText("record_kind"),
            recordID: try c.optionalText("record_id"), field: try c.optionalText("field"), question: try c.text("question"),
            raisedBy: try c.json("raised_by"), raisedAt: try c.instant("raised_at"), answer: try c.optionalText("answer"),
            answeredBy: try c.optionalJSON("answered_by"), status: try c.enumValue("status"),
            closedBy: try c.optionalJSON("closed_by"), closedAt: try c.optionalInstant("closed_at"), closeNote: try c.optionalText("close_note"))
    }
}
