/// A typed HTML tree. Text is escaped when rendered, attribute values are escaped and quoted, and only
/// `.trusted` (markup that Restora itself generated, such as its SVG charts) is written as is — so a value a
/// user typed can never become markup.
public indirect enum Node: Sendable, Hashable {
    case element(name: String, attributes: [Attribute], children: [Node])
    case text(String)
    case trusted(String)
    case fragment([Node])

    public struct Attribute: Sendable, Hashable {
        public var name: String
        /// nil renders a boolean attribute (`required`, `selected`).
        public var value: String?
        public init(_ name: String, _ value: String?) {
            self.name = name
            self.value = value
        }
    }

    static let voidElements: Set<String> = ["meta", "link", "input", "br", "hr", "img"]

    public func render() -> String {
        var out = ""
        render(into: &out)
        return out
    }

    func render(into out: inout String) {
        switch self {
        case let .text(text): out += HTMLEscape.text(text)
        case let .trusted(markup): out += markup
        case let .fragment(nodes): for node in nodes { node.render(into: &out) }
        case let .element(name, attributes, children):
            out += "<" + name
            for attribute in attributes {
                out += " " + attribute.name
                if let value = attribute.value { out += "=\"" + HTMLEscape.attribute(value) + "\"" }
            }
            out += ">"
            guard !Self.voidElements.contains(name) else { return }
            for child in children { child.render(into: &out) }
            out += "</" + name + ">"
        }
    }
}

@resultBuilder
public enum NodeBuilder {
    public static func buildBlock(_ parts: [Node]...) -> [Node] { parts.flatMap { $0 } }
    public static func buildExpression(_ node: Node) -> [Node] { [node] }
    public static func buildExpression(_ nodes: [Node]) -> [Node] { nodes }
    public static func buildExpression(_ text: String) -> [Node] { [.text(text)] }
    public static func buildOptional(_ nodes: [Node]?) -> [Node] { nodes ?? [] }
    public static func buildEither(first nodes: [Node]) -> [Node] { nodes }
    public static func buildEither(second nodes: [Node]) -> [Node] { nodes }
    public static func buildArray(_ parts: [[Node]]) -> [Node] { parts.flatMap { $0 } }
}

/// `el("a", ["href": url]) { "text" }` — attributes keep the order written, so snapshots are stable.
/// An attribute whose value is nil is left out; use `Node.flag` for boolean attributes.
public func el(_ name: String, _ attributes: KeyValuePairs<String, String?> = [:], @NodeBuilder _ children: () -> [Node] = { [] }) -> Node {
    let kept = attributes.compactMap { pair in pair.value.map { Node.Attribute(pair.key, $0) } }
    return .element(name: name, attributes: kept, children: children())
}

extension Node {
    /// An element with boolean attributes (`required`, `checked`, `selected`, `disabled`) switched on or off.
    public static func element(
        _ name: String, _ attributes: KeyValuePairs<String, String?> = [:], flags: [String: Bool],
        @NodeBuilder _ children: () -> [Node] = { [] }
    ) -> Node {
        var kept = attributes.compactMap { pair in pair.value.map { Node.Attribute(pair.key, $0) } }
        for name in flags.keys.sorted() where flags[name] == true { kept.append(Node.Attribute(name, nil)) }
        return .element(name: name, attributes: kept, children: children())
    }
}

/// Escapes by UTF-8 bytes: every character that is replaced is ASCII, and an ASCII byte never occurs inside a
/// multi-byte UTF-8 sequence, so replacing bytes is replacing characters. Text with nothing to replace (most of a
/// page: names, dates, ids) is returned as it is, without a copy (the dashboard's 100-row lists spent a tenth of
/// their time iterating Characters here; BENCHMARKS.md "Dashboard: the visits-due count kept per day").
enum HTMLEscape {
    static func text(_ text: String) -> String { escape(text, quotes: false) }

    static func attribute(_ text: String) -> String { escape(text, quotes: true) }

    private static func replacement(_ byte: UInt8, quotes: Bool) -> StaticString? {
        switch byte {
        case UInt8(ascii: "&"): return "&amp;"
        case UInt8(ascii: "<"): return "&lt;"
        case UInt8(ascii: ">"): return "&gt;"
        case UInt8(ascii: "\""): return quotes ? "&quot;" : nil
        case UInt8(ascii: "'"): return quotes ? "&#39;" : nil
        default: return nil
        }
    }

    private static func escape(_ text: String, quotes: Bool) -> String {
        var text = text
        return text.withUTF8 { bytes in
            guard let first = bytes.firstIndex(where: { replacement($0, quotes: quotes) != nil }) else { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 16)
            out.append(contentsOf: bytes[..<first])
            for byte in bytes[first...] {
                if let entity = replacement(byte, quotes: quotes) {
                    out.append(contentsOf: UnsafeBufferPointer(start: entity.utf8Start, count: entity.utf8CodeUnitCount))
                } else {
                    out.append(byte)
                }
            }
            return String(decoding: out, as: UTF8.self)
        } ?? text
    }
}
