import Yams

/// Reads one protocol YAML text into a validated `ProtocolDefinition`. Every failure — YAML syntax, a
/// wrong type, a missing key, a semantic check — comes back as `DocumentProblems` naming the file, the path
/// and (from Yams' node marks) the line.
public enum ProtocolDocument {
    public static func parse(yaml: String, file: String) throws(DocumentProblems) -> ProtocolDefinition {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw DocumentProblems([syntaxProblem(error, file: file)])
        }
        guard root != nil else {
            throw DocumentProblems([DocumentProblem(file: file, path: [], message: "the file is empty")])
        }
        let definition: ProtocolDefinition
        do {
            definition = try YAMLDecoder().decode(ProtocolDefinition.self, from: yaml)
        } catch let error as DecodingError {
            var problem = DocumentProblem(decodingError: error, file: file) { line(of: $0, in: root) }
            if case let .typeMismatch(_, context) = error, let found = scalar(at: DocumentPath(codingPath: context.codingPath), in: root) {
                problem.message += ", found \"\(found)\""
            }
            throw DocumentProblems([problem])
        } catch {
            throw DocumentProblems([syntaxProblem(error, file: file)])
        }
        let issues = ProtocolValidator.issues(in: definition)
        guard issues.isEmpty else {
            throw DocumentProblems(issues.map {
                DocumentProblem(file: file, path: $0.path, line: line(of: $0.path, in: root), message: $0.message)
            })
        }
        return definition
    }

    /// The line (1-based) of the deepest node on `path` that exists: for a missing key, its parent mapping.
    static func line(of path: DocumentPath, in root: Node?) -> Int? {
        guard var node = root else { return nil }
        var line = node.mark?.line
        for component in path.components {
            let next: Node?
            switch component {
            case let .key(name): next = node.mapping?[name]
            case let .index(position):
                if let sequence = node.sequence, sequence.indices.contains(position) {
                    next = sequence[position]
                } else {
                    next = nil
                }
            }
            guard let found = next else { break }
            node = found
            line = found.mark?.line ?? line
        }
        return line
    }

    /// The text of the scalar at `path`, to show what was written where something else was expected.
    static func scalar(at path: DocumentPath, in root: Node?) -> String? {
        var node = root
        for component in path.components {
            switch component {
            case let .key(name): node = node?.mapping?[name]
            case let .index(position):
                guard let sequence = node?.sequence, sequence.indices.contains(position) else { return nil }
                node = sequence[position]
            }
        }
        return node?.scalar?.string
    }

    private static func syntaxProblem(_ error: any Error, file: String) -> DocumentProblem {
        if let yamlError = error as? YamlError {
            switch yamlError {
            case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
                return DocumentProblem(file: file, path: [], line: mark.line, message: "not valid YAML: \(problem)")
            case let .duplicatedKeysInMapping(duplicates, context):
                let keys = duplicates.joined(separator: ", ")
                return DocumentProblem(file: file, path: [], line: context.mark.line,
                                       message: "not valid YAML: duplicated key(s) \(keys)")
            default:
                return DocumentProblem(file: file, path: [], message: "not valid YAML: \(yamlError)")
            }
        }
        return DocumentProblem(file: file, path: [], message: "could not be read: \(error)")
    }
}
