import Foundation

/// Where the data lives, parsed from one URL so that flags, environment and `.env` all speak the same form:
/// `sqlite:///absolute/path.sqlite`, `sqlite://relative/path.sqlite`, `sqlite::memory:`,
/// `postgres://user:pass@host:5432/db`.
public enum DatabaseLocation: Hashable, Sendable {
    case sqliteFile(path: String)
    case sqliteMemory
    case postgres(url: String)

    public init(url text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "sqlite::memory:" || trimmed == "sqlite://:memory:" {
            self = .sqliteMemory
        } else if trimmed.hasPrefix("sqlite://") {
            let path = String(trimmed.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw StorageError.badDatabaseURL("sqlite URL has no file path") }
            self = .sqliteFile(path: path)
        } else if trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://") {
            guard URL(string: trimmed)?.host != nil else {
                throw StorageError.badDatabaseURL("postgres URL has no host")
            }
            self = .postgres(url: trimmed)
        } else {
            throw StorageError.badDatabaseURL("use sqlite:///path/file.sqlite, sqlite::memory: or postgres://user:pass@host:port/db")
        }
    }

    /// The location without credentials, safe for logs.
    public var redacted: String {
        switch self {
        case let .sqliteFile(path): return "sqlite://\(path)"
        case .sqliteMemory: return "sqlite::memory:"
        case let .postgres(url):
            guard let parsed = URL(string: url) else { return "postgres://(unparseable)" }
            return "postgres://\(parsed.host ?? "?"):\(parsed.port ?? 5432)\(parsed.path)"
        }
    }

    /// The host of a PostgreSQL URL (nil for SQLite): the test harness refuses anything not on loopback.
    public var host: String? {
        if case let .postgres(url) = self { return URL(string: url)?.host }
        return nil
    }
}

/// Storage-level failures that are not a domain refusal. Messages never contain credentials.
public enum StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    case badDatabaseURL(String)
    case corruptRecord(table: String, column: String)
    case migrationFailed(name: String)
    /// Stored data breaks a constraint the migration adds; nothing of the migration was applied.
    case migrationBlockedByData(name: String, advice: String)
    /// A data move's check found rows it did not carry over; nothing of the migration was applied.
    case migrationVerificationFailed(name: String, what: String, count: Int)

    public var description: String {
        switch self {
        case let .badDatabaseURL(why): return "bad database URL: \(why)"
        case let .corruptRecord(table, column): return "stored \(table).\(column) cannot be read back"
        case let .migrationFailed(name): return "migration \(name) failed"
        case let .migrationBlockedByData(name, advice):
            return "migration \(name) was not applied: stored data breaks the constraint it adds (\(advice))"
        case let .migrationVerificationFailed(name, what, count):
            return "migration \(name) was not applied: its check found \(count) \(what); nothing was changed"
        }
    }
}
