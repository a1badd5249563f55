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

/// Time-ordered UUIDs (version 7, RFC 9562 §5.7): the first 48 bits are the Unix time in milliseconds, the other
/// 74 bits (beside the version and variant) random. Records created one after another get ids that sort one after
/// another, so a bulk insert appends to the id indexes (the primary key, the audit log's record index) instead of
/// dirtying a random page of each per row (README "Decisions": record ids are time-ordered).
public struct UUIDGenerator: IDGenerator {
    let clock: any Clock

    public init(clock: any Clock = SystemClock()) { self.clock = clock }

    public func next() -> String {
        let milliseconds = UInt64(max(0, (clock.now().timeIntervalSince1970 * 1000).rounded(.down)))
        var bytes = UUID().uuid  // 122 random bits; the first 48 become the time, the version and variant are set
        bytes.0 = UInt8(truncatingIfNeeded: milliseconds >> 40)
        bytes.1 = UInt8(truncatingIfNeeded: milliseconds >> 32)
        bytes.2 = UInt8(truncatingIfNeeded: milliseconds >> 24)
        bytes.3 = UInt8(truncatingIfNeeded: milliseconds >> 16)
        bytes.4 = UInt8(truncatingIfNeeded: milliseconds >> 8)
        bytes.5 = UInt8(truncatingIfNeeded: milliseconds)
        bytes.6 = 0x70 | (bytes.6 & 0x0F)
        bytes.8 = 0x80 | (bytes.8 & 0x3F)
        return UUID(uuid: bytes).uuidString.lowercased()
    }
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
