import RestoraDomain

enum VisitMapping: TableMapping {
    typealias Value = Visit
    static let table = "visits"
    static let kind = "visit"
    static let uniqueField = "visit key in this enrolment"
    static let columns = [
        Column("id"), Column("enrolment_id", path: "enrolmentID"), Column("visit_key", path: "visitKey"),
        Column("planned_day", .integer, path: "plannedDay"), Column("window_before", .integer, path: "windowBefore"),
        Column("window_after", .integer, path: "windowAfter"), Column("actual_date", path: "actualDate"),
        Column("status"), Column("note"),
    ]
    static func id(of value: Visit) -> String { value.id.rawValue }

    static func cells(of v: Visit) throws -> [String: SQLCell] {
        ["id": .text(v.id.rawValue), "enrolment_id": .text(v.enrolmentID.rawValue), "visit_key": .text(v.visitKey),
         "planned_day": .integer(v.plannedDay), "window_before": .integer(v.windowBefore), "window_after": .integer(v.windowAfter),
         "actual_date": Cell.date(v.actualDate), "status": .text(v.status.rawValue), "note": Cell.text(v.note)]
    }

    static func value(from cells: [String: SQLCell]) throws -> Visit {
        let c = StoredCells(cells: cells, table: table)
        return Visit(
            id: try c.id("id"), enrolmentID: try c.id("enrolment_id"), visitKey: try c.text("visit_key"),
            plannedDay: try c.integer("planned_day"), windowBefore: try c.integer("window_before"),
            windowAfter: try c.integer("window_after"), actualDate: try c.optionalDate("actual_date"),
            status: try c.enumValue("status"), note: try c.optionalText("note"))
    }
}
