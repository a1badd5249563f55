import RestoraDomain

enum ParticipantMapping: TableMapping {
    typealias Value = Participant
    static let table = "participants"
    static let kind = "participant"
    static let uniqueField = "MRN at this site"
    static let columns = [
        Column("id"), Column("site_id", path: "siteID"), Column("mrn"), Column("given_name", path: "givenName"),
        Column("family_name", path: "familyName"), Column("sex"), Column("birth_date", path: "birthDate"),
        Column("postmenopausal", .boolean), Column("diagnoses", .json), Column("history", .json),
    ]
    static func id(of value: Participant) -> String { value.id.rawValue }

    /// Lower-cased "given family", so the name search is one indexed column on both engines.
    static func derivedCells(of value: Participant) -> [String: SQLCell] {
        ["search_name": .text(searchName(value))]
    }

    static func searchName(_ value: Participant) -> String {
        [value.givenName, value.familyName].compactMap { $0 }.joined(separator: " ").lowercased()
    }
}

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
