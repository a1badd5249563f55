import ArgumentParser
import Foundation
import RestoraDomain

/// Which protocols a command knows: the built-in ones (inside the binary, `BuiltInProtocols`), plus the YAML
/// files of a protocols folder, which add protocols or override a built-in one with the same id. The folder is
/// `--protocols <dir>`, else `RESTORA_PROTOCOLS_DIR`, else the nearest `protocols/` directory in the current
/// directory or one of its parents; with none of them, the built-in protocols alone (so the binary runs from
/// any folder).
struct ProtocolSource: ParsableArguments {
    @Option(name: .customLong("protocols"), help: "Directory of protocol YAML files that add to or override the built-in protocols by id (default: ./protocols if present, or RESTORA_PROTOCOLS_DIR).")
    var directory: String?

    /// The protocols folder to read on top of the built-in protocols, or nil for the built-in ones alone.
    func resolvedDirectory(environment: [String: String] = ProcessInfo.processInfo.environment,
                           currentDirectory: String = FileManager.default.currentDirectoryPath) -> String? {
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
        return nil
    }

    func catalog(environment: [String: String] = ProcessInfo.processInfo.environment,
                 currentDirectory: String = FileManager.default.currentDirectoryPath) throws -> ProtocolCatalog {
        // The protocols' reference safety information names CTCAE terms: a configured term sheet that cannot
        // be read stops every command that loads protocols, naming the file (docs/safety.md).
        do {
            _ = try CTCAETermList.configured(environment: environment)
        } catch let DomainError.invalidValue(field, message) {
            throw CLIFailure("\(field): \(message)")
        }
        let folder = resolvedDirectory(environment: environment, currentDirectory: currentDirectory)
        do {
            var byID: [String: (definition: ProtocolDefinition, origin: String)] = [:]
            var amendments: [ProtocolDefinition] = []
            var amendmentFiles: [String: String] = [:]
            for builtIn in try BuiltInProtocols.definitions() { byID[builtIn.definition.id] = builtIn }
            if let folder {
                let local = try ProtocolCatalog.load(directory: folder)
                for definition in local.protocols {
                    // A folder's current version replaces the built-in one; a built-in of another version stays
                    // loaded as an earlier version, so enrolments that run under it still find it (docs/amendments.md).
                    if let builtIn = byID[definition.id], builtIn.definition.version != definition.version {
                        amendments.append(builtIn.definition)
                        amendmentFiles["\(definition.id)@\(builtIn.definition.version)"] = builtIn.origin
                    }
                    byID[definition.id] = (definition, local.files[definition.id] ?? folder)
                }
                amendments += local.amendments
                amendmentFiles.merge(local.amendmentFiles) { _, new in new }
            }
            return ProtocolCatalog(
                directory: folder.map { "the built-in protocols and \($0)" } ?? "the built-in protocols",
                protocols: byID.values.map { $0.definition }, files: byID.mapValues { $0.origin },
                amendments: amendments, amendmentFiles: amendmentFiles)
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
