import Foundation

/// Every protocol of a `protocols/` directory, loaded and validated. Loading reads files (the only I/O in
/// this folder); everything it hands out is plain values.
public struct ProtocolCatalog: Sendable {
    public let directory: String
    public let protocols: [ProtocolDefinition]
    /// Which file each protocol came from, by id.
    public let files: [String: String]

    public init(directory: String, protocols: [ProtocolDefinition], files: [String: String] = [:]) {
        self.directory = directory
        self.protocols = protocols.sorted { $0.id < $1.id }
        self.files = files
    }

    public var ids: [String] { protocols.map(\.id) }

    /// The protocol with this id, or an error that lists the known ids.
    public func definition(id: String) throws(DomainError) -> ProtocolDefinition {
        if let found = protocols.first(where: { $0.id == id }) { return found }
        let known = ids.isEmpty ? "none (no protocol files in \(directory))" : ids.joined(separator: ", ")
        throw .notFound(kind: "protocol", id: id, message: "unknown protocol '\(id)'; known protocols: \(known)")
    }

    /// Loads every `*.yaml` / `*.yml` file of `directory`, sorted by name. Problems of all files are reported
    /// together; a protocol id used by two files is a problem too, as is a file whose name differs from its id.
    public static func load(directory: String) throws(DocumentProblems) -> ProtocolCatalog {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DocumentProblems([DocumentProblem(file: directory, path: [], message: "protocol directory not found")])
        }
        let names: [String]
        do {
            names = try manager.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        } catch {
            throw DocumentProblems([DocumentProblem(file: directory, path: [], message: "cannot list the directory: \(error.localizedDescription)")])
        }
        var problems: [DocumentProblem] = []
        var protocols: [ProtocolDefinition] = []
        var files: [String: String] = [:]
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            do {
                let definition = try loadFile(path)
                let stem = (name as NSString).deletingPathExtension
                if stem != definition.id {
                    problems.append(DocumentProblem(file: path, path: ["id"], message: "id '\(definition.id)' differs from the file name '\(stem)'"))
                }
                if let other = files[definition.id] {
                    problems.append(DocumentProblem(file: path, path: ["id"], message: "id '\(definition.id)' is also used by \(other)"))
                }
                files[definition.id] = path
                protocols.append(definition)
            } catch {
                problems += error.problems
            }
        }
        guard problems.isEmpty else { throw DocumentProblems(problems) }
        return ProtocolCatalog(directory: directory, protocols: protocols, files: files)
    }

    /// Reads and validates one protocol file.
    public static func loadFile(_ path: String) throws(DocumentProblems) -> ProtocolDefinition {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DocumentProblems([DocumentProblem(file: path, path: [], message: "file not found or not readable")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DocumentProblems([DocumentProblem(file: path, path: [], message: "not UTF-8 text")])
        }
        return try ProtocolDocument.parse(yaml: text, file: path)
    }
}
