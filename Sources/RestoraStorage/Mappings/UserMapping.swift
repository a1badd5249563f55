import RestoraDomain

enum UserMapping: TableMapping {
    typealias Value = UserAccount
    static let table = "users"
    static let kind = "user"
    static let isClinical = false
    static let uniqueField = "username"
    static let columns = [
        Column("id"), Column("username"), Column("role"), Column("site_ids", .json, path: "siteIDs"),
        Column("active", .boolean), Column("full_name"),
    ]
    static func id(of value: UserAccount) -> String { value.id.rawValue }

    /// `site_ids` stays JSON text: the user's list of sites (access control, not clinical data).
    static func cells(of u: UserAccount) throws -> [String: SQLCell] {
        ["id": .text(u.id.rawValue), "username": .text(u.username), "role": .text(u.role.rawValue),
         "site_ids": try Cell.json(u.siteIDs), "active": .boolean(u.active),
         "full_name": Cell.text(u.fullName)]
    }

    static func value(from cells: [String: SQLCell]) throws -> UserAccount {
        let c = StoredCells(cells: cells, table: table)
        return UserAccount(
            id: try c.id("id"), username: try c.text("username"), role: try c.enumValue("role"),
            siteIDs: try c.optionalJSON("site_ids") ?? [], active: try c.bool("active"),
            fullName: try c.optionalText("full_name"))
    }
}
