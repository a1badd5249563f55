/// A protocol (treatment program or trial) run at one or more sites, pinned to a protocol version.
public struct Program: Hashable, Sendable, Codable, Identifiable {
    public var id: Identifier<Program>
    public var protocolID: String
    public var protocolVersion: String
    public var name: String
    public var siteIDs: [Identifier<Site>]

    public init(id: Identifier<Program>, protocolID: String, protocolVersion: String, name: String, siteIDs: [Identifier<Site>]) {
        self.id = id
        self.protocolID = protocolID
        self.protocolVersion = protocolVersion
        self.name = name
        self.siteIDs = siteIDs
    }
}
