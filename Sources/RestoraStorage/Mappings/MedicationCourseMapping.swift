import RestoraDomain

enum MedicationCourseMapping: TableMapping {
    typealias Value = MedicationCourse
    static let table = "medication_courses"
    static let kind = "medication course"
    static let columns = [
        Column("id"), Column("participant_id", path: "participantID"), Column("enrolment_id", path: "enrolmentID"),
        Column("drug", .json), Column("dose", .json), Column("route"), Column("times_per_day", .integer, path: "timesPerDay"),
        Column("start_date", path: "start"), Column("planned_stop", path: "plannedStop"), Column("stop_date", path: "stop"),
        Column("status"), Column("dispensings", .json), Column("stop_reason", path: "stopReason"),
    ]
    static func id(of value: MedicationCourse) -> String { value.id.rawValue }
}
