import Foundation

/// A FHIR JSON value (R4 JSON representation, https://hl7.org/fhir/R4/json.html). Objects keep their key
/// order, so resources are written the way the specification lists their elements (resourceType first).
/// `decimal` carries a FHIR decimal as its exact text (precision is significant in FHIR: 1.50 is not 1.5).
/// Not `indirect`: arrays and objects already hold their elements on the heap, and an indirect enum puts every
/// node, each string and number too, in a box of its own (a bulk export's largest cost was allocating and freeing
/// them, issue #17).
public enum FHIRJSON: Hashable, Sendable {
    case null
    case bool(Bool)
    case integer(Int)
    case decimal(String)
    case string(String)
    case array([FHIRJSON])
    case object([(String, FHIRJSON)])

    public static func == (lhs: FHIRJSON, rhs: FHIRJSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.integer(a), .integer(b)): return a == b
        case let (.decimal(a), .decimal(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(value)
        case .integer(let value): hasher.combine(value)
        case .decimal(let value): hasher.combine(value)
        case .string(let value): hasher.combine(value)
        case .array(let values): hasher.combine(values)
        case .object(let members):
            for (key, value) in members { hasher.combine(key); hasher.combine(value) }
        }
    }

    /// A decimal from a Double, in the shortest text that reads back as the same Double.
    public static func number(_ value: Double) -> FHIRJSON {
        if value.rounded() == value, abs(value) < 1e15 { return .decimal(String(Int(value))) }
        return .decimal("\(value)")
    }

    /// Builds an object, leaving out members whose value is nil (FHIR has no empty or null elements).
    public static func object(_ members: KeyValuePairs<String, FHIRJSON?>) -> FHIRJSON {
        // One allocation of the right size (a bulk export builds millions of these; `compactMap` grew its array).
        var present: [(String, FHIRJSON)] = []
        present.reserveCapacity(members.count)
        for (key, value) in members {
            if let value { present.append((key, value)) }
        }
        return .object(present)
    }

    // MARK: Reading

    public subscript(key: String) -> FHIRJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    public var stringValue: String? { if case .string(let value) = self { return value }; return nil }
    public var arrayValue: [FHIRJSON]? { if case .array(let values) = self { return values }; return nil }
    public var objectValue: [(String, FHIRJSON)]? { if case .object(let members) = self { return members }; return nil }
    public var boolValue: Bool? { if case .bool(let value) = self { return value }; return nil }
    public var intValue: Int? { if case .integer(let value) = self { return value }; return nil }
    /// A decimal or integer as a Double.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .decimal(let text): return Double(text)
        default: return nil
        }
    }

    /// A copy with `key` set (replaced in place when present, appended otherwise); nil removes it.
    public func setting(_ key: String, _ value: FHIRJSON?) -> FHIRJSON {
        guard case .object(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.0 == key }) {
            if let value { members[index].1 = value } else { members.remove(at: index) }
        } else if let value {
            members.append((key, value))
        }
        return .object(members)
    }
}

// MARK: - Parsing

extension FHIRJSON {
    /// Parses a JSON document. Numbers keep their text (a FHIR decimal's precision is significant); numbers
    /// without a fraction or exponent become `integer` when they fit. Throws `FHIRError` naming the place.
    public static func parse(_ data: some Collection<UInt8>) throws -> FHIRJSON {
        var parser = FHIRJSONParser(bytes: Array(data))
        let value = try parser.parseDocument()
        return value
    }
}

struct FHIRJSONParser {
    let bytes: [UInt8]
    var index = 0
    var depth = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws -> FHIRJSON {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw malformed("unexpected text after the JSON value") }
        return value
    }

    func malformed(_ message: String) -> FHIRError {
        FHIRError(status: 400, code: .structure, diagnostics: "the body is not valid JSON: \(message) at byte \(index + 1)")
    }

    mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
    }

    mutating func parseValue() throws -> FHIRJSON {
        guard index < bytes.count else { throw malformed("unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw malformed("unexpected character")
        }
    }

    mutating func expect(_ word: String) throws {
        let utf8 = Array(word.utf8)
        guard index + utf8.count <= bytes.count, Array(bytes[index..<index + utf8.count]) == utf8 else {
            throw malformed("unexpected character")
        }
        index += utf8.count
    }

    mutating func parseObject() throws -> FHIRJSON {
        depth += 1
        guard depth < 200 else { throw malformed("nested too deeply") }
        defer { depth -= 1 }
        index += 1
        var members: [(String, FHIRJSON)] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw malformed("expected a member name") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw malformed("expected ':'") }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            if members.contains(where: { $0.0 == key }) { throw malformed("the member \"\(key)\" appears twice") }
            members.append((key, value))
            skipWhitespace()
            guard index < bytes.count else { throw malformed("unexpected end") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw malformed("expected ',' or '}'")
        }
    }

    mutating func parseArray() throws -> FHIRJSON {
        depth += 1
        guard depth < 200 else { throw malformed("nested too deeply") }
        defer { depth -= 1 }
        index += 1
        var values: [FHIRJSON] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(values) }
        while true {
            skipWhitespace()
            values.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw malformed("unexpected end") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(values) }
            throw malformed("expected ',' or ']'")
        }
    }

    mutating func parseString() throws -> String {
        index += 1
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                guard let text = String(validating: out, as: UTF8.self) else { throw malformed("a string is not UTF-8") }
                return text
            }
            if byte < 0x20 { throw malformed("a control character inside a string") }
            if byte == UInt8(ascii: "\\") {
                index += 1
                guard index < bytes.count else { break }
                switch bytes[index] {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "\\"), bytes[index + 2] == UInt8(ascii: "u") else {
                            throw malformed("a lone surrogate in a string")
                        }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw malformed("a lone surrogate in a string") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw malformed("an invalid \\u escape") }
                    out.append(contentsOf: Array(String(Character(unicode)).utf8))
                default: throw malformed("an invalid escape")
                }
                index += 1
                continue
            }
            out.append(byte)
            index += 1
        }
        throw malformed("a string is not closed")
    }

    /// Reads the 4 hex digits after `\u`; leaves `index` on the last digit.
    mutating func hex4() throws -> UInt32 {
        guard index + 4 < bytes.count else { throw malformed("an invalid \\u escape") }
        var value: UInt32 = 0
        for offset in 1...4 {
            let byte = bytes[index + offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw malformed("an invalid \\u escape")
            }
            value = value * 16 + digit
        }
        index += 4
        return value
    }

    mutating func parseNumber() throws -> FHIRJSON {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { throw malformed("an invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            let digits = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > digits else { throw malformed("an invalid number") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            let digits = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > digits else { throw malformed("an invalid number") }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let value = Int(text) { return .integer(value) }
        return .decimal(text)
    }
}
