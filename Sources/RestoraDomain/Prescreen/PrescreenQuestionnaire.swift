/// A short public questionnaire that tells a person, in plain language, whether a program might fit them
/// before they ever meet the clinic. It is derived from the protocol's eligibility criteria: every question
/// names the criteria it speaks to and the REFERENCE.md section behind them. A questionnaire can never
/// enrol or exclude anyone: "rules out" means the protocol as written would exclude the answer given, and
/// everything a lab test, semen analysis or examination has to settle is sent to the visit.
public struct PrescreenQuestionnaire: Hashable, Sendable {
    public var protocolID: String
    /// Changes whenever the questions or their mapping change, so a stored candidate says which wording they saw.
    public var version: String
    public var title: String
    public var introduction: String
    public var questions: [PrescreenQuestion]
    /// What the clinic checks at the first visit whatever the answers (stated on every result).
    public var alwaysAtVisit: [String]

    public init(
        protocolID: String, version: String, title: String, introduction: String, questions: [PrescreenQuestion],
        alwaysAtVisit: [String]
    ) {
        self.protocolID = protocolID
        self.version = version
        self.title = title
        self.introduction = introduction
        self.questions = questions
        self.alwaysAtVisit = alwaysAtVisit
    }

    public func question(_ id: String) -> PrescreenQuestion? { questions.first { $0.id == id } }
}

/// One question, as the person reads it, and how each possible answer sorts.
public struct PrescreenQuestion: Hashable, Sendable, Identifiable {
    public enum Kind: Hashable, Sendable {
        /// Yes / no / not sure radio buttons.
        case yesNoNotSure
        /// A whole number in `range` (inclusive), e.g. age in years.
        case wholeNumber(range: ClosedRange<Int>, unit: String)
    }

    /// Also the form field name.
    public var id: String
    public var text: String
    /// A plain-language explanation shown under the question (what a term means).
    public var hint: String?
    public var kind: Kind
    /// The protocol criteria (`inclusion`/`exclusion` ids) this question speaks to; empty when it asks about
    /// something REFERENCE.md lists but the protocol leaves to the investigator (see `reference`).
    public var criterionIDs: [String]
    /// The REFERENCE.md sections behind the rule, with the confidence marks that matter.
    public var reference: String
    /// How an answer sorts, with the sentence the person reads.
    public var rule: @Sendable (PrescreenAnswer) -> PrescreenFinding.Sorting

    public init(
        id: String, text: String, hint: String? = nil, kind: Kind, criterionIDs: [String], reference: String,
        rule: @escaping @Sendable (PrescreenAnswer) -> PrescreenFinding.Sorting
    ) {
        self.id = id
        self.text = text
        self.hint = hint
        self.kind = kind
        self.criterionIDs = criterionIDs
        self.reference = reference
        self.rule = rule
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.id == rhs.id && lhs.text == rhs.text && lhs.hint == rhs.hint && lhs.kind == rhs.kind
            && lhs.criterionIDs == rhs.criterionIDs && lhs.reference == rhs.reference
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(text)
    }
}

/// One answer as given.
public enum PrescreenAnswer: Hashable, Sendable, Codable {
    case yes, no, notSure
    case number(Int)

    /// The form value (`yes`, `no`, `not-sure`, or the number).
    public var formValue: String {
        switch self {
        case .yes: return "yes"
        case .no: return "no"
        case .notSure: return "not-sure"
        case let .number(value): return String(value)
        }
    }

    /// How the person's answer reads back to them and to the clinic.
    public var label: String {
        switch self {
        case .yes: return "Yes"
        case .no: return "No"
        case .notSure: return "Not sure"
        case let .number(value): return String(value)
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        switch text {
        case "yes": self = .yes
        case "no": self = .no
        case "not-sure": self = .notSure
        default:
            guard let value = Int(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a prescreen answer: \(text)"))
            }
            self = .number(value)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(formValue)
    }
}

/// Where one answer puts the person, and the sentence that says why.
public struct PrescreenFinding: Hashable, Sendable, Codable {
    public enum Bucket: String, Hashable, Sendable, Codable, CaseIterable {
        case fits
        case rulesOut = "rules-out"
        case needsVisit = "needs-visit"
    }

    public struct Sorting: Hashable, Sendable {
        public var bucket: Bucket
        public var sentence: String
        public init(_ bucket: Bucket, _ sentence: String) {
            self.bucket = bucket
            self.sentence = sentence
        }
        public static func fits(_ sentence: String) -> Sorting { Sorting(.fits, sentence) }
        public static func rulesOut(_ sentence: String) -> Sorting { Sorting(.rulesOut, sentence) }
        public static func needsVisit(_ sentence: String) -> Sorting { Sorting(.needsVisit, sentence) }
    }

    public var questionID: String
    public var answer: PrescreenAnswer
    public var bucket: Bucket
    public var sentence: String
    public var criterionIDs: [String]

    public init(questionID: String, answer: PrescreenAnswer, bucket: Bucket, sentence: String, criterionIDs: [String]) {
        self.questionID = questionID
        self.answer = answer
        self.bucket = bucket
        self.sentence = sentence
        self.criterionIDs = criterionIDs
    }
}
