import ArgumentParser
import Foundation
import RestoraDomain

/// Where the protocol YAML files come from: `--protocols <dir>`, else `RESTORA_PROTOCOLS_DIR`, else the
/// nearest `protocols/` directory in the current directory or one of its parents.
struct ProtocolSource: ParsableArguments {
    @Option(name: .customLong("protocols"), help: "Directory of protocol YAML files (default: ./protocols, or RESTORA_PROTOCOLS_DIR).")
    var directory: String?

    func resolvedDirectory(environment: [String: String] = ProcessInfo.processInfo.environment,
                           currentDirectory: String = FileManager.default.currentDirectoryPath) throws -> String {
        if let directory { return directory }
        if let fromEnvironment = environment["RESTORA_PROTOCOLS_DIR"], !fromEnvironment.isEmpty { return fromEnvironment }
        var folder = URL(fileURLWithPath: currentDirectory, isDirectory: true)
        while true {
            let candidate = folder.appendingPathComponent("protocols", isDirectory: true).path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue {
                return candidate
            }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { break }
            folder = parent
        }
        throw CLIFailure("no protocols directory found from \(currentDirectory): pass --protocols <dir> or set RESTORA_PROTOCOLS_DIR")
    }

    func catalog() throws -> ProtocolCatalog {
        let directory = try resolvedDirectory()
        do {
            return try ProtocolCatalog.load(directory: directory)
        } catch {
            throw CLIFailure("cannot load the protocols:\n\(error.description)")
        }
    }

    func definition(id: String) throws -> ProtocolDefinition {
        do {
            return try catalog().definition(id: id)
        } catch let error as DomainError {
            throw CLIFailure(error.description)
        }
    }
}

/// Dates on the command line are `YYYY-MM-DD`; "today" is the UTC calendar date.
enum CLIDate {
    static func parse(_ text: String?, option: String, default fallback: CalendarDate = CalendarDate(Date())) throws -> CalendarDate {
        guard let text else { return fallback }
        guard let date = CalendarDate(text) else {
            throw CLIFailure("\(option): '\(text)' is not a date in the form YYYY-MM-DD")
        }
        return date
    }
}
