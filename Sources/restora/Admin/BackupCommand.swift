import ArgumentParser
import Foundation
import Logging
import RestoraDomain
import RestoraStorage

/// `restora backup --output FILE`: a consistent copy of the embedded SQLite database, safe while the server is
/// serving and writing (`VACUUM INTO`). The copy's audit trail is then checked like `restora audit verify`.
/// PostgreSQL is backed up with pg_dump (README "Deploying").
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Copy the SQLite database to a file, safely while serving; the copy's audit trail is verified.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The backup file to write (must not exist, unless --force).") var output: String
    @Flag(help: "Replace an existing --output file.") var force = false

    func run() async throws {
        let command = self
        try await runReportingErrors { try await command.execute() }
    }

    func execute() async throws {
        let location = try DatabaseLocation(url: try database.config().databaseURL)
        let sourcePath: String
        switch location {
        case let .sqliteFile(path): sourcePath = path
        case .sqliteMemory: throw CLIFailure("sqlite::memory: has nothing on disk to back up")
        case .postgres:
            throw CLIFailure("""
                \(location.redacted) is PostgreSQL: back it up with pg_dump, e.g. \
                pg_dump --format=custom --file restora.dump "$RESTORA_DATABASE_URL" (README "Deploying")
                """)
        }
        let folder = URL(fileURLWithPath: output).deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw CLIFailure("--output \(output): the folder \(folder) does not exist")
        }
        guard FileManager.default.fileExists(atPath: sourcePath) else {
            throw CLIFailure("no database at \(sourcePath) (nothing to back up)")
        }
        if FileManager.default.fileExists(atPath: output) {
            guard force else { throw CLIFailure("\(output) exists: refusing to overwrite it (choose another file, or add --force)") }
            try FileManager.default.removeItem(atPath: output)
        }
        let logger = CommandLineActor.logger()
        // The live database is opened as is: no migration, nothing written.
        let source = try await StorageDatabase.open(url: "sqlite://\(sourcePath)", logger: logger)
        do {
            try await DatabaseFailure.wrap(location) { try await source.backupSQLite(to: output) }
            try await source.shutdown()
        } catch {
            try? await source.shutdown()
            throw error
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        print("backup written: \(output) (\(size) bytes) from \(location.redacted)")
        try await BackupCheck.verify(path: output, what: "the backup")
    }
}

/// `restora restore --input FILE`: puts a backup in place of the SQLite database. The backup's audit trail is
/// checked before anything is touched, the target is replaced in one rename, and checked again after.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Restore a backup file as the SQLite database (stop the server first); verified before and after.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The backup file (from restora backup).") var input: String
    @Flag(help: "Replace a target database that already has data.") var force = false

    func run() async throws {
        let command = self
        try await runReportingErrors { try await command.execute() }
    }

    func execute() async throws {
        let location = try DatabaseLocation(url: try database.config().databaseURL)
        let targetPath: String
        switch location {
        case let .sqliteFile(path): targetPath = path
        case .sqliteMemory: throw CLIFailure("sqlite::memory: cannot be a restore target (give --database-url sqlite:///path/file.sqlite)")
        case .postgres:
            throw CLIFailure("""
                \(location.redacted) is PostgreSQL: restore a pg_dump backup with pg_restore, e.g. \
                pg_restore --clean --if-exists --dbname "$RESTORA_DATABASE_URL" restora.dump (README "Deploying")
                """)
        }
        let manager = FileManager.default
        guard manager.fileExists(atPath: input) else { throw CLIFailure("no backup file at \(input)") }
        let kind = await SQLiteFileKind.inspect(path: input, logger: CommandLineActor.logger())
        guard kind == .restora || kind == .restoraDemo else {
            throw CLIFailure("\(input) is not a Restora database backup (\(kind == .otherDatabase ? "an SQLite database without Restora's tables" : "not an SQLite database"))")
        }
        if manager.fileExists(atPath: targetPath), ((try? manager.attributesOfItem(atPath: targetPath)[.size] as? Int) ?? 0) > 0, !force {
            throw CLIFailure("\(targetPath) already holds a database: refusing to overwrite it (stop the server, then add --force)")
        }
        // Work on a copy beside the target: the backup file itself is never changed (opening a database may
        // switch its journal mode), and the target is replaced in one rename only once the copy has passed.
        let staging = targetPath + ".restoring"
        try? manager.removeItem(atPath: staging)
        try manager.copyItem(atPath: input, toPath: staging)
        do {
            try await BackupCheck.verify(path: staging, what: "the backup \(input)")
        } catch {
            Self.remove(staging)
            throw error
        }
        Self.remove(targetPath)
        try manager.moveItem(atPath: staging, toPath: targetPath)
        print("restored \(input) to \(location.redacted)")
        try await BackupCheck.verify(path: targetPath, what: "the restored database")
    }

    /// Removes a database file with its write-ahead log and shared-memory files.
    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

/// The check `restora audit verify` makes, on a database file, with its record counts printed.
enum BackupCheck {
    static func verify(path: String, what: String) async throws {
        let db = try await StorageDatabase.open(url: "sqlite://\(path)", logger: CommandLineActor.logger())
        do {
            let (result, counts) = try await DatabaseFailure.wrap(db.location) {
                (try await db.repositories.audit.verify(), try await db.tableCounts())
            }
            try await db.shutdown()
            switch result {
            case let .intact(entries):
                print("\(what): audit trail intact: \(entries) entries")
            case let .broken(sequence, problem):
                throw CLIFailure("\(what): audit trail BROKEN at entry \(sequence): \(problem)")
            }
            print("\(what): records: " + counts.filter { $0.table != "restora_migrations" }.map { "\($0.table) \($0.rows)" }.joined(separator: ", "))
        } catch {
            try? await db.shutdown()
            throw error
        }
    }
}
