import Foundation

/// A decoder's error in the words of the person who wrote the input (issue #19): what was expected, in terms of
/// the input format (a number, text, a date, one of the allowed values), never a Swift type name or
/// `CodingKeys(stringValue: …)`. Every door that decodes input uses it: the JSON API's error middleware, the
/// CLI's input files (`DocumentProblem`), `restora release --product`.
public enum DecodingWords {
    /// The failing field's path as a user writes it: `releaseTests.viabilityPercent`, `values[2].unit`; for a
    /// missing key the path ends with that key.
    public static func path(_ error: DecodingError) -> DocumentPath {
        guard let context = context(error) else { return DocumentPath() }
        var path = DocumentPath(codingPath: context.codingPath)
        if case let .keyNotFound(key, _) = error { path = path.key(key.stringValue) }
        return path
    }

    /// What is wrong at `path(error)`: "is required", "must not be null", "expected a number, found text", …
    public static func problem(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound: return "is required"
        case let .valueNotFound(type, _): return "must not be null (expected \(expected(type)))"
        case let .typeMismatch(type, context): return "expected \(expected(type))" + found(context.debugDescription)
        case let .dataCorrupted(context): return "is invalid: " + corruption(context)
        @unknown default: return "could not be read"
        }
    }

    /// The kind of value a type is written as in JSON or YAML. Enumerations name their allowed values.
    public static func expected(_ type: Any.Type) -> String {
        if let values = allowedValues(type) { return "one of " + values.joined(separator: ", ") }
        var name = String(describing: type)
        while name.hasPrefix("Optional<"), name.hasSuffix(">") { name = String(name.dropFirst(9).dropLast()) }
        switch name {
        case "Double", "Float", "Decimal", "Int", "Int64", "Int32", "UInt", "UInt64", "UInt32": return "a number"
        case "String", "Substring": return "text"
        case "Bool": return "true or false"
        case "CalendarDate": return "a date (YYYY-MM-DD)"
        case "Date": return "a date and time (ISO 8601, e.g. 2026-05-01T09:30:00Z)"
        default: break
        }
        if name.hasPrefix("Identifier<") { return "an id (text)" }
        if name.hasPrefix("Array<") || name.hasPrefix("[") || name.contains("Sequence") { return "a list" }
        if name.hasPrefix("Dictionary<") || name.contains("Mapping") { return "a mapping (key: value)" }
        if name.contains("Scalar") { return "a single value" }
        return "an object (key: value)"
    }

    /// The values a `String`-backed enumeration accepts, or nil for other types.
    static func allowedValues(_ type: Any.Type) -> [String]? {
        guard let cases = type as? any CaseIterable.Type else { return nil }
        func values<T: CaseIterable>(_ t: T.Type) -> [String] {
            t.allCases.compactMap { ($0 as? any RawRepresentable)?.rawValue as? String }
        }
        let list = values(cases)
        return list.isEmpty ? nil : list
    }

    /// Foundation says "… but found a string instead."; Yams "… but found Node.Scalar instead."
    public static func found(_ debugDescription: String) -> String {
        guard let start = debugDescription.range(of: "but found "),
              let end = debugDescription.range(of: " instead", range: start.upperBound..<debugDescription.endIndex)
        else { return "" }
        let found = debugDescription[start.upperBound..<end.lowerBound]
        if found.contains("Mapping") { return ", found a mapping" }
        if found.contains("dictionary") { return ", found an object" }
        if found.contains("Sequence") || found.contains("array") { return ", found a list" }
        if found.contains("string") { return ", found text" }
        if found.hasPrefix("number") { return ", found a number" }
        if found.hasPrefix("bool") { return ", found true or false" }
        if found.contains("null") { return ", found null" }
        return ""
    }

    /// Our own decoders' messages pass through ("unknown status 'x'"); Foundation's and Yams's are reworded,
    /// and anything still naming a Swift type is replaced by a plain "could not be read".
    public static func corruption(_ context: DecodingError.Context) -> String {
        let text = context.debugDescription
        if text.contains("not valid JSON") { return "not valid JSON" }
        if text.hasPrefix("Expected date string to be ISO8601-formatted") {
            return "expected \(expected(Date.self))"
        }
        if let range = text.range(of: " value "), text.hasPrefix("Cannot initialize ") {
            let value = text[range.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines.union(["."]))
            return "'\(value)' is not one of the allowed values"
        }
        if let underlying = context.underlyingError {
            // Yams puts "line:column: error: ..." first; keep the first line, the snippet follows separately.
            let description = String(describing: underlying)
            let first = description.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? description
            return leaksSwift(first) ? plain(text) : "\(plain(text)) \(first)".trimmingCharacters(in: .whitespaces)
        }
        return plain(text)
    }

    private static func plain(_ text: String) -> String {
        leaksSwift(text) ? "could not be read" : text
    }

    private static func leaksSwift(_ text: String) -> Bool {
        ["CodingKeys(", "Swift.", "Optional<", "Dictionary<", "Array<", "intValue:", "stringValue:"].contains { text.contains($0) }
    }

    private static func context(_ error: DecodingError) -> DecodingError.Context? {
        switch error {
        case let .typeMismatch(_, c), let .valueNotFound(_, c), let .keyNotFound(_, c), let .dataCorrupted(c): c
        @unknown default: nil
        }
    }
}
