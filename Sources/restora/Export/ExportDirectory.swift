import Foundation
import RestoraStorage

/// Where `restora serve` writes export packages (docs/exports.md): `--export-directory` or
/// `RESTORA_EXPORT_DIRECTORY`, else `exports/` beside the SQLite database file, else (PostgreSQL, in-memory)
/// `exports/` in the working directory. One folder per job inside it, named by the job's id.
enum ExportDirectory {
    static func resolve(_ configured: String?, database: DatabaseLocation) -> String {
        if let configured, !configured.isEmpty { return URL(fileURLWithPath: configured, isDirectory: true).standardizedFileURL.path }
        if case let .sqliteFile(path) = database {
            return URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("exports", isDirectory: true).standardizedFileURL.path
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("exports", isDirectory: true).path
    }
}
