/// How a randomised protocol allocates participants to its arms: the `randomisation:` section of a protocol
/// file (docs/protocol-format.md, docs/randomisation.md "Methods"). Sources: REFERENCE.md I (permuted blocks
/// within strata; Pocock–Simon minimisation; random block sizes; allocation concealment).
///
/// ```yaml
/// randomisation:
///   arms: [isotretinoin, observation]
///   ratio: [1, 1]
///   method: permuted-blocks
///   blocks: { sizes: [2, 4, 6], strata: [site] }
///   blinding: { mode: open }
/// ```
public struct RandomisationScheme: Hashable, Sendable, Codable {
    public enum Method: String, Hashable, Sendable, Codable, CaseIterable {
        /// Permuted blocks with random block sizes within strata (REFERENCE.md I, C; random sizes U).
        case permutedBlocks = "permuted-blocks"
        /// Pocock–Simon minimisation (REFERENCE.md I, C).
        case minimisation
    }

    /// The reserved factor id for the participant's site: it may be used as a stratum (permuted blocks) or,
    /// through `MinimisationSettings.siteWeight`, as a minimisation factor. No protocol factor may use it.
    public static let siteFactorID = "site"

    /// Arm ids from the protocol's `arms`, in the order of `ratio`.
    public var arms: [String]
    /// Allocation ratio, one positive whole number per arm (1:1 → [1, 1]; 2:1 → [2, 1]).
    public var ratio: [Int]
    public var method: Method
    /// Set for `permuted-blocks`.
    public var blocks: BlockSettings?
    /// Set for `minimisation` (defaults apply when the section is left out).
    public var minimisation: MinimisationSettings?
    /// Protocol-named prognostic factors, collected at randomisation.
    public var factors: [RandomisationFactor]
    public var blinding: Blinding

    public init(
        arms: [String], ratio: [Int], method: Method, blocks: BlockSettings? = nil,
        minimisation: MinimisationSettings? = nil, factors: [RandomisationFactor] = [], blinding: Blinding = .open
    ) {
        self.arms = arms
        self.ratio = ratio
        self.method = method
        self.blocks = blocks
        self.minimisation = minimisation
        self.factors = factors
        self.blinding = blinding
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case arms, ratio, method, blocks, minimisation, factors, blinding
    }

    /// Unknown keys are refused (a misspelt `minimization:` must not silently fall back to defaults).
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        arms = try c.decode([String].self, forKey: .arms)
        ratio = try c.decodeIfPresent([Int].self, forKey: .ratio) ?? Array(repeating: 1, count: arms.count)
        method = try c.decode(Method.self, forKey: .method)
        blocks = try c.decodeIfPresent(BlockSettings.self, forKey: .blocks)
        minimisation = try c.decodeIfPresent(MinimisationSettings.self, forKey: .minimisation)
        if method == .minimisation && minimisation == nil { minimisation = MinimisationSettings() }
        factors = try c.decodeIfPresent([RandomisationFactor].self, forKey: .factors) ?? []
        blinding = try c.decodeIfPresent(Blinding.self, forKey: .blinding) ?? .open
    }

    /// The sum of the ratio: every permuted block is a multiple of it.
    public var ratioSum: Int { ratio.reduce(0, +) }

    /// The ratio weight of an arm (0 for an arm not in the scheme).
    public func weight(of armID: String) -> Int {
        guard let index = arms.firstIndex(of: armID), ratio.indices.contains(index) else { return 0 }
        return ratio[index]
    }

    public func factor(id: String) -> RandomisationFactor? { factors.first { $0.id == id } }
}

/// Permuted-block settings (REFERENCE.md I: blocks within strata, C; random block sizes, U).
public struct BlockSettings: Hashable, Sendable, Codable {
    /// The block sizes to draw from, uniformly at random for each new block; each a multiple of the ratio sum.
    public var sizes: [Int]
    /// Stratification: `site` and/or ids of protocol factors. Empty = one sequence for the whole trial.
    public var strata: [String]

    public init(sizes: [Int], strata: [String] = [RandomisationScheme.siteFactorID]) {
        self.sizes = sizes
        self.strata = strata
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case sizes, strata }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sizes = try c.decode([Int].self, forKey: .sizes)
        strata = try c.decodeIfPresent([String].self, forKey: .strata) ?? [RandomisationScheme.siteFactorID]
    }
}

/// Pocock–Simon settings (REFERENCE.md I, Pocock & Simon 1975).
public struct MinimisationSettings: Hashable, Sendable, Codable {
    public enum Imbalance: String, Hashable, Sendable, Codable, CaseIterable {
        /// max − min of the (ratio-adjusted) arm counts within the participant's level of a factor.
        case range
        /// Population variance of those counts.
        case variance
    }

    /// Default probability of assigning the least-imbalanced arm: 0.8, a common default (REFERENCE.md I, U —
    /// configurable; 0.75–0.95 in use).
    public static let defaultProbability = 0.8

    public var imbalance: Imbalance
    /// Probability of assigning the arm with the least imbalance; must lie in (0.5, 1]. 1 is the deterministic
    /// variant REFERENCE.md I warns against where sites could infer assignments (allowed, validated with a note).
    public var probability: Double
    /// Weight of the participant's site as a minimisation factor; 0 = site not used.
    public var siteWeight: Double

    public init(imbalance: Imbalance = .range, probability: Double = MinimisationSettings.defaultProbability, siteWeight: Double = 0) {
        self.imbalance = imbalance
        self.probability = probability
        self.siteWeight = siteWeight
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case imbalance, probability, siteWeight }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        imbalance = try c.decodeIfPresent(Imbalance.self, forKey: .imbalance) ?? .range
        probability = try c.decodeIfPresent(Double.self, forKey: .probability) ?? Self.defaultProbability
        siteWeight = try c.decodeIfPresent(Double.self, forKey: .siteWeight) ?? 0
    }
}

/// A prognostic factor collected at randomisation (e.g. FSH raised or normal).
public struct RandomisationFactor: Hashable, Sendable, Codable {
    public var id: String
    public var label: String
    public var levels: [String]
    /// Minimisation weight (REFERENCE.md I: factor weights, S/U); ignored by permuted blocks. Default 1.
    public var weight: Double

    public init(id: String, label: String, levels: [String], weight: Double = 1) {
        self.id = id
        self.label = label
        self.levels = levels
        self.weight = weight
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case id, label, levels, weight }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        label = try c.decodeIfPresent(String.self, forKey: .label) ?? id
        levels = try c.decode([String].self, forKey: .levels)
        weight = try c.decodeIfPresent(Double.self, forKey: .weight) ?? 1
    }
}

/// Open label, or blinded: the listed roles see a kit code, never the arm (docs/randomisation.md).
public struct Blinding: Hashable, Sendable, Codable {
    public enum Mode: String, Hashable, Sendable, Codable, CaseIterable { case open, blinded }

    /// The default kit-code pattern: `#` is a random digit, `@` a random capital letter (no I, O).
    public static let defaultKitCodePattern = "KIT-######"

    public var mode: Mode
    /// Roles (UserRole raw values) that stay blinded; only for `blinded`.
    public var blindedRoles: [String]
    /// Pattern of the kit or treatment code shown to blinded roles; only for `blinded`.
    public var kitCodePattern: String
    /// Roles notified of an emergency unblinding (through the notification outbox). Default: admin.
    public var unblindedContacts: [String]

    public static let open = Blinding(mode: .open)

    public init(mode: Mode, blindedRoles: [String] = [], kitCodePattern: String = Blinding.defaultKitCodePattern,
                unblindedContacts: [String] = ["admin"]) {
        self.mode = mode
        self.blindedRoles = blindedRoles
        self.kitCodePattern = kitCodePattern
        self.unblindedContacts = unblindedContacts
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case mode, blindedRoles, kitCodePattern, unblindedContacts }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mode = try c.decode(Mode.self, forKey: .mode)
        blindedRoles = try c.decodeIfPresent([String].self, forKey: .blindedRoles) ?? []
        kitCodePattern = try c.decodeIfPresent(String.self, forKey: .kitCodePattern) ?? Self.defaultKitCodePattern
        unblindedContacts = try c.decodeIfPresent([String].self, forKey: .unblindedContacts) ?? ["admin"]
    }

    public var isBlinded: Bool { mode == .blinded }

    /// True when a user of `role` must see the kit code instead of the arm.
    public func hides(armFrom role: UserRole) -> Bool { isBlinded && blindedRoles.contains(role.rawValue) }

    /// A fresh kit code from the pattern. The caller stores it and draws again on a clash.
    public func kitCode(using rng: inout some RandomNumberGenerator) -> String {
        let letters = Array("ABCDEFGHJKLMNPQRSTUVWXYZ")
        var code = ""
        for character in kitCodePattern {
            switch character {
            case "#": code.append(String(Int.random(in: 0...9, using: &rng)))
            case "@": code.append(letters[Int.random(in: 0..<letters.count, using: &rng)])
            default: code.append(character)
            }
        }
        return code
    }
}

/// A choice written as text in the protocol file; a wrong value is refused naming the allowed ones
/// ("unknown method 'blocks'; one of: permuted-blocks, minimisation").
protocol RandomisationChoice: RawRepresentable<String>, CaseIterable, Decodable {
    static var what: String { get }
}

extension RandomisationChoice {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: text) else {
            let allowed = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown \(Self.what) '\(text)'; one of: \(allowed)"))
        }
        self = value
    }
}

extension RandomisationScheme.Method: RandomisationChoice { static var what: String { "method" } }
extension MinimisationSettings.Imbalance: RandomisationChoice { static var what: String { "imbalance measure" } }
extension Blinding.Mode: RandomisationChoice { static var what: String { "blinding mode" } }
