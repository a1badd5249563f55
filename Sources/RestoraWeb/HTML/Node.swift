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

enum HTMLEscape {
    static func text(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.append(character)
            }
        }
        return out
    }

    static func attribute(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
