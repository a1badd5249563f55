import RestoraDomain

enum ObservationMapping: TableMapping {
    typealias Value = Observation
    static let table = "observations"
    static let kind = "observation"
    static let columns = [
        Column("id"), Column("participant_id", path: "participantID"), Column("enrolment_id", path: "enrolmentID"),
        Column("visit_id", path: "visitID"), Column("panel_id", path: "panelID"),
        Column("code_system", path: "code.system"), Column("code", path: "code.code"),
        Column("code_display", path: "code.display"), Column("value", .json), Column("effective"),
        Column("specimen", .json), Column("body_site", path: "bodySite"), Column("note"),
        Column("upper_limit_of_normal", .real, path: "upperLimitOfNormal"),
    ]
    static func id(of value: Observation) -> String { value.id.rawValue }
}
