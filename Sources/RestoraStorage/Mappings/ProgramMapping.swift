import RestoraDomain

enum ProgramMapping: TableMapping {
    typealias Value = Program
    static let table = "programs"
    static let kind = "program"
    static let isClinical = false
    static let uniqueField = "protocol id and version"
    static let columns = [
        Column("id"), Column("protocol_id", path: "protocolID"), Column("protocol_version", path: "protocolVersion"),
        Column("name"), Column("site_ids", .json, path: "siteIDs"),
    ]
    static func id(of value: Program) -> String { value.id.rawValue }

    /// `site_ids` stays JSON text: a list of site ids, reference data rather than a clinical value.
    static func cells(of p: Program) throws -> [String: SQLCell] {
        ["id": .text(p.id.rawValue), "protocol_id": .text(p.protocolID), "protocol_version": .text(p.protocolVersion),
         "name": .text(p.name), "site_ids": try Cell.json(p.siteIDs)]
    }

    static func value(from cells: [String: SQLCell]) throws -> Program {
        let c = StoredCells(cells: cells, table: table)
        return Program(
            id: try c.id("id"), protocolID: try c.text("protocol_id"), protocolVersion: try c.text("protocol_version"),
            name: try c.text("name"), siteIDs: try c.optionalJSON("site_ids") ?? [])
    }
}
