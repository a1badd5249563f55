/// One DXA examination: who was scanned, on which scanner, and what each site measured.
public struct DXAExam: Codable, Sendable, Equatable {
    public var patient: DXAPatient
    /// Manufacturer/model, used to pick a scanner-specific reference (REFERENCE.md C2).
    public var scanner: String?
    public var date: CalendarDate?
    public var sites: [DXASiteMeasurement]
    /// nil = not asked; needed only to tell osteoporosis from severe osteoporosis.
    public var fragilityFracture: Bool?

    public init(
        patient: DXAPatient, scanner: String? = nil, date: CalendarDate? = nil, sites: [DXASiteMeasurement],
        fragilityFracture: Bool? = nil
    ) {
        self.patient = patient
        self.scanner = scanner
        self.date = date
        self.sites = sites
        self.fragilityFracture = fragilityFracture
    }
}

/// One site's reading. BMD is preferred (scores are then computed from a stated reference); a T- or
/// Z-score printed by the scanner is used when no reference for that site and scanner is configured.
public struct DXASiteMeasurement: Codable, Sendable, Equatable {
    public var site: SkeletalSite
    public var bmdGPerCm2: Double?
    public var reportedTScore: Double?
    public var reportedZScore: Double?
    /// Age/sex-matched reference, when the Z-score is to be computed rather than read off the report.
    public var ageMatchedReference: BoneDensityReference?

    public init(
        site: SkeletalSite, bmdGPerCm2: Double? = nil, reportedTScore: Double? = nil, reportedZScore: Double? = nil,
        ageMatchedReference: BoneDensityReference? = nil
    ) {
        self.site = site
        self.bmdGPerCm2 = bmdGPerCm2
        self.reportedTScore = reportedTScore
        self.reportedZScore = reportedZScore
        self.ageMatchedReference = ageMatchedReference
    }
}

/// One site's scores and where they came from.
public struct DXASiteResult: Codable, Sendable, Equatable {
    public var site: SkeletalSite
    public var bmdGPerCm2: Double?
    public var tScore: Double?
    /// "computed from <reference source>" or "reported by scanner".
    public var tScoreSource: String?
    public var zScore: Double?
    public var zScoreSource: String?

    public init(site: SkeletalSite, bmdGPerCm2: Double?, tScore: Double?, tScoreSource: String?,
                zScore: Double?, zScoreSource: String?) {
        self.site = site
        self.bmdGPerCm2 = bmdGPerCm2
        self.tScore = tScore
        self.tScoreSource = tScoreSource
        self.zScore = zScore
        self.zScoreSource = zScoreSource
    }
}

/// The DXA interpretation a report prints.
public struct DXADiagnosis: Codable, Sendable, Equatable {
    /// nil when it could not be decided which vocabulary applies (see `cannotClassify`).
    public var vocabulary: DXAPatient.Vocabulary?
    public var sites: [DXASiteResult]
    /// The site with the lowest score used for the diagnosis (T or Z, per `vocabulary`).
    public var lowestSite: SkeletalSite?
    public var lowestScore: Double?
    /// WHO category; only when T-scores apply.
    public var category: BoneDensityCategory?
    /// ISCD Z-score wording; only when T-scores do not apply.
    public var zScoreWording: ZScoreWording?
    public var notes: [String]
    public var cannotClassify: [String]

    public init(vocabulary: DXAPatient.Vocabulary?, sites: [DXASiteResult], lowestSite: SkeletalSite? = nil,
                lowestScore: Double? = nil, category: BoneDensityCategory? = nil, zScoreWording: ZScoreWording? = nil,
                notes: [String] = [], cannotClassify: [String] = []) {
        self.vocabulary = vocabulary
        self.sites = sites
        self.lowestSite = lowestSite
        self.lowestScore = lowestScore
        self.category = category
        self.zScoreWording = zScoreWording
        self.notes = notes
        self.cannotClassify = cannotClassify
    }
}
