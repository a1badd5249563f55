/// Something collected at visits — a semen analysis, a lipid panel, a DXA scan, a questionnaire — with
/// the codes its results are recorded under (LOINC where one exists, REFERENCE.md F1; otherwise `restora`).
public struct Assessment: Hashable, Sendable, Codable {
    public var id: String
    public var title: String
    public var codes: [Coding]
    public var reference: String?

    public init(id: String, title: String, codes: [Coding], reference: String? = nil) {
        self.id = id
        self.title = title
        self.codes = codes
        self.reference = reference
    }
}

/// One visit of the schedule of assessments. `day` counts from day 0 (first dose, or the injection for
/// cell therapy); negative days come before it (screening, harvest). The window is inclusive:
/// the visit may happen from `day - windowBefore` to `day + windowAfter`.
public struct VisitDefinition: Hashable, Sendable, Codable {
    public var key: String
    public var title: String
    public var day: Int
    public var windowBefore: Int
    public var windowAfter: Int
    /// Ids of the protocol's `assessments` collected at this visit.
    public var collect: [String]
    public var note: String?

    public init(key: String, title: String, day: Int, windowBefore: Int, windowAfter: Int, collect: [String],
                note: String? = nil) {
        self.key = key
        self.title = title
        self.day = day
        self.windowBefore = windowBefore
        self.windowAfter = windowAfter
        self.collect = collect
        self.note = note
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case key, title, day, windowBefore, windowAfter, collect, note }

    /// Both window sides are written out so an asymmetric window is never a surprise; unknown keys are refused.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        title = try c.decode(String.self, forKey: .title)
        day = try c.decode(Int.self, forKey: .day)
        windowBefore = try c.decode(Int.self, forKey: .windowBefore)
        windowAfter = try c.decode(Int.self, forKey: .windowAfter)
        collect = try c.decodeIfPresent([String].self, forKey: .collect) ?? []
        note = try c.decodeIfPresent(String.self, forKey: .note)
    }

    /// First and last day offsets of the window, inclusive.
    public var earliestDay: Int { day - windowBefore }
    public var latestDay: Int { day + windowAfter }
}
