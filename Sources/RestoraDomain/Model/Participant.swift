/// Administrative sex as recorded for the clinical rules (WHO semen limits apply to men; DXA T-score rules
/// depend on sex and menopausal status).
public enum Sex: String, Hashable, Sendable, Codable, CaseIterable {
    case male, female, other, unknown
}

/// A person followed by the clinic. The MRN is unique per site.
public struct Participant: Hashable, Sendable, Codable, Identifiable {
    public var id: Identifier<Participant>
    public var siteID: Identifier<Site>
    public var mrn: String
    public var givenName: String?
    public var familyName: String?
    public var sex: Sex
    public var birthDate: CalendarDate
    /// Only meaningful for women; used by the DXA rules (ISCD: T-scores apply to postmenopausal women).
    public var postmenopausal: Bool?
    public var diagnoses: [Diagnosis]
    public var history: [HistoryItem]

    public init(
        id: Identifier<Participant>, siteID: Identifier<Site>, mrn: String,
        givenName: String? = nil, familyName: String? = nil, sex: Sex, birthDate: CalendarDate,
        postmenopausal: Bool? = nil, diagnoses: [Diagnosis] = [], history: [HistoryItem] = []
    ) {
        self.id = id
        self.siteID = siteID
        self.mrn = mrn
        self.givenName = givenName
        self.familyName = familyName
        self.sex = sex
        self.birthDate = birthDate
        self.postmenopausal = postmenopausal
        self.diagnoses = diagnoses
        self.history = history
    }

    public func age(on date: CalendarDate) -> Int { birthDate.age(on: date) }
}

/// A diagnosis coded in ICD-10-CM (REFERENCE.md F2), optionally also in SNOMED CT.
public struct Diagnosis: Hashable, Sendable, Codable {
    public var code: Coding
    public var onset: CalendarDate?
    public var note: String?

    public init(code: Coding, onset: CalendarDate? = nil, note: String? = nil) {
        self.code = code
        self.onset = onset
        self.note = note
    }
}

/// A past event in the participant's history that the protocols ask about.
public struct HistoryItem: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// e.g. prior sperm retrieval (TESE, micro-TESE), prior testicular surgery.
        case procedure
        /// e.g. a fragility fracture, a psychiatric history.
        case condition
        case fracture
        case exposure
        case other
    }

    public var kind: Kind
    public var code: Coding?
    public var description: String
    public var date: CalendarDate?
    /// e.g. "unsuccessful" for a sperm retrieval without sperm; free text.
    public var outcome: String?

    public init(kind: Kind, code: Coding? = nil, description: String, date: CalendarDate? = nil, outcome: String? = nil) {
        self.kind = kind
        self.code = code
        self.description = description
        self.date = date
        self.outcome = outcome
    }
}
