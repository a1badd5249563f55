/// The facts about the person that decide which DXA vocabulary applies (REFERENCE.md C1).
public struct DXAPatient: Codable, Sendable, Equatable, Hashable {
    public enum Sex: String, Codable, Sendable, Equatable, Hashable { case female, male }
    public enum MenopausalStatus: String, Codable, Sendable, Equatable, Hashable {
        case premenopausal, postmenopausal, unknown
    }

    public var sex: Sex
    public var ageYears: Int
    /// Needed for women only.
    public var menopausalStatus: MenopausalStatus?

    public init(sex: Sex, ageYears: Int, menopausalStatus: MenopausalStatus? = nil) {
        self.sex = sex
        self.ageYears = ageYears
        self.menopausalStatus = menopausalStatus
    }

    public enum Vocabulary: String, Codable, Sendable, Equatable {
        /// WHO T-score categories: postmenopausal women and men ≥ 50.
        case tScore
        /// ISCD Z-score wording: premenopausal women and men < 50.
        case zScore
    }

    /// Which vocabulary applies; nil (with the missing fact) when a woman's menopausal status is unknown —
    /// the rule does not guess from age.
    public func vocabulary() throws -> (vocabulary: Vocabulary?, needs: String?) {
        try AllowedRange(lower: 0, upper: 130, unit: "years").check(Double(ageYears), field: "age")
        switch sex {
        case .male:
            return (ageYears >= 50 ? .tScore : .zScore, nil)
        case .female:
            switch menopausalStatus {
            case .postmenopausal: return (.tScore, nil)
            case .premenopausal: return (.zScore, nil)
            case .unknown, nil: return (nil, "menopausal status")
            }
        }
    }
}
