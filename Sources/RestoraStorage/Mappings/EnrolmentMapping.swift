import RestoraDomain

enum EnrolmentMapping: TableMapping {
    typealias Value = Enrolment
    static let table = "enrolments"
    static let kind = "enrolment"
    /// The one unique index of enrolments (migration 0021).
    static let uniqueField = "program that is still open for this participant"
    static let columns = [
        Column("id"), Column("participant_id", path: "participantID"), Column("program_id", path: "programID"),
        Column("site_id", path: "siteID"), Column("arm_id", path: "armID"), Column("status"),
        Column("transitions", .json),
    ]
    static func id(of value: Enrolment) -> String { value.id.rawValue }
}
