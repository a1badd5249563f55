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
    ]
    static func id(of value: DataQuery) -> String { value.id.rawValue }
}
