/// One arm of a protocol: which interventions its participants receive. Single-arm programs have one.
public struct Arm: Hashable, Sendable, Codable {
    public var id: String
    public var title: String
    /// Ids of entries in the protocol's `interventions`.
    public var interventions: [String]

    public init(id: String, title: String, interventions: [String]) {
        self.id = id
        self.title = title
        self.interventions = interventions
    }
}

/// Primary and secondary endpoints.
public struct Endpoints: Hashable, Sendable, Codable {
    public var primary: [Endpoint]
    public var secondary: [Endpoint]

    public init(primary: [Endpoint], secondary: [Endpoint] = []) {
        self.primary = primary
        self.secondary = secondary
    }

    private enum CodingKeys: String, CodingKey { case primary, secondary }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        primary = try c.decode([Endpoint].self, forKey: .primary)
        secondary = try c.decodeIfPresent([Endpoint].self, forKey: .secondary) ?? []
    }
}

/// What the protocol measures to judge the treatment, when, and with which codes.
public struct Endpoint: Hashable, Sendable, Codable {
    public var id: String
    public var title: String
    public var description: String?
    /// The observation codes the endpoint is computed from (may be empty for clinician-judged endpoints).
    public var measures: [Coding]?
    /// e.g. "up to week 26", "month 12".
    public var timeFrame: String?
    public var reference: String?

    public init(id: String, title: String, description: String? = nil, measures: [Coding]? = nil,
                timeFrame: String? = nil, reference: String? = nil) {
        self.id = id
        self.title = title
        self.description = description
        self.measures = measures
        self.timeFrame = timeFrame
        self.reference = reference
    }
}

/// One item the clinician must go through with the participant before treatment (and tick off).
public struct CounsellingItem: Hashable, Sendable, Codable {
    public var id: String
    public var text: String
    public var reference: String?

    public init(id: String, text: String, reference: String? = nil) {
        self.id = id
        self.text = text
        self.reference = reference
    }
}

/// A value in the protocol that REFERENCE.md does not confirm (marked U there, or not covered): a
/// clinically sensible default that a site may change. `item` names where the value sits in the file.
public struct DefaultNote: Hashable, Sendable, Codable {
    public var item: String
    public var value: String
    public var reason: String

    public init(item: String, value: String, reason: String) {
        self.item = item
        self.value = value
        self.reason = reason
    }
}
