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

    /// `diagnoses` and `history` stay JSON text for now: short lists shown with the record, not queried by
    /// value (rows of their own would be the next step, like the child tables of issue 13).
    static func cells(of p: Participant) throws -> [String: SQLCell] {
        ["id": .text(p.id.rawValue), "site_id": .text(p.siteID.rawValue), "mrn": .text(p.mrn),
         "given_name": Cell.text(p.givenName), "family_name": Cell.text(p.familyName), "sex": .text(p.sex.rawValue),
         "birth_date": Cell.date(p.birthDate), "postmenopausal": Cell.boolean(p.postmenopausal),
         "diagnoses": try Cell.json(p.diagnoses), "history": try Cell.json(p.history)]
    }

    static func value(from cells: [String: SQLCell]) throws -> Participant {
        let c = StoredCells(cells: cells, table: table)
        return Participant(
            id: try c.id("id"), siteID: try c.id("site_id"), mrn: try c.text("mrn"), givenName: try c.optionalText("given_name"),
            familyName: try c.optionalText("family_name"), sex: try c.enumValue("sex"), birthDate: try c.date("birth_date"),
            postmenopausal: try c.optionalBool("postmenopausal"), diagnoses: try c.optionalJSON("diagnoses") ?? [],
            history: try c.optionalJSON("history") ?? [])
    }

    /// Lower-cased "given family", so the name search is one indexed column on both engines.
    static func derivedCells(of value: Participant) -> [String: SQLCell] {
        ["search_name": .text(searchName(value))]
    }

    static func searchName(_ value: Participant) -> String {
        [value.givenName, value.familyName].compactMap { $0 }.joined(separator: " ").lowercased()
    }
}
