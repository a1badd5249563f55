import RestoraDomain

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
