/// A typed identifier: `Identifier<Participant>` and `Identifier<Site>` cannot be mixed up.
/// Encoded as a plain string.
public struct Identifier<Entity>: Hashable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral, Comparable
{
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public init(from decoder: Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
