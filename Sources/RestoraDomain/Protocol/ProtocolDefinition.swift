/// A treatment program or trial protocol as data, read from `protocols/<id>.yaml` (docs/protocol-format.md).
/// The clinical values in those files cite REFERENCE.md; values it is silent on or marks U are listed
/// under `defaults:` so nobody mistakes them for cited facts.
public struct ProtocolDefinition: Hashable, Sendable, Codable, Identifiable {
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case drugCourse = "drug-course"
        case cellTherapy = "cell-therapy"
    }

    public var id: String
    public var version: String
    public var title: String
    public var kind: Kind
    public var summary: String?
    /// REFERENCE.md sections and publications this protocol rests on.
    public var references: [String]
    /// Site codes where the protocol runs; empty = not yet assigned to a site.
    public var sites: [String]
    public var arms: [Arm]
    public var interventions: [Intervention]
    public var inclusion: [Criterion]
    public var exclusion: [Criterion]
    public var assessments: [Assessment]
    public var schedule: [VisitDefinition]
    public var endpoints: Endpoints
    public var safetyRules: [SafetyRule]
    public var release: ReleaseSpecification?
    public var counselling: [CounsellingItem]
    public var defaults: [DefaultNote]
    /// The reference safety information: the adverse reactions the program expects, each with its source.
    /// An adverse event is expected only when its CTCAE term is listed here (docs/safety.md).
    public var referenceSafetyInformation: [ReferenceSafetyItem] = []
    /// How participants are allocated to `arms`; nil = not randomised (docs/randomisation.md, REFERENCE.md I).
    public var randomisation: RandomisationScheme?

    public init(
        id: String, version: String, title: String, kind: Kind, summary: String? = nil, references: [String] = [],
        sites: [String] = [], arms: [Arm], interventions: [Intervention], inclusion: [Criterion],
        exclusion: [Criterion], assessments: [Assessment], schedule: [VisitDefinition], endpoints: Endpoints,
        safetyRules: [SafetyRule] = [], release: ReleaseSpecification? = nil, counselling: [CounsellingItem] = [],
        defaults: [DefaultNote] = []
    ) {
        self.id = id
        self.version = version
        self.title = title
        self.kind = kind
        self.summary = summary
        self.references = references
        self.sites = sites
        self.arms = arms
        self.interventions = interventions
        self.inclusion = inclusion
        self.exclusion = exclusion
        self.assessments = assessments
        self.schedule = schedule
        self.endpoints = endpoints
        self.safetyRules = safetyRules
        self.release = release
        self.counselling = counselling
        self.defaults = defaults
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, version, title, kind, summary, references, sites, arms, interventions, inclusion, exclusion
        case assessments, schedule, endpoints, safetyRules, release, counselling, defaults
        case referenceSafetyInformation, randomisation
    }

    /// Optional lists may be left out; unknown top-level keys are refused (a typo must not drop a section).
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        version = try Self.decodeVersion(c)
        title = try c.decode(String.self, forKey: .title)
        kind = try c.decode(Kind.self, forKey: .kind)
        summary = try c.decodeIfPresent(String.self, forKey: .summary)
        references = try c.decodeIfPresent([String].self, forKey: .references) ?? []
        sites = try c.decodeIfPresent([String].self, forKey: .sites) ?? []
        arms = try c.decode([Arm].self, forKey: .arms)
        interventions = try c.decode([Intervention].self, forKey: .interventions)
        inclusion = try c.decode([Criterion].self, forKey: .inclusion)
        exclusion = try c.decodeIfPresent([Criterion].self, forKey: .exclusion) ?? []
        assessments = try c.decodeIfPresent([Assessment].self, forKey: .assessments) ?? []
        schedule = try c.decode([VisitDefinition].self, forKey: .schedule)
        endpoints = try c.decode(Endpoints.self, forKey: .endpoints)
        safetyRules = try c.decodeIfPresent([SafetyRule].self, forKey: .safetyRules) ?? []
        release = try c.decodeIfPresent(ReleaseSpecification.self, forKey: .release)
        counselling = try c.decodeIfPresent([CounsellingItem].self, forKey: .counselling) ?? []
        defaults = try c.decodeIfPresent([DefaultNote].self, forKey: .defaults) ?? []
        referenceSafetyInformation = try c.decodeIfPresent([ReferenceSafetyItem].self, forKey: .referenceSafetyInformation) ?? []
        randomisation = try c.decodeIfPresent(RandomisationScheme.self, forKey: .randomisation)
    }

    /// `version: 1.0` is a number to YAML; accept it as the text the author meant.
    private static func decodeVersion(_ c: KeyedDecodingContainer<CodingKeys>) throws -> String {
        if let text = try? c.decode(String.self, forKey: .version) { return text }
        if let number = try? c.decode(Double.self, forKey: .version) { return NumberText.plain(number) }
        return try c.decode(String.self, forKey: .version)
    }

    public func criterion(id: String) -> Criterion? { (inclusion + exclusion).first { $0.id == id } }
    public func visit(key: String) -> VisitDefinition? { schedule.first { $0.key == key } }
    public func assessment(id: String) -> Assessment? { assessments.first { $0.id == id } }
}
