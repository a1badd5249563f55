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
    /// The MedDRA code of the CTCAE v5.0 term (`CTCAETermList`); nil for a free-text term recorded before
    /// coding (migration 0038 keeps its text and marks it uncoded).
    public var meddraCode: String?
    /// The CTCAE system organ class of the term.
    public var systemOrganClass: String?
    /// The words of a "<SOC> - Other, specify" term; nil for every other term.
    public var otherSpecify: String?
    /// The reference safety information entry (with its source) that makes the event expected, as the system
    /// judged it from the term and the program's protocol; nil when unexpected.
    public var expectedBasis: String?
    /// The investigator who assessed causality (`relatedness`); nil while nobody has (docs/safety.md: an
    /// unassessed event counts as suspected).
    public var causalityAssessedBy: String?
    /// The initial expedited report as submitted (21 CFR 312.32(c)); nil until submitted.
    public var initialReport: ReportSubmission?
    /// When follow-up information was received: restarts a 15-day clock (REFERENCE.md E3).
    public var followUpReceivedOn: CalendarDate?
    /// The latest follow-up report as submitted; earlier ones are in the record's audit trail.
    public var followUpReport: ReportSubmission?
    /// The due date of the open reporting clock, nil when no report is due (`openReportingClock`). Derived:
    /// `validated()` sets it from the fields above; the stored column only serves the dashboard's index.
    public private(set) var reportDueOn: CalendarDate?

    public init(
        id: Identifier<AdverseEvent>, participantID: Identifier<Participant>, enrolmentID: Identifier<Enrolment>? = nil,
        term: String, grade: Int, seriousness: [Seriousness] = [], expected: Bool = false,
        relatedness: Relatedness, onset: CalendarDate, resolution: CalendarDate? = nil, outcome: Outcome = .unknown,
        actionTaken: ActionTaken = .none, sponsorAwareOn: CalendarDate? = nil, note: String? = nil,
        meddraCode: String? = nil, systemOrganClass: String? = nil, otherSpecify: String? = nil,
        expectedBasis: String? = nil, causalityAssessedBy: String? = nil, initialReport: ReportSubmission? = nil,
        followUpReceivedOn: CalendarDate? = nil, followUpReport: ReportSubmission? = nil
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
        self.meddraCode = meddraCode
        self.systemOrganClass = systemOrganClass
        self.otherSpecify = otherSpecify
        self.expectedBasis = expectedBasis
        self.causalityAssessedBy = causalityAssessedBy
        self.initialReport = initialReport
        self.followUpReceivedOn = followUpReceivedOn
        self.followUpReport = followUpReport
        self.reportDueOn = nil
        self.reportDueOn = openReportingClock?.dueOn
    }

    /// Coded with a CTCAE v5.0 term (false only for free text recorded before coding, migration 0038).
    public var isCoded: Bool { meddraCode != nil }

    /// The term as shown: "<SOC> - Other, specify: <words>" for an other-specify term.
    public var termText: String { otherSpecify.map { "\(term): \($0)" } ?? term }

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
        if let aware = sponsorAwareOn, aware < onset {
            throw DomainError.invalidValue(field: "sponsorAwareOn", message: "awareness \(aware) is before onset \(onset)")
        }
        if let received = followUpReceivedOn {
            guard let initial = initialReport else {
                throw DomainError.invalidValue(field: "followUpReceivedOn", message: "follow-up information follows an initial report; none is recorded")
            }
            if received < initial.submittedOn {
                throw DomainError.invalidValue(field: "followUpReceivedOn", message: "follow-up received \(received) is before the initial report of \(initial.submittedOn)")
            }
        }
        if let aware = sponsorAwareOn, let initial = initialReport, initial.submittedOn < aware {
            throw DomainError.invalidValue(field: "submittedOn", message: "a report submitted \(initial.submittedOn) precedes awareness on \(aware)")
        }
        var checked = self
        checked.reportDueOn = checked.openReportingClock?.dueOn
        return checked
    }
}
