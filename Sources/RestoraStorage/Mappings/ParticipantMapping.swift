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
