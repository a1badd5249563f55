import Foundation
import Hummingbird
import RestoraDomain

/// Adverse events of a participant (docs/safety.md): coded with CTCAE v5.0, expectedness judged by the
/// system, the reporting clock (`reportDueOn` while a report is due), the report draft, and the submissions
/// that stop the clock. Every write goes through `AdverseEventEntry`, as the web form and the demo do.
struct AdverseEventController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    struct AdverseEventInput: Decodable {
        var enrolmentID: Identifier<Enrolment>?
        /// The CTCAE v5.0 term name; or give `meddraCode`.
        var term: String?
        var meddraCode: String?
        var systemOrganClass: String?
        /// The words of a "<SOC> - Other, specify" term.
        var otherSpecify: String?
        var grade: Int
        var seriousness: [AdverseEvent.Seriousness]?
        /// Only a claim: the system judges expectedness; claiming an unlisted term expected is refused.
        var expected: Bool?
        /// The investigator's causality assessment: only an investigator may send it (403 otherwise).
        var relatedness: AdverseEvent.Relatedness?
        var onset: CalendarDate
        var resolution: CalendarDate?
        var outcome: AdverseEvent.Outcome?
        var actionTaken: AdverseEvent.ActionTaken?
        /// Day 0 of the reporting clock: when the qualifying information was received.
        var sponsorAwareOn: CalendarDate?
        var note: String?
        var reason: String?

        func event(id: Identifier<AdverseEvent>, participant: Identifier<Participant>) -> AdverseEvent {
            AdverseEvent(
                id: id, participantID: participant, enrolmentID: enrolmentID, term: term ?? "", grade: grade,
                seriousness: seriousness ?? [], expected: expected ?? false, relatedness: relatedness ?? .possible, onset: onset,
                resolution: resolution, outcome: outcome ?? .unknown, actionTaken: actionTaken ?? .none,
                sponsorAwareOn: sponsorAwareOn, note: note, meddraCode: meddraCode, systemOrganClass: systemOrganClass,
                otherSpecify: otherSpecify)
        }
    }

    struct SubmissionInput: Decodable {
        var kind: ReportSubmission.Kind
        var submittedOn: CalendarDate
        var reference: String
    }

    struct FollowUpInput: Decodable {
        var receivedOn: CalendarDate
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.createAdverseEvent, use: create)
        group.on(.adverseEvents, use: list)
        group.on(.updateAdverseEvent, use: update)
        group.on(.adverseEvent, use: show)
        group.on(.adverseEventReportDraft, use: draft)
        group.on(.recordReportSubmission, use: submit)
        group.on(.recordFollowUpInformation, use: followUp)
        group.on(.reportingClocks, use: clocks)
        group.on(.ctcaeTerms, use: terms)
    }

    var today: CalendarDate { CalendarDate(dependencies.clock.now()) }

    /// Causality is an investigator's judgement (ICH E2A; docs/safety.md).
    static func requireCausalityAssessor(_ user: UserAccount) throws {
        guard user.role == .investigator else {
            throw APIError.forbidden("only an investigator assesses causality (relatedness); the \(user.role.rawValue) role cannot")
        }
    }

    static func requireSubmitter(_ user: UserAccount) throws {
        guard user.role == .investigator else {
            throw APIError.forbidden("only an investigator records a report submission; the \(user.role.rawValue) role cannot")
        }
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let input = try await request.decodeJSON(AdverseEventInput.self, limit: config.maxBodyBytes)
        if input.relatedness != nil { try Self.requireCausalityAssessor(user) }
        let event = input.event(id: Identifier(dependencies.ids.next()), participant: participant.value.id)
        let recorded = try await dependencies.adverseEventEntry.record(
            event, causalityAssessor: input.relatedness == nil ? nil : user.id.rawValue, context: context.audit(user),
            idempotencyKey: request.idempotencyKey)
        let body = AdverseEventResponse(record: recorded.stored, today: today, safety: recorded.safety, query: recorded.query)
        return try JSONResponse.make(body, status: .created, version: recorded.stored.version)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let items = try await repositories.adverseEvents.list(participant: participant.value.id)
        let today = self.today
        return try JSONResponse.make(items.map { AdverseEventResponse(record: $0, today: today) })
    }

    /// The event, if the user may see its participant (404 otherwise, also for another site's event).
    func visibleEvent(_ context: AppRequestContext, user: UserAccount) async throws -> (Versioned<AdverseEvent>, Versioned<Participant>) {
        let event = try await repositories.adverseEvents.get(Identifier(try context.parameters.require("id")))
        let participant = try await Access.participant(event.value.participantID, for: user, in: repositories)
        return (event, participant)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let (event, _) = try await visibleEvent(context, user: user)
        return try JSONResponse.make(AdverseEventResponse(record: event, today: today), version: event.version)
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let expected = try request.expectedVersion()
        let (current, _) = try await visibleEvent(context, user: user)
        let input = try await request.decodeJSON(AdverseEventInput.self, limit: config.maxBodyBytes)
        if input.relatedness != nil { try Self.requireCausalityAssessor(user) }
        let event = input.event(id: current.value.id, participant: current.value.participantID)
        let recorded = try await dependencies.adverseEventEntry.correct(
            event, expectedVersion: expected, causalityAssessor: input.relatedness == nil ? nil : user.id.rawValue,
            context: context.audit(user, reason: input.reason))
        let body = AdverseEventResponse(record: recorded.stored, today: today, query: recorded.query)
        return try JSONResponse.make(body, version: recorded.stored.version)
    }

    @Sendable func draft(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let (event, participant) = try await visibleEvent(context, user: user)
        let draft = try await AdverseEventReportDrafts(repositories: repositories, catalog: dependencies.catalog)
            .draft(event, participant: participant.value)
        return try JSONResponse.make(draft, version: event.version)
    }

    @Sendable func submit(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Self.requireSubmitter(user)
        let expected = try request.expectedVersion()
        let (event, _) = try await visibleEvent(context, user: user)
        let input = try await request.decodeJSON(SubmissionInput.self, limit: config.maxBodyBytes)
        let stored = try await dependencies.adverseEventEntry.recordSubmission(
            event.value.id, kind: input.kind, submittedOn: input.submittedOn, reference: input.reference,
            submittedBy: user.id.rawValue, today: today, expectedVersion: expected,
            context: context.audit(user, reason: "\(input.kind.rawValue) expedited report submitted"))
        return try JSONResponse.make(AdverseEventResponse(record: stored, today: today), version: stored.version)
    }

    @Sendable func followUp(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let expected = try request.expectedVersion()
        let (event, _) = try await visibleEvent(context, user: user)
        let input = try await request.decodeJSON(FollowUpInput.self, limit: config.maxBodyBytes)
        let stored = try await dependencies.adverseEventEntry.recordFollowUpInformation(
            event.value.id, receivedOn: input.receivedOn, today: today, expectedVersion: expected,
            context: context.audit(user, reason: "follow-up information received"))
        return try JSONResponse.make(AdverseEventResponse(record: stored, today: today), version: stored.version)
    }

    /// Open reporting clocks at the user's sites, earliest due first, at most 200 (the dashboard's list, as JSON).
    @Sendable func clocks(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let page = try await repositories.dashboard.openReportingClocks(sites: Access.visibleSites(user), limit: 200)
        let today = self.today
        return try JSONResponse.make(page.rows.map { AdverseEventResponse(record: $0.event, today: today) })
    }

    /// The CTCAE v5.0 term list events are coded with (the form's picker, for API clients).
    @Sendable func terms(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireUser()
        return try JSONResponse.make(dependencies.adverseEventEntry.terms.entries)
    }
}

/// An adverse event as the API shows it: the record (with `reportDueOn` while a report is due), whether it is
/// coded, the open clock with the days left today, and on a write the alerts and consistency query it raised.
struct AdverseEventResponse: Encodable, Sendable {
    var record: Versioned<AdverseEvent>
    var today: CalendarDate
    var safety: ClinicalEntry.SafetyOutcome? = nil
    var query: Versioned<DataQuery>? = nil

    func encode(to encoder: Encoder) throws {
        try VersionedResponse(value: record).encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(record.value.isCoded, forKey: .coded)
        if let clock = record.value.openReportingClock {
            try c.encode(Clock(clock: clock, daysLeft: clock.daysLeft(today: today), overdue: clock.isOverdue(today: today)), forKey: .reportingClock)
        }
        if let safety {
            try c.encode(safety.alerts.map { VersionedResponse(value: $0) }, forKey: .safetyAlerts)
            try c.encode(safety.notEvaluated, forKey: .rulesNotEvaluated)
            try c.encode(safety.protocolsNotLoaded, forKey: .protocolsNotLoaded)
        }
        if let query { try c.encode(VersionedResponse(value: query), forKey: .consistencyQuery) }
    }

    struct Clock: Encodable {
        var clock: ReportingClock
        var daysLeft: Int
        var overdue: Bool

        func encode(to encoder: Encoder) throws {
            try clock.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(daysLeft, forKey: .daysLeft)
            try c.encode(overdue, forKey: .overdue)
        }

        private enum Key: String, CodingKey { case daysLeft, overdue }
    }

    private enum Key: String, CodingKey { case coded, reportingClock, safetyAlerts, rulesNotEvaluated, protocolsNotLoaded, consistencyQuery }
}

extension WebDependencies {
    /// Recording and reporting adverse events (shared with the demo seeder): `AdverseEventEntry`.
    var adverseEventEntry: AdverseEventEntry { AdverseEventEntry(clinical: clinicalEntry) }
}

/// Builds a report draft with the suspect products the participant received (medication courses and the
/// cell products of their procedures), read in a fixed number of statements.
struct AdverseEventReportDrafts {
    let repositories: Repositories
    let catalog: ProtocolCatalog

    func draft(_ event: Versioned<AdverseEvent>, participant: Participant) async throws -> AdverseEventReportDraft {
        let courses = try await repositories.medicationCourses.list(participant: participant.id).map(\.value)
        var products = courses.map {
            AdverseEventReportDraft.SuspectProduct(
                name: $0.drug.display ?? $0.drug.code, dose: "\($0.dose.value) \($0.dose.unit) \($0.frequency.description)",
                route: $0.route, start: $0.start, stop: $0.stop)
        }
        let procedures = try await repositories.procedures.list(participant: participant.id).map(\.value)
        products += procedures.filter { $0.kind == .injection }.map {
            AdverseEventReportDraft.SuspectProduct(
                name: "Autologous cell product (\($0.code?.display ?? "injection"))", dose: nil,
                route: $0.anatomicalSite, start: CalendarDate($0.performed), stop: CalendarDate($0.performed))
        }
        var title: String?
        if let enrolmentID = event.value.enrolmentID,
           let enrolment = try? await repositories.enrolments.get(enrolmentID).value,
           let program = try? await repositories.programs.get(enrolment.programID).value {
            title = (try? catalog.definition(for: enrolment, program: program))?.title ?? program.protocolID
        }
        return AdverseEventReportDraft.make(event: event, participant: participant, protocolTitle: title, products: products)
    }
}
