/// A clinic or hospital where a program runs. `code` is the short business identifier (unique).
public struct Site: Hashable, Sendable, Codable, Identifiable {
    public var id: Identifier<Site>
    public var code: String
    public var name: String
    public var timeZone: String

    public init(id: Identifier<Site>, code: String, name: String, timeZone: String = "UTC") {
        self.id = id
        self.code = code
        self.name = name
        self.timeZone = timeZone
    }
}
