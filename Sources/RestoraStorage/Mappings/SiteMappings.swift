import RestoraDomain

enum SiteMapping: TableMapping {
    typealias Value = Site
    static let table = "sites"
    static let kind = "site"
    static let isClinical = false
    static let uniqueField = "code"
    static let columns = [Column("id"), Column("code"), Column("name"), Column("time_zone", path: "timeZone")]
    static func id(of value: Site) -> String { value.id.rawValue }
}

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

enum UserMapping: TableMapping {
    typealias Value = UserAccount
    static let table = "users"
    static let kind = "user"
    static let isClinical = false
    static let uniqueField = "username"
    static let columns = [
        Column("id"), Column("username"), Column("role"), Column("site_ids", .json, path: "siteIDs"),
        Column("active", .boolean),
    ]
    static func id(of value: UserAccount) -> String { value.id.rawValue }
}
