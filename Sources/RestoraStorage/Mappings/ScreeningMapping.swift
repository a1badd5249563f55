import RestoraDomain

/// The stored `report` (the whole eligibility report, criterion by criterion) is JSON text by design — a document
/// shown as recorded, never filtered by value — beside the columns the gate and the lists read (protocol, version,
/// date, verdict). The coder is explicit: the generic JSON coder turned a 6 KB report into a JSON tree and back
/// twice per write and per read, 5–6 % of the demo seed's CPU. The cells are the ones the generic coder wrote
/// (`ScreeningMappingTests` compares them).
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

    static func cells(of s: ScreeningRecord) throws -> [String: SQLCell] {
        ["id": Cell.id(s.id), "participant_id": Cell.id(s.participantID), "enrolment_id": Cell.id(s.enrolmentID),
         "protocol_id": .text(s.protocolID), "protocol_version": .text(s.protocolVersion), "screened_on": Cell.date(s.screenedOn),
         "verdict": Cell.enumValue(s.verdict), "report": try Cell.json(s.report), "screened_by": try Cell.json(s.screenedBy)]
    }

    static func value(from cells: [String: SQLCell]) throws -> ScreeningRecord {
        let c = StoredCells(cells: cells, table: table)
        var record = ScreeningRecord(
            id: try c.id("id"), participantID: try c.id("participant_id"), enrolmentID: try c.id("enrolment_id"),
            report: try c.json("report"), screenedBy: try c.json("screened_by"))
        // The columns as stored (the record's init derives them from the report, which they were written from).
        record.protocolID = try c.text("protocol_id")
        record.protocolVersion = try c.text("protocol_version")
        record.screenedOn = try c.date("screened_on")
        record.verdict = try c.enumValue("verdict")
        return record
    }
}
