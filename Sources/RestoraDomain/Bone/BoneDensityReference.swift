/// A young-adult (or age-matched, for Z-scores) reference: mean and SD of BMD in g/cm².
public struct BoneDensityReference: Codable, Sendable, Equatable, Hashable {
    public var meanGPerCm2: Double
    public var sdGPerCm2: Double
    /// Where the numbers come from, printed with every score computed from them.
    public var source: String

    public init(meanGPerCm2: Double, sdGPerCm2: Double, source: String) {
        self.meanGPerCm2 = meanGPerCm2
        self.sdGPerCm2 = sdGPerCm2
        self.source = source
    }

    /// REFERENCE.md C2: NHANES III femoral neck, White women 20–29 y, 0.858 ± 0.120 g/cm² (Looker 1998;
    /// Kanis 2008 reference standard). Confidence S in REFERENCE.md — "verify against the primary table" —
    /// so it is a default a site can replace, not a constant.
    public static let nhanes3FemoralNeck = BoneDensityReference(
        meanGPerCm2: 0.858, sdGPerCm2: 0.120,
        source: "NHANES III femoral neck, White women 20–29 y (REFERENCE.md C2)")

    public func validate(field: String) throws {
        try AllowedRange.positive("g/cm²").check(meanGPerCm2, field: "\(field).mean")
        try AllowedRange.positive("g/cm²").check(sdGPerCm2, field: "\(field).sd")
    }
}

/// Young-adult references per skeletal site and scanner (manufacturer/model). ISCD (REFERENCE.md C2):
/// NHANES III for femoral neck and total hip, the manufacturer's own database for lumbar spine, so a
/// scanner-specific entry wins over the site's generic one.
public struct BoneReferenceTable: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var site: SkeletalSite
        /// nil = any scanner.
        public var scanner: String?
        public var reference: BoneDensityReference

        public init(site: SkeletalSite, scanner: String? = nil, reference: BoneDensityReference) {
            self.site = site
            self.scanner = scanner
            self.reference = reference
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// Only the femoral neck has a reference in REFERENCE.md; other sites need a configured entry or a
    /// T-score reported by the scanner.
    public static let `default` = BoneReferenceTable(entries: [
        Entry(site: .femoralNeck, reference: .nhanes3FemoralNeck),
    ])

    public func reference(for site: SkeletalSite, scanner: String?) -> BoneDensityReference? {
        if let scanner,
           let specific = entries.first(where: { $0.site == site && $0.scanner?.lowercased() == scanner.lowercased() }) {
            return specific.reference
        }
        return entries.first(where: { $0.site == site && $0.scanner == nil })?.reference
    }
}
