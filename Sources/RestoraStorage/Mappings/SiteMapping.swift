import RestoraDomain

enum SiteMapping: TableMapping {
    typealias Value = Site
    static let table = "sites"
    static let kind = "site"
    static let isClinical = false
    static let uniqueField = "code"
    static let columns = [Column("id"), Column("code"), Column("name"), Column("time_zone", path: "timeZone")]
    static func id(of value: Site) -> String { value.id.rawValue }

    static func cells(of s: Site) throws -> [String: SQLCell] {
        ["id": .text(s.id.rawValue), "code": .text(s.code), "name": .text(s.name), "time_zone": .text(s.timeZone)]
    }

    static func value(from cells: [String: SQLCell]) throws -> Site {
        let c = StoredCells(cells: cells, table: table)
        return Site(id: try c.id("id"), code: try c.text("code"), name: try c.text("name"), timeZone: try c.text("time_zone"))
    }
}
