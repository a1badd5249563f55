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
}
