import Foundation

/// A recorded departure from the protocol (issue #14): something the protocol's rules refuse — an enrolment
/// past the eligibility gate without an eligible verdict, a dose, route, frequency or procedure outside the
/// intervention, a visit outside its window — that an investigator decided to let happen, with a category,
/// a reason and their signature (user and time). The rule that was broken is kept word for word, so the
/// participant page and the report can say what was departed from. Deviations are appended, never edited.
public struct ProtocolDeviation: Hashable, Sendable, Codable, Identifiable {
    /// ICH E3 §10.2 groups protocol deviations by what they touched; these are the groups Restora records.
    public enum Category: String, Hashable, Sendable, Codable, CaseIterable {
        case eligibility
        case consent
        case treatment
        case procedure
        case visitSchedule = "visit-schedule"
        case assessment
        case other

        /// The category in words, for pages and reports (never the stored name).
        public var label: String {
            switch self {
            case .eligibility: "Eligibility"
            case .consent: "Informed consent"
            case .treatment: "Study treatment"
            case .procedure: "Procedure"
            case .visitSchedule: "Visit schedule"
            case .assessment: "Assessment"
            case .other: "Other"
            }
        }
    }

    public var id: Identifier<ProtocolDeviation>
    public var participantID: Identifier<Participant>
    public var enrolmentID: Identifier<Enrolment>
    public var category: Category
    /// The protocol rule departed from, as the refusal named it (e.g. "intervention testis-injection: volume ≤ 5 mL").
    public var rule: String
    /// The input field the rule judged (`volumeML`, `to`, `dose` …).
    public var field: String
    /// The investigator's reason, required.
    public var reason: String
    /// What the deviation let through: the kind and id of the record stored with it (`procedures`, `enrolments` …).
    public var recordKind: String?
    public var recordID: String?
    public var protocolID: String
    public var protocolVersion: String
    /// The investigator who signed the deviation, and when.
    public var signedBy: Actor
    public var signedAt: Date

    public init(
        id: Identifier<ProtocolDeviation>, participantID: Identifier<Participant>, enrolmentID: Identifier<Enrolment>,
        category: Category, rule: String, field: String, reason: String, recordKind: String? = nil, recordID: String? = nil,
        protocolID: String, protocolVersion: String, signedBy: Actor, signedAt: Date
    ) {
        self.id = id
        self.participantID = participantID
        self.enrolmentID = enrolmentID
        self.category = category
        self.rule = rule
        self.field = field
        self.reason = reason
        self.recordKind = recordKind
        self.recordID = recordID
        self.protocolID = protocolID
        self.protocolVersion = protocolVersion
        self.signedBy = signedBy
        self.signedAt = signedAt
    }
}

/// What a user sends to record a deviation together with the action it permits: the category and the
/// reason. Who signs and when come from the request (the signed-in investigator and the clock).
public struct DeviationInput: Hashable, Sendable, Codable {
    public var category: ProtocolDeviation.Category
    public var reason: String

    public init(category: ProtocolDeviation.Category, reason: String) {
        self.category = category
        self.reason = reason
    }

    /// The trimmed reason, or a refusal naming `deviation.reason`.
    public func requiredReason() throws -> String {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw DomainError.invalidValue(field: "deviation.reason", message: "a protocol deviation needs the investigator's reason")
        }
        return trimmed
    }
}

/// One protocol rule an input breaks: which rule (named so a user can find it in the protocol), which field
/// and what is wrong. A service collects these and either refuses with the first (`DomainError.protocolRule`)
/// or, with an investigator's `DeviationInput`, stores the action and one `ProtocolDeviation` per violation.
public struct ProtocolViolation: Hashable, Sendable {
    public var rule: String
    public var field: String
    public var message: String
    public var category: ProtocolDeviation.Category

    public init(rule: String, field: String, message: String, category: ProtocolDeviation.Category) {
        self.rule = rule
        self.field = field
        self.message = message
        self.category = category
    }

    public var error: DomainError { .protocolRule(rule: rule, field: field, message: message) }
}

/// Protocol deviations of participants.
public protocol ProtocolDeviationRepository: ClinicalRecordRepository where Record == ProtocolDeviation {}
