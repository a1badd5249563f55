import Foundation

/// An adverse event graded with CTCAE v5.0 (REFERENCE.md E1) and, when serious, reported on a deadline (E3).
public struct AdverseEvent: Hashable, Sendable, Codable, Identifiable {
    public enum Relatedness: String, Hashable, Sendable, Codable, CaseIterable {
        case notRelated = "not-related", unlikely, possible, probable, definite
        public var isSuspected: Bool { self == .possible || self == .probable || self == .definite }
    }

    public enum Outcome: String, Hashable, Sendable, Codable, CaseIterable {
        case recovering, recovered, recoveredWithSequelae = "recovered-with-sequelae", notRecovered = "not-recovered"
        case fatal, unknown
    }

    public enum ActionTaken: String, Hashable, Sendable, Codable, CaseIterable {
        case none, doseReduced = "dose-reduced", drugInterrupted = "drug-interrupted"
        case drugWithdrawn = "drug-withdrawn", notApplicable = "not-applicable"
    }

    public enum Seriousness: String, Hashable, Sendable, Codable, CaseIterable {
        case death, lifeThreatening = "life-threatening", hospitalization, disability, congenitalAnomaly = "congenital-anomaly"
        case otherImportant = "other-important"
    }

    public var id: Identifier<AdverseEvent>
    public var participantID: Identifier<Participant>
    public var enrolmentID: Identifier<Enrolment>?
    /// CTCAE term, e.g. "Dry skin", "Hypertriglyceridemia".
    public var term: String
    public var grade: Int
    /// Empty when not serious; otherwise the ICH E2A criteria met.
    public var seriousness: [Seriousness]
    /// Expected per the protocol's reference safety information (e.g. dry skin on isotretinoin).
    public var expected: Bool
    public var relatedness: Relatedness
    public var onset: CalendarDate
    public var resolution: CalendarDate?
    public var outcome: Outcome
    public var actionTaken: ActionTaken
    /// When the sponsor first received qualifying information: day 0 of the reporting clock (E3).
    public var sponsorAwareOn: CalendarDate?
    public var note: String?

    public init(
        id: Identifier<AdverseEvent>, participantID: Identifier<Participant>, enrolmentID: Identifier<Enrolment>? = nil,
        term: String, grade: Int, seriousness: [Seriousness] = [], expected: Bool = false,
        relatedness: Relatedness, onset: CalendarDate, resolution: CalendarDate? = nil, outcome: Outcome = .unknown,
        actionTaken: ActionTaken = .none, sponsorAwareOn: CalendarDate? = nil, note: String? = nil
    ) {
        self.id = id
        self.participantID = participantID
        self.enrolmentID = enrolmentID
        self.term = term
        self.grade = grade
        self.seriousness = seriousness
        self.expected = expected
        self.relatedness = relatedness
        self.onset = onset
        self.resolution = resolution
        self.outcome = outcome
        self.actionTaken = actionTaken
        self.sponsorAwareOn = sponsorAwareOn
        self.note = note
    }

    public var isSerious: Bool { !seriousness.isEmpty }

    /// Checks the ranges the model itself can judge; CTCAE term-specific maxima live with the grading rules.
    public func validated() throws -> AdverseEvent {
        guard (1...5).contains(grade) else {
            throw DomainError.invalidValue(field: "grade", message: "CTCAE grade must be 1 to 5, got \(grade)")
        }
        if let resolution, resolution < onset {
            throw DomainError.invalidValue(field: "resolution", message: "resolution \(resolution) is before onset \(onset)")
        }
        if grade == 5 && outcome != .fatal {
            throw DomainError.invalidValue(field: "outcome", message: "a grade 5 event has outcome fatal")
        }
        if term.trimmingCharacters(in: .whitespaces).isEmpty {
            throw DomainError.invalidValue(field: "term", message: "a CTCAE term is required")
        }
        return self
    }
}
