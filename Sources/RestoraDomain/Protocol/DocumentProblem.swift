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
            message = "a value is required here (expected \(DecodingWords.expected(type)))"
        case let .typeMismatch(type, context):
            path = DocumentPath(codingPath: context.codingPath)
            message = "expected \(DecodingWords.expected(type))" + DecodingWords.found(context.debugDescription)
        case let .dataCorrupted(context):
            path = DocumentPath(codingPath: context.codingPath)
            message = DecodingWords.corruption(context)
        @unknown default:
            path = DocumentPath()
            message = "could not be read"
        }
        self.init(file: file, path: path, line: line(path), message: message)
    }
}
