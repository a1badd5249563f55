import ArgumentParser
import Foundation
import RestoraDomain

/// `restora protocol validate <file>`: reads and checks one protocol file; every problem is printed with
/// file, line and path, and the exit status is 1 when there is any. A valid file that is a new version of a
/// protocol also lists what changed against the previous version (criteria, schedule visits, interventions,
/// safety rules; docs/amendments.md): the one given with `--previous`, else the highest lower version among
/// the files of the same folder (`<id>.yaml`, `<id>@<version>.yaml`) and the built-in protocols.
struct ProtocolValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "validate", abstract: "Check a protocol YAML file (and list what changed against its previous version).")

    @Argument(help: "The protocol YAML file.")
    var file: String

    @Option(help: "The previous version's protocol file to compare with (default: the highest lower version next to the file or built in).")
    var previous: String?

    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
        let file: String
        let valid: Bool
        let id: String?
        let version: String?
        let problems: [DocumentProblem]
        var changes: ProtocolChanges? = nil
    }

    mutating func run() async throws {
        let file = self.file, json = output.json, previousFile = self.previous
        try await runReportingErrors {
            let definition: ProtocolDefinition
            do {
                definition = try ProtocolCatalog.loadFile(file)
            } catch let error as DocumentProblems {
                if json {
                    try CLIOutput.printJSON(Result(file: file, valid: false, id: nil, version: nil, problems: error.problems))
                    throw ExitCode(1)
                }
                let count = error.problems.count
                throw CLIFailure("\(file) is not a valid protocol (\(count) problem\(count == 1 ? "" : "s")):\n\(error.description)")
            }
            let earlier: ProtocolDefinition?
            if let previousFile {
                do {
                    earlier = try ProtocolCatalog.loadFile(previousFile)
                } catch let error as DocumentProblems {
                    throw CLIFailure("--previous \(previousFile) is not a valid protocol:\n\(error.description)")
                }
                if earlier?.id != definition.id {
                    throw CLIFailure("--previous \(previousFile) is protocol \(earlier?.id ?? "?"), not \(definition.id)")
                }
            } else {
                earlier = Self.previousVersion(of: definition, besides: file)
            }
            let changes = earlier.map { ProtocolChanges(from: $0, to: definition) }
            if json {
                try CLIOutput.printJSON(Result(file: file, valid: true, id: definition.id, version: definition.version, problems: [], changes: changes))
            } else {
                print("\(file): valid — \(definition.id) v\(definition.version): \(definition.inclusion.count) inclusion, "
                      + "\(definition.exclusion.count) exclusion criteria, \(definition.schedule.count) visits")
                if let changes {
                    print(changes.isEmpty ? "no change against v\(changes.from)"
                          : "changes against v\(changes.from) (\(changes.changes.count)):\n" + changes.lines.joined(separator: "\n"))
                }
            }
        }
    }

    /// The highest version lower than `definition`'s among the protocol files of the file's folder (same id;
    /// files that do not load are skipped) and the built-in protocols.
    static func previousVersion(of definition: ProtocolDefinition, besides file: String) -> ProtocolDefinition? {
        let folder = (file as NSString).deletingLastPathComponent
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        var candidates: [ProtocolDefinition] = []
        for name in names where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            let stem = (name as NSString).deletingPathExtension
            guard stem == definition.id || ProtocolCatalog.versionedStem(stem)?.id == definition.id else { continue }
            if let loaded = try? ProtocolCatalog.loadFile((folder as NSString).appendingPathComponent(name)) { candidates.append(loaded) }
        }
        candidates += ((try? BuiltInProtocols.definitions()) ?? []).map(\.definition).filter { $0.id == definition.id }
        return candidates.filter { ProtocolVersion($0.version) < ProtocolVersion(definition.version) }
            .max { ProtocolVersion($0.version) < ProtocolVersion($1.version) }
    }
}
