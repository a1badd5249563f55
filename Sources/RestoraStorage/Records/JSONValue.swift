import Foundation

/// A JSON tree, so an aggregate's Codable form can be split into columns without `Any` and its
/// number/boolean guessing. Encoded with sorted keys, it is also the canonical text of nested detail.
indirect enum JSONValue: Hashable, Sendable, Codable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let v = try? c.decode(Bool.self) { self = .bool(v) }
        else if let v = try? c.decode(Int.self) { self = .int(v) }
        else if let v = try? c.decode(Double.self) { self = .double(v) }
        else if let v = try? c.decode(String.self) { self = .string(v) }
        else if let v = try? c.decode([JSONValue].self) { self = .array(v) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case let .bool(v): try c.encode(v)
        case let .int(v): try c.encode(v)
        case let .double(v): try c.encode(v)
        case let .string(v): try c.encode(v)
        case let .array(v): try c.encode(v)
        case let .object(v): try c.encode(v)
        }
    }

    subscript(path: ArraySlice<String>) -> JSONValue {
        guard let first = path.first else { return self }
        guard case let .object(fields) = self, let child = fields[first] else { return .null }
        return child[path.dropFirst()]
    }

    /// Sets a value at a path, creating objects on the way; a null is simply left out, so an optional
    /// nested value whose columns are all NULL decodes as absent.
    mutating func set(_ value: JSONValue, at path: ArraySlice<String>) {
        guard let first = path.first else { self = value; return }
        if value == .null && path.count == 1 { return }
        guard case var .object(fields) = self else { return }
        var child = fields[first] ?? .object([:])
        child.set(value, at: path.dropFirst())
        if case let .object(inner) = child, inner.isEmpty, path.count > 1 { return }
        fields[first] = child
        self = .object(fields)
    }
}

/// The one JSON configuration of stored records: dates as ISO 8601 UTC with milliseconds, sorted keys.
enum StoredJSON {
    static let dateStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, enc in
            var c = enc.singleValueContainer()
            try c.encode(format(date))
        }
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { dec in
            let c = try dec.singleValueContainer()
            let text = try c.decode(String.self)
            guard let date = parse(text) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an ISO 8601 instant")
            }
            return date
        }
        return decoder
    }

    static func format(_ date: Date) -> String { dateStyle.format(date) }
    /// The store's own layout is read without Foundation's parser (`StoredInstant`, the same `Date`); any other
    /// text goes to Foundation.
    static func parse(_ text: String) -> Date? { StoredInstant.parse(text) ?? (try? dateStyle.parse(text)) }

    static func text(_ value: JSONValue) throws -> String {
        String(decoding: try encoder().encode(value), as: UTF8.self)
    }

    static func tree(_ text: String) throws -> JSONValue {
        try decoder().decode(JSONValue.self, from: Data(text.utf8))
    }
}
