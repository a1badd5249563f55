import Foundation

/// Recording an adverse event, from every door (JSON API, web form, demo seeder), as one transaction
/// (docs/safety.md):
/// 1. the term is coded with the CTCAE v5.0 list (unknown term, "Other, specify" rules and the grades the
///    term allows are refused naming the field, with nothing written);
/// 2. expectedness is judged by the system from the term and the reference safety information of the
///    program's protocol (an unlisted term claimed "expected" is refused);
/// 3. a serious, unexpected, suspected event needs its awareness date (day 0 of the clock, REFERENCE.md E3);
/// 4. the event and the alerts its protocols raise are stored (`ClinicalEntry`);
/// 5. the consistency check: a grade that disagrees with the graded laboratory value of the same CTCAE term
///    within ±3 days of onset raises a data query to the site, in the same transaction.
public struct AdverseEventEntry: Sendable {
    public let clinical: ClinicalEntry
    public let terms: CTCAETermList

    /// Days either side of onset within which a graded laboratory value is compared with the event's grade.
    /// A default (REFERENCE.md is silent, U), named in docs/safety.md.
    public static let consistencyWindowDays = 3
    /// Who raises a consistency query: the system, not a person.
    public static let checker = Actor(userID: "restora", role: "consistency-check")

    public init(clinical: ClinicalEntry, terms: CTCAETermList = .standard) {
        self.clinical = clinical
        self.terms = terms
    }

    public struct Recorded: Sendable {
        public var stored: Versioned<AdverseEvent>
        public var safety: ClinicalEntry.SafetyOutcome
        /// The data query the consistency check raised, if any.
        public var query: Versioned<DataQuery>?
    }

    private func bound(_ repositories: Repositories) -> AdverseEventEntry {
        AdverseEventEntry(clinical: ClinicalEntry(repositories: repositories, catalog: clinical.catalog, ids: clinical.ids), terms: terms)
    }

    /// Records a new event. `causalityAssessor` is the investigator who assessed `relatedness` with this entry;
    /// nil when the recorder is not an investigator or gave no assessment: the event is then stored as
    /// "possible" (suspected until an investigator says otherwise) with no assessor.
    public func record(
        _ event: AdverseEvent, causalityAssessor: String?, context: AuditContext, idempotencyKey: String?
    ) async throws -> Recorded {
        try await clinical.repositories.transaction { tx in
            let entry = bound(tx)
            var input = event
            if let causalityAssessor {
                input.causalityAssessedBy = causalityAssessor
            } else {
                input.relatedness = .possible
                input.causalityAssessedBy = nil
            }
            input.initialReport = nil
            input.followUpReceivedOn = nil
            input.followUpReport = nil
            let prepared = try await entry.prepared(input, reads: ActionReads(tx))
            let (stored, safety) = try await entry.clinical.record(prepared, context: context, idempotencyKey: idempotencyKey)
            let query = try await entry.consistencyQuery(for: stored, context: context)
            return Recorded(stored: stored, safety: safety, query: query)
        }
    }

    /// Corrects an event (the reason is in `context`). Without `causalityAssessor` the stored causality
    /// assessment is kept whatever `relatedness` says; submissions are kept (they change only through
    /// `recordSubmission` / `recordFollowUpInformation`).
    public func correct(
        _ event: AdverseEvent, expectedVersion: Int, causalityAssessor: String?, context: AuditContext
    ) async throws -> Recorded {
        try await clinical.repositories.transaction { tx in
            let entry = bound(tx)
            let current = try await tx.adverseEvents.get(event.id).value
            guard current.participantID == event.participantID else {
                throw RepositoryError.notFound(kind: "adverse event", id: event.id.rawValue)
            }
            var input = event
            if let causalityAssessor {
                input.causalityAssessedBy = causalityAssessor
            } else {
                input.relatedness = current.relatedness
                input.causalityAssessedBy = current.causalityAssessedBy
            }
            input.initialReport = current.initialReport
            input.followUpReceivedOn = current.followUpReceivedOn
            input.followUpReport = current.followUpReport
            let prepared = try await entry.prepared(input, reads: ActionReads(tx))
            let stored = try await entry.clinical.correct(prepared, expectedVersion: expectedVersion, context: context)
            let query = try await entry.consistencyQuery(for: stored, context: context)
            return Recorded(stored: stored, safety: ClinicalEntry.SafetyOutcome(), query: query)
        }
    }

    /// Records an expedited report as submitted: it must answer the clock that is open (an initial report
    /// while the initial clock runs, a follow-up report while a follow-up clock runs), dated on or after day 0
    /// and not after `today`. Stops that clock; audited as an update of the event.
    public func recordSubmission(
        _ id: Identifier<AdverseEvent>, kind: ReportSubmission.Kind, submittedOn: CalendarDate, reference: String,
        submittedBy: String, today: CalendarDate, expectedVersion: Int, context: AuditContext
    ) async throws -> Versioned<AdverseEvent> {
        try await clinical.repositories.transaction { tx in
            var event = try await tx.adverseEvents.get(id).value
            let reference = reference.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !reference.isEmpty else {
                throw DomainError.invalidValue(field: "reference", message: "the submission reference (case or acknowledgement number) is required")
            }
            guard let clock = event.openReportingClock else {
                throw DomainError.invalidValue(field: "kind", message: "no expedited report is due for this adverse event")
            }
            let expectedKind: ReportSubmission.Kind = clock.kind == .initial ? .initial : .followUp
            guard kind == expectedKind else {
                throw DomainError.invalidValue(field: "kind", message: "the open clock is for the \(expectedKind.rawValue) report, not a \(kind.rawValue) report")
            }
            guard submittedOn >= clock.dayZero else {
                throw DomainError.invalidValue(field: "submittedOn", message: "submitted \(submittedOn) is before day 0 (\(clock.dayZero))")
            }
            guard submittedOn <= today else {
                throw DomainError.invalidValue(field: "submittedOn", message: "submitted \(submittedOn) is in the future")
            }
            let submission = ReportSubmission(kind: kind, submittedOn: submittedOn, submittedBy: submittedBy, reference: reference)
            if kind == .initial { event.initialReport = submission } else { event.followUpReport = submission }
            return try await tx.adverseEvents.update(try event.validated(), expectedVersion: expectedVersion, context: context)
        }
    }

    /// Records that follow-up information was received after the initial report: a 15-day clock starts
    /// from `receivedOn` (REFERENCE.md E3). Refused while a follow-up report is still due (its clock runs
    /// from the earlier receipt) and for a date in the future.
    public func recordFollowUpInformation(
        _ id: Identifier<AdverseEvent>, receivedOn: CalendarDate, today: CalendarDate, expectedVersion: Int, context: AuditContext
    ) async throws -> Versioned<AdverseEvent> {
        try await clinical.repositories.transaction { tx in
            var event = try await tx.adverseEvents.get(id).value
            guard event.initialReport != nil else {
                throw DomainError.invalidValue(field: "receivedOn", message: "follow-up information follows the initial report; none is recorded")
            }
            if let open = event.openReportingClock, open.kind == .followUp {
                throw DomainError.invalidValue(field: "receivedOn", message: "a follow-up report is already due on \(open.dueOn): submit it first")
            }
            guard receivedOn <= today else {
                throw DomainError.invalidValue(field: "receivedOn", message: "received \(receivedOn) is in the future")
            }
            if let last = event.followUpReport, receivedOn < last.submittedOn {
                throw DomainError.invalidValue(field: "receivedOn", message: "received \(receivedOn) is before the last follow-up report of \(last.submittedOn)")
            }
            event.followUpReceivedOn = receivedOn
            return try await tx.adverseEvents.update(try event.validated(), expectedVersion: expectedVersion, context: context)
        }
    }

    /// Coding, expectedness and the awareness-date requirement: everything judged before anything is written.
    func prepared(_ event: AdverseEvent, reads: ActionReads) async throws -> AdverseEvent {
        var coded = try terms.coded(event)
        let judgement = Expectedness.judge(coded, protocols: try await protocols(for: coded, reads: reads))
        if coded.expected && !judgement.expected {
            throw DomainError.invalidValue(
                field: "expected",
                message: "\(coded.termText) is not in the program's reference safety information: it is unexpected")
        }
        coded.expected = judgement.expected
        coded.expectedBasis = judgement.basis
        let deadline = try SAEReportingDeadline.evaluate(coded)
        if let needs = deadline.needs {
            throw DomainError.invalidValue(
                field: "sponsorAwareOn", message: "a serious, unexpected, suspected adverse reaction needs the awareness date: \(needs)")
        }
        return try coded.validated()
    }

    /// The protocol definitions that apply: the named enrolment's, else those of the participant's open
    /// enrolments. A program whose protocol is not loaded has no reference safety information here.
    func protocols(for event: AdverseEvent, reads: ActionReads) async throws -> [ProtocolDefinition] {
        let enrolments = try await reads.enrolments(of: event.participantID)
        let chosen: [Enrolment]
        if let id = event.enrolmentID {
            guard let match = enrolments.first(where: { $0.id == id }) else {
                throw RecordReferences.refusal("enrolmentID", kind: "enrolment")
            }
            chosen = [match]
        } else {
            chosen = enrolments.filter { !ClinicalEntry.closedStatuses.contains($0.status) }
        }
        var found: [ProtocolDefinition] = []
        for enrolment in chosen {
            let program = try await reads.program(enrolment.programID)
            if let definition = try? clinical.catalog.definition(for: enrolment, program: program) { found.append(definition) }
        }
        return found
    }

    /// The laboratory CTCAE term an event's term names, if it is one Restora grades from values.
    static func laboratoryTerm(of event: AdverseEvent) -> CTCAETerm? {
        guard event.isCoded else { return nil }
        return CTCAETerm.allCases.first { !$0.isClinicianGraded && $0.displayName.lowercased() == event.term.lowercased() }
    }

    /// Compares the event's grade with the highest CTCAE grade of the same term's laboratory values within
    /// ±`consistencyWindowDays` of onset; a disagreement raises one data query on the event's grade (none
    /// while an earlier one on it is still open).
    func consistencyQuery(for stored: Versioned<AdverseEvent>, context: AuditContext) async throws -> Versioned<DataQuery>? {
        let event = stored.value
        guard let labTerm = Self.laboratoryTerm(of: event) else { return nil }
        let repositories = clinical.repositories
        let window = Self.consistencyWindowDays
        let candidates = try await repositories.observations.list(participant: event.participantID).map(\.value).filter {
            CTCAELabCodes.term(for: $0.code) == labTerm && abs(event.onset.days(until: $0.effectiveDate)) <= window
        }
        var worst: (grade: Int, date: CalendarDate)?
        for observation in candidates {
            guard let quantity = observation.value.quantity else { continue }
            let lab = try await clinical.labContext(for: observation)
            let measurement = CTCAELabMeasurement(term: labTerm, value: quantity.value, unit: quantity.unit,
                                                  upperLimitOfNormal: lab.upperLimitOfNormal, baseline: lab.baseline)
            guard let grade = (try? CTCAELabGrading.grade(measurement))?.grade else { continue }
            if worst == nil || grade > worst!.grade { worst = (grade, observation.effectiveDate) }
        }
        guard let worst, worst.grade != event.grade else { return nil }
        let existing: [DataQuery] = try await repositories.queries.list(participant: event.participantID).map(\.value)
        let open = existing.contains { (q: DataQuery) -> Bool in
            q.recordKind == "adverse-events" && q.recordID == event.id.rawValue && q.field == "grade" && q.status != .closed
        }
        guard !open else { return nil }
        let graded = "Adverse event \(event.term) is graded \(event.grade)"
        let lab = "the \(labTerm.displayName) laboratory value of \(worst.date) (within ±\(window) days of onset \(event.onset))"
        let question: String = "\(graded), but \(lab) grades \(worst.grade) by CTCAE v5.0. Please confirm or correct the grade."
        let query = DataQuery(
            id: Identifier(clinical.ids.next()), participantID: event.participantID, recordKind: "adverse-events",
            recordID: event.id.rawValue, field: "grade", question: question, raisedBy: Self.checker, raisedAt: stored.updatedAt)
        let raised = try await repositories.queries.create(
            query, context: context, idempotencyKey: "consistency:\(event.id.rawValue):v\(stored.version)")
        // The site hears of it like of any raised query, in the same transaction (docs/notifications.md).
        try await Notifications.enqueue(repositories, Notifications.queryEvent(.queryRaised, raised.value), now: stored.updatedAt, ids: clinical.ids)
        return raised
    }
}
