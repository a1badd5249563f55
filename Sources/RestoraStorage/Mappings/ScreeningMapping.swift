import RestoraDomain

/// Keeps the JSON coder: the stored `report` (the whole eligibility report, criterion by criterion) is JSON
/// text by design — a document shown as recorded, never filtered by value — and `ScreeningRecord` derives
/// protocol, date and verdict from it, so an explicit coder would save little.
enum ScreeningMapping: TableMapping {
    typealias Value = ScreeningRecord
    static let table = "screenings"
    static let kind = "screening"
    static let columns = [
        Column("id"), Column("participant_id", path: "participantID"), Column("enrolment_id", path: "enrolmentID"),
        Column("protocol_id", path: "protocolID"), Column("protocol_version", path: "protocolVersion"),
        Column("screened_on", path: "screenedOn"), Column("verdict"), Column("report", .json),
        Column("screened_by", .json, path: "screenedBy"),
    ]
    static func id(of value: ScreeningRecord) -> String { value.id.rawValue }
}
