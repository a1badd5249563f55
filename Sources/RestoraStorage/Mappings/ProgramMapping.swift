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
}
