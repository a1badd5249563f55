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
