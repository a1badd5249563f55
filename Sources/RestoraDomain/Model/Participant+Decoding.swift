extension Participant {
    // Internal, not private: Swift 6.3.1 crashes in IRGen (non-WMO builds) when the synthesized encode(to:)
    // in Participant.swift refers to a private CodingKeys declared in this file.
    enum CodingKeys: String, CodingKey {
        case id, siteID, mrn, givenName, familyName, sex, birthDate, postmenopausal, diagnoses, history
    }

    /// Diagnoses and history may be omitted from a file; they then read as empty.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(Identifier<Participant>.self, forKey: .id),
            siteID: try c.decode(Identifier<Site>.self, forKey: .siteID),
            mrn: try c.decode(String.self, forKey: .mrn),
            givenName: try c.decodeIfPresent(String.self, forKey: .givenName),
            familyName: try c.decodeIfPresent(String.self, forKey: .familyName),
            sex: try c.decode(Sex.self, forKey: .sex),
            birthDate: try c.decode(CalendarDate.self, forKey: .birthDate),
            postmenopausal: try c.decodeIfPresent(Bool.self, forKey: .postmenopausal),
            diagnoses: try c.decodeIfPresent([Diagnosis].self, forKey: .diagnoses) ?? [],
            history: try c.decodeIfPresent([HistoryItem].self, forKey: .history) ?? [])
    }
}
