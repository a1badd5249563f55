import Foundation

/// Injected time, so rules and tests never read the wall clock directly.
public protocol Clock: Sendable {
    func now() -> Date
}

public struct SystemClock: Clock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that always answers the same instant (tests, demo data, replays).
public struct FixedClock: Clock {
    public let instant: Date
    public init(_ instant: Date) { self.instant = instant }
    public func now() -> Date { instant }
}

/// Injected identity generation, so tests get deterministic ids.
public protocol IDGenerator: Sendable {
    func next() -> String
}

public struct UUIDGenerator: IDGenerator {
    public init() {}
    public func next() -> String { UUID().uuidString.lowercased() }
}

/// Who did something, for transitions, custody events and audit: a user id and the role they acted in.
public struct Actor: Hashable, Sendable, Codable, CustomStringConvertible {
    public var userID: String
    public var role: String?

    public init(userID: String, role: String? = nil) {
        self.userID = userID
        self.role = role
    }

    public var description: String { role.map { "\(userID) (\($0))" } ?? userID }
}
