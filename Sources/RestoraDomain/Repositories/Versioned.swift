import Foundation

/// A stored record with its optimistic-concurrency version (the HTTP `ETag`) and its timestamps.
/// Version 1 is the created record; every successful update adds one.
public struct Versioned<Value: Sendable>: Sendable {
    public var value: Value
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(value: Value, version: Int, createdAt: Date, updatedAt: Date) {
        self.value = value
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension Versioned: Equatable where Value: Equatable {}

/// A page of results and the opaque cursor of the next page (nil on the last page).
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}
