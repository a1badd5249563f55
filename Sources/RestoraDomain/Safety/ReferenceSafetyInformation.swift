import Foundation

/// One adverse reaction a program's reference safety information lists (ICH E2A "expected"; REFERENCE.md E3):
/// the CTCAE v5.0 term and where the expectation comes from (the label, the index study).
public struct ReferenceSafetyItem: Hashable, Sendable, Codable {
    /// The CTCAE v5.0 term name as in `CTCAETermList` ("Dry skin", "Cholesterol high").
    public var term: String
    /// The source, e.g. "REFERENCE.md A1 (index study: dry skin/chapped lips in 30 of 30)".
    public var source: String

    public init(term: String, source: String) {
        self.term = term
        self.source = source
    }

    /// Problems of a protocol file's list: a term the CTCAE list does not know (a typo would make every such
    /// event unexpected), an "Other, specify" term (free text is never judged expected), a missing source.
    static func problems(_ items: [ReferenceSafetyItem], terms: CTCAETermList) -> [ProtocolIssue] {
        var issues: [ProtocolIssue] = []
        for (i, item) in items.enumerated() {
            let path = DocumentPath(["referenceSafetyInformation"]).index(i)
            if let entry = terms.entry(named: item.term) {
                if entry.isOtherSpecify {
                    issues.append(.init(path.key("term"), "an \"Other, specify\" term cannot be expected: name the CTCAE term"))
                }
            } else {
                issues.append(.init(path.key("term"), "\"\(item.term)\" is not a CTCAE v5.0 term of \(terms.origin)"))
            }
            if item.source.trimmingCharacters(in: .whitespaces).isEmpty {
                issues.append(.init(path.key("source"), "a reference safety information entry needs its source"))
            }
        }
        return issues
    }
}

/// Expectedness judged by the system (docs/safety.md): an event is expected when its coded CTCAE term is in
/// the reference safety information of a protocol that applies to it; nobody can mark an unlisted term
/// expected, and an uncoded or "Other, specify" event is always unexpected.
public enum Expectedness {
    public struct Judgement: Hashable, Sendable {
        public var expected: Bool
        /// "isotretinoin-noa 1.0: Dry skin — REFERENCE.md A1 …" when expected.
        public var basis: String?
    }

    /// `protocols` are the definitions of the enrolments the event belongs to (the one it names, else the
    /// participant's open ones).
    public static func judge(_ event: AdverseEvent, protocols: [ProtocolDefinition]) -> Judgement {
        guard event.isCoded, event.otherSpecify == nil else { return Judgement(expected: false, basis: nil) }
        let key = event.term.lowercased()
        for definition in protocols {
            if let item = definition.referenceSafetyInformation.first(where: { $0.term.lowercased() == key }) {
                return Judgement(expected: true, basis: "\(definition.id) \(definition.version): \(item.term) — \(item.source)")
            }
        }
        return Judgement(expected: false, basis: nil)
    }
}
