/// One thing wrong with an input file (a protocol YAML or a participant JSON): which file, where in it
/// (path and, when known, line), and what is wrong in words a coordinator can act on.
public struct DocumentProblem: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    public var file: String
    public var path: String
    public var line: Int?
    public var message: String

    public init(file: String, path: DocumentPath, line: Int? = nil, message: String) {
        self.file = file
        self.path = path.description
        self.line = line
        self.message = message
    }

    /// `protocols/x.yaml:42: inclusion[2].rule.age.min: expected a number, found "twenty"`
    public var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return "\(location): \(path): \(message)"
    }
}

/// Several problems of one or more files, reported together so a user fixes them in one pass.
public struct DocumentProblems: Error, Hashable, Sendable, CustomStringConvertible {
    public var problems: [DocumentProblem]

    public init(_ problems: [DocumentProblem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

extension DocumentProblem {
    /// Translates a decoder's error into a path and a plain message. The decoder's own wording
    /// ("Expected to decode Double but found Node.Scalar instead.") is replaced where we can say it better.
    public init(decodingError error: DecodingError, file: String, line: (DocumentPath) -> Int? = { _ in nil }) {
        let path: DocumentPath
        let message: String
        switch error {
        case let .keyNotFound(key, context):
            let parent = DocumentPath(codingPath: context.codingPath)
            path = parent
            message = "missing required key '\(key.stringValue)'"
        case let .valueNotFound(type, context):
            path = DocumentPath(codingPath: context.codingPath)
            message = "a value is required here (expected \(Self.plainTypeName(type)))"
        case let .typeMismatch(type, context):
            path = DocumentPath(codingPath: context.codingPath)
            message = "expected \(Self.plainTypeName(type))"
                + (context.debugDescription.contains("found") ? Self.foundPart(context.debugDescription) : "")
        case let .dataCorrupted(context):
            path = DocumentPath(codingPath: context.codingPath)
            message = Self.describeCorruption(context)
        @unknown default:
            path = DocumentPath()
            message = "could not be read"
        }
        self.init(file: file, path: path, line: line(path), message: message)
    }

    static func plainTypeName(_ type: Any.Type) -> String {
        let name = String(describing: type)
        switch name {
        case "Double", "Float", "Int", "Int64", "Int32": return "a number"
        case "String": return "text"
        case "Bool": return "true or false"
        default:
            if name.hasPrefix("Array") || name.hasPrefix("[") { return "a list" }
            if name.hasPrefix("Dictionary") || name.contains("Mapping") { return "a mapping (key: value)" }
            if name.contains("Sequence") { return "a list" }
            if name.contains("Scalar") { return "a single value" }
            return "a value of type \(name)"
        }
    }

    /// Yams says "found Node.Scalar" (the caller adds the scalar's text); Foundation says "found a string".
    private static func foundPart(_ debugDescription: String) -> String {
        guard let start = debugDescription.range(of: "but found "),
              let end = debugDescription.range(of: " instead", range: start.upperBound..<debugDescription.endIndex)
        else { return "" }
        let found = debugDescription[start.upperBound..<end.lowerBound]
        if found.contains("Mapping") { return ", found a mapping" }
        if found.contains("Sequence") { return ", found a list" }
        if found.contains("Scalar") { return "" }
        return ", found \(found)"
    }

    private static func describeCorruption(_ context: DecodingError.Context) -> String {
        if let underlying = context.underlyingError {
            let text = String(describing: underlying)
            // Yams puts "line:column: error: ..." first; keep the first line, the snippet follows separately.
            let first = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? text
            return "\(context.debugDescription) \(first)"
        }
        return context.debugDescription
    }
}
