/// A location inside a YAML or JSON document, e.g. `inclusion[2].rule.age.min`. Errors name it so a
/// person can find the offending value without reading a decoder's internals.
public struct DocumentPath: Hashable, Sendable, CustomStringConvertible, ExpressibleByArrayLiteral {
    public enum Component: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    public var components: [Component]

    public init(_ components: [Component] = []) { self.components = components }
    public init(arrayLiteral elements: Component...) { self.components = elements }

    /// From a decoder's coding path: integer keys are array positions, the rest are mapping keys.
    public init(codingPath: [any CodingKey]) {
        components = codingPath.map { key in
            if let index = key.intValue { return .index(index) }
            return .key(key.stringValue)
        }
    }

    public func appending(_ component: Component) -> DocumentPath { DocumentPath(components + [component]) }
    public func key(_ name: String) -> DocumentPath { appending(.key(name)) }
    public func index(_ position: Int) -> DocumentPath { appending(.index(position)) }

    public var isEmpty: Bool { components.isEmpty }

    /// `inclusion[2].rule.age.min`; the document root reads as `(top level)`.
    public var description: String {
        guard !components.isEmpty else { return "(top level)" }
        var text = ""
        for component in components {
            switch component {
            case let .key(name): text += text.isEmpty ? name : ".\(name)"
            case let .index(position): text += "[\(position)]"
            }
        }
        return text
    }
}

/// A key of any name, for reading the keys actually present in a mapping (strict key checks, one-of objects).
struct AnyCodingKey: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int?

    init(_ string: String) {
        stringValue = string
        intValue = nil
    }

    init?(stringValue: String) { self.init(stringValue) }

    init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

extension Decoder {
    /// Refuses keys this type does not know. Decodable ignores unknown keys, so a misspelt `exclusoin:` would
    /// otherwise silently drop every exclusion criterion of a protocol.
    func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws {
        let container = try container(keyedBy: AnyCodingKey.self)
        let known = Set(Keys.allCases.map(\.stringValue))
        for key in container.allKeys where !known.contains(key.stringValue) {
            let allowed = Keys.allCases.map(\.stringValue).joined(separator: ", ")
            throw DecodingError.dataCorrupted(.init(
                codingPath: codingPath + [key],
                debugDescription: "unknown key '\(key.stringValue)'; allowed keys here: \(allowed)"))
        }
    }
}

extension DocumentPath.Component: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .key(value) }
}
