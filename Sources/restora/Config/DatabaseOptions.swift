import ArgumentParser
import Foundation
import Logging
import RestoraDomain
import RestoraStorage

/// The `--database-url` flag shared by every command that opens the database.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "sqlite:///path/file.sqlite, sqlite::memory: or postgres://user:pass@host:port/db (default: RESTORA_DATABASE_URL, .env, sqlite://restora.sqlite)")
    var databaseURL: String?

    func config() throws -> RestoraConfig {
        try RestoraConfig.load(flags: .init(databaseURL: databaseURL))
    }

    /// The database a reading command (report, export) opens: the demo folder's, or the usual configuration.
    /// It never creates one: a missing SQLite file is a mistake in the URL or folder.
    func existingURL(demoFolder: String?) throws -> String {
        let url = try demoFolder.map { DemoFolder(path: $0).databaseURL } ?? config().databaseURL
        if case let .sqliteFile(path) = try DatabaseLocation(url: url), !FileManager.default.fileExists(atPath: path) {
            throw CLIFailure("no database at \(path): run `restora demo --seed-only` first, or pass --database-url / --demo-folder")
        }
        return url
    }

    /// Opens and migrates the database, runs `body`, and always closes it.
    func withDatabase<R>(logger: Logger, _ body: (StorageDatabase) async throws -> R) async throws -> R {
        let url = try config().databaseURL
        let database = try await StorageDatabase.open(url: url, logger: logger)
        do {
            let result = try await DatabaseFailure.wrap(database.location) {
                try await database.migrator.migrate()
                return try await body(database)
            }
            try await database.shutdown()
            return result
        } catch {
            try? await database.shutdown()
            throw error
        }
    }
}

/// Who a command acts as in the audit trail: the operating-system user at the console, as an admin.
enum CommandLineActor {
    static func context(reason: String? = nil) -> AuditContext {
        let login = ProcessInfo.processInfo.environment["USER"] ?? "unknown"
        return AuditContext(actor: Actor(userID: "cli:\(login)", role: "admin"), requestID: "cli-\(UUIDGenerator().next())", reason: reason)
    }

    static func logger() -> Logger {
        var logger = Logger(label: "restora")
        logger.logLevel = .warning
        return logger
    }
}
