import Foundation

/// Every protocol of a `protocols/` directory, loaded and validated. Loading reads files (the only I/O in
/// this folder); everything it hands out is plain values.
///
/// Amendments (issue #14 item 7, docs/amendments.md): several versions of one protocol load side by side,
/// keyed by (id, version). `<id>.yaml` holds the protocol's current version — what `definition(id:)` returns
/// and what a new program is registered with; `<id>@<version>.yaml` holds another version (an amendment, or
/// an earlier version enrolments still run under), its `version` equal to the file name's. A program pins
/// the version it runs (`Program.protocolVersion`, moved explicitly), an enrolment the version it runs under
/// (`Enrolment.protocolVersion`); `definition(id:version:)` gives that version.
public struct ProtocolCatalog: Sendable {
    public let directory: String
    /// The current version of each protocol, one per id.
    public let protocols: [ProtocolDefinition]
    /// Which file each current protocol came from, by id.
    public let files: [String: String]
    /// The other loaded versions (not current), by id then version.
    public let amendments: [ProtocolDefinition]
    /// Which file each other version came from, by `id@version`.
    public let amendmentFiles: [String: String]

    public init(directory: String, protocols: [ProtocolDefinition], files: [String: String] = [:],
                amendments: [ProtocolDefinition] = [], amendmentFiles: [String: String] = [:]) {
        self.directory = directory
        self.protocols = protocols.sorted { $0.id < $1.id }
        self.files = files
        let current = Set(protocols.map { "\($0.id)@\($0.version)" })
        self.amendments = amendments.filter { !current.contains("\($0.id)@\($0.version)") }
            .sorted { ($0.id, ProtocolVersion($0.version)) < ($1.id, ProtocolVersion($1.version)) }
        self.amendmentFiles = amendmentFiles
    }

    public var ids: [String] { protocols.map(\.id) }

    /// The protocol with this id (its current version), or an error that lists the known ids.
    public func definition(id: String) throws(DomainError) -> ProtocolDefinition {
        if let found = protocols.first(where: { $0.id == id }) { return found }
        let known = ids.isEmpty ? "none (no protocol files in \(directory))" : ids.joined(separator: ", ")
        throw .notFound(kind: "protocol", id: id, message: "unknown protocol '\(id)'; known protocols: \(known)")
    }

    /// Every loaded version of the protocol, oldest first.
    public func versions(id: String) -> [ProtocolDefinition] {
        (protocols.filter { $0.id == id } + amendments.filter { $0.id == id }).sorted { ProtocolVersion($0.version) < ProtocolVersion($1.version) }
    }

    /// The version of the protocol an enrolment or a program runs under. A catalog holding a single version of
    /// the protocol answers with it whatever the label (as before amendments were loaded: data recorded under
    /// a label like "1" keep working); with two or more versions loaded the version must be one of them.
    public func definition(id: String, version: String) throws(DomainError) -> ProtocolDefinition {
        let loaded = versions(id: id)
        if let exact = loaded.first(where: { $0.version == version }) { return exact }
        if loaded.count == 1 { return loaded[0] }
        if loaded.isEmpty { return try definition(id: id) }
        throw .notFound(kind: "protocol", id: "\(id)@\(version)",
                        message: "protocol \(id) version \(version) is not loaded; loaded versions: \(loaded.map(\.version).joined(separator: ", "))")
    }

    /// Strictly this version (moving a program or an enrolment to a version needs it loaded).
    public func exactDefinition(id: String, version: String) throws(DomainError) -> ProtocolDefinition {
        let loaded = versions(id: id)
        if let exact = loaded.first(where: { $0.version == version }) { return exact }
        _ = try definition(id: id)
        throw .notFound(kind: "protocol", id: "\(id)@\(version)",
                        message: "protocol \(id) version \(version) is not loaded; loaded versions: \(loaded.map(\.version).joined(separator: ", "))")
    }

    /// The version before `definition` among the loaded versions of its id (for "what changed").
    public func previous(of definition: ProtocolDefinition) -> ProtocolDefinition? {
        versions(id: definition.id).filter { ProtocolVersion($0.version) < ProtocolVersion(definition.version) }.last
    }

    /// Splits `<id>@<version>` (an amendment's file stem) into its parts; nil for a plain `<id>`.
    public static func versionedStem(_ stem: String) -> (id: String, version: String)? {
        guard let at = stem.lastIndex(of: "@") else { return nil }
        return (String(stem[..<at]), String(stem[stem.index(after: at)...]))
    }

    /// Loads every `*.yaml` / `*.yml` file of `directory`, sorted by name. Problems of all files are reported
    /// together: a file whose name differs from its id (`<id>.yaml`) or from its id and version
    /// (`<id>@<version>.yaml`), two files with the same id and version, and two current files of one id.
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
        var others: [ProtocolDefinition] = []
        var otherFiles: [String: String] = [:]
        var byVersion: [String: String] = [:]
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            do {
                let definition = try loadFile(path)
                let stem = (name as NSString).deletingPathExtension
                let key = "\(definition.id)@\(definition.version)"
                if let other = byVersion[key] {
                    problems.append(DocumentProblem(file: path, path: ["version"], message: "\(definition.id) version \(definition.version) is also in \(other)"))
                    continue
                }
                byVersion[key] = path
                if let versioned = versionedStem(stem) {
                    if versioned.id != definition.id {
                        problems.append(DocumentProblem(file: path, path: ["id"], message: "id '\(definition.id)' differs from the file name '\(versioned.id)'"))
                    } else if versioned.version != definition.version {
                        problems.append(DocumentProblem(file: path, path: ["version"], message: "version '\(definition.version)' differs from the file name's '\(versioned.version)'"))
                    }
                    others.append(definition)
                    otherFiles[key] = path
                    continue
                }
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
        // A protocol with only versioned files: its highest version is current.
        for id in Set(others.map(\.id)) where files[id] == nil {
            guard let newest = others.filter({ $0.id == id }).max(by: { ProtocolVersion($0.version) < ProtocolVersion($1.version) }) else { continue }
            protocols.append(newest)
            files[id] = otherFiles["\(id)@\(newest.version)"]
        }
        return ProtocolCatalog(directory: directory, protocols: protocols, files: files, amendments: others, amendmentFiles: otherFiles)
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

/// A protocol version label ordered as people read it: numeric parts as numbers ("1.10" after "1.9"), other
/// parts as text.
public struct ProtocolVersion: Comparable, Sendable {
    let parts: [String]

    public init(_ text: String) { parts = text.split(whereSeparator: { $0 == "." || $0 == "-" }).map(String.init) }

    public static func < (a: ProtocolVersion, b: ProtocolVersion) -> Bool {
        for (x, y) in zip(a.parts, b.parts) where x != y {
            if let i = Int(x), let j = Int(y) { return i < j }
            return x < y
        }
        return a.parts.count < b.parts.count
    }
}
