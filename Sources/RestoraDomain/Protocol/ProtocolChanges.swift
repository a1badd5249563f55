import Foundation

/// What changed from one version of a protocol to the next (issue #14 item 7; docs/amendments.md): the
/// eligibility criteria, the schedule's visits, the interventions, the safety rules and the randomisation scheme, each by its id —
/// added, removed, or changed (same id, different content). `restora protocol validate` prints it for a new
/// version against the previous one, so an amendment's reviewer sees exactly what the file changes.
public struct ProtocolChanges: Hashable, Sendable, Codable {
    public struct Change: Hashable, Sendable, Codable {
        public enum Kind: String, Hashable, Sendable, Codable { case added, removed, changed }
        /// "inclusion", "exclusion", "schedule", "interventions", "safety rules" or "randomisation".
        public var area: String
        public var kind: Kind
        public var id: String
        /// For a changed item, what differs (the fields whose content differs), else its title or text.
        public var detail: String

        public init(area: String, kind: Kind, id: String, detail: String) {
            self.area = area
            self.kind = kind
            self.id = id
            self.detail = detail
        }
    }

    public var protocolID: String
    public var from: String
    public var to: String
    public var changes: [Change]

    public init(from old: ProtocolDefinition, to new: ProtocolDefinition) {
        protocolID = new.id
        from = old.version
        to = new.version
        var changes: [Change] = []
        changes += Self.compare("inclusion", old.inclusion, new.inclusion, id: \.id, title: \.text)
        changes += Self.compare("exclusion", old.exclusion, new.exclusion, id: \.id, title: \.text)
        changes += Self.compare("schedule", old.schedule, new.schedule, id: \.key) {
            "\($0.title), day \($0.day) (window -\($0.windowBefore)/+\($0.windowAfter))"
        }
        changes += Self.compare("interventions", old.interventions, new.interventions, id: \.id, title: \.title)
        changes += Self.compare("safety rules", old.safetyRules, new.safetyRules, id: \.id, title: \.description)
        // A changed allocation scheme is part of the amendment a reviewer must see (REFERENCE.md I; docs/randomisation.md).
        changes += Self.compare("randomisation", old.randomisation.map { [$0] } ?? [], new.randomisation.map { [$0] } ?? [],
                                id: { _ in "scheme" }, title: { "\($0.method.rawValue), arms \($0.arms.joined(separator: ", "))" })
        self.changes = changes
    }

    public var isEmpty: Bool { changes.isEmpty }

    /// Items matched by id, in the new file's order, then the removed ones in the old file's order.
    static func compare<T: Encodable & Equatable>(
        _ area: String, _ old: [T], _ new: [T], id: (T) -> String, title: (T) -> String
    ) -> [Change] {
        let before = Dictionary(old.map { (id($0), $0) }, uniquingKeysWith: { a, _ in a })
        let after = Set(new.map(id))
        var changes: [Change] = []
        for item in new {
            guard let previous = before[id(item)] else {
                changes.append(Change(area: area, kind: .added, id: id(item), detail: title(item)))
                continue
            }
            if previous != item {
                changes.append(Change(area: area, kind: .changed, id: id(item), detail: differingFields(previous, item, title: title(item))))
            }
        }
        for item in old where !after.contains(id(item)) {
            changes.append(Change(area: area, kind: .removed, id: id(item), detail: title(item)))
        }
        return changes
    }

    /// The top-level fields whose JSON differs, e.g. "Month 3: day, windowAfter".
    static func differingFields<T: Encodable>(_ a: T, _ b: T, title: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let x = (try? encoder.encode(a)).flatMap({ try? JSONSerialization.jsonObject(with: $0) }) as? [String: Any],
              let y = (try? encoder.encode(b)).flatMap({ try? JSONSerialization.jsonObject(with: $0) }) as? [String: Any] else { return title }
        let keys = Set(x.keys).union(y.keys).sorted().filter { key in
            let left = x[key].flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys, .fragmentsAllowed]) }
            let right = y[key].flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys, .fragmentsAllowed]) }
            return left != right
        }
        return keys.isEmpty ? title : "\(title): \(keys.joined(separator: ", "))"
    }

    /// One line per change, grouped as the file reads.
    public var lines: [String] {
        changes.map { "  \($0.kind.rawValue) \($0.area) \($0.id): \($0.detail)" }
    }
}
