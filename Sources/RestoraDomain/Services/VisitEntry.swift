import Foundation

/// Recording a visit of the protocol's schedule — the one way the JSON API, the web form and the demo clinic
/// take (issue #14 item 4; docs/visits.md).
///
/// - The visit key must be one of the schedule of the protocol version the enrolment runs under; the planned
///   day and the window are the schedule's, never the client's (a client that sends them must send the
///   schedule's values: a mismatch is refused, so an outdated client cannot file a visit under a wrong plan).
/// - The window is judged on the visit date: day 0 is the enrolment's first move to on-treatment (the first
///   dose or the injection, as `ScheduleEngine` and the participant calendar define it; REFERENCE.md E2 for
///   the isotretinoin visits). A visit planned on or before day 0 (screening, baseline, harvest) attended
///   before the treatment has started is recorded unjudged — its window is not known yet — and the calendar
///   judges it once day 0 is set. A visit planned after day 0 cannot be attended before the treatment starts.
/// - An attended visit outside its window is refused with `DomainError.protocolRule` naming the visit and its
///   window (field `actualDate`), unless an investigator records a deviation (category visit-schedule): then
///   the visit and one `ProtocolDeviation` are stored in the same transaction.
/// - A missed or cancelled visit needs its reason (`note`).
public struct VisitEntry: Sendable {
    public let repositories: Repositories
    public let catalog: ProtocolCatalog
    public let ids: any IDGenerator

    public init(repositories: Repositories, catalog: ProtocolCatalog, ids: any IDGenerator) {
        self.repositories = repositories
        self.catalog = catalog
        self.ids = ids
    }

    /// What happened to the visit.
    public enum Outcome: Hashable, Sendable {
        /// Only placed on the calendar (the API's plan call); nothing happened yet.
        case scheduled
        case attended(CalendarDate)
        case missed
        case cancelled

        var status: Visit.Status {
            switch self {
            case .scheduled: .scheduled
            case .attended: .completed
            case .missed: .missed
            case .cancelled: .cancelled
            }
        }
    }

    /// One visit as the user recorded it.
    public struct Request: Hashable, Sendable {
        public var visitKey: String
        public var outcome: Outcome
        public var note: String?
        /// An investigator's deviation letting an out-of-window date through.
        public var deviation: DeviationInput?
        /// The client's idea of the plan, checked against the schedule when given.
        public var plannedDay: Int?
        public var windowBefore: Int?
        public var windowAfter: Int?
        /// The id of a new visit row (the demo clinic's fixed ids); nil draws one.
        public var id: Identifier<Visit>?

        public init(visitKey: String, outcome: Outcome, note: String? = nil, deviation: DeviationInput? = nil,
                    plannedDay: Int? = nil, windowBefore: Int? = nil, windowAfter: Int? = nil, id: Identifier<Visit>? = nil) {
            self.id = id
            self.visitKey = visitKey
            self.outcome = outcome
            self.note = note
            self.deviation = deviation
            self.plannedDay = plannedDay
            self.windowBefore = windowBefore
            self.windowAfter = windowAfter
        }
    }

    /// Records `request` for the enrolment: a new visit row, or the scheduled row of that visit filled in.
    /// A visit already attended, missed or cancelled is corrected with `correct` (with a reason), not recorded twice.
    public func record(
        _ request: Request, enrolment enrolmentID: Identifier<Enrolment>, today: CalendarDate, context: AuditContext,
        idempotencyKey: String?
    ) async throws -> Versioned<Visit> {
        let (catalog, ids) = (self.catalog, self.ids)
        return try await repositories.transaction { tx in
            let entry = VisitEntry(repositories: tx, catalog: catalog, ids: ids)
            let enrolment = try await tx.enrolments.get(enrolmentID).value
            let definition = try await entry.definition(of: enrolment)
            let item = try Self.scheduled(request, in: definition)
            let existing = try await tx.visits.list(enrolment: enrolment.id).first { $0.value.visitKey == item.key }
            let fresh = Visit(
                id: request.id ?? Identifier(ids.next()), enrolmentID: enrolment.id, visitKey: item.key, plannedDay: item.day,
                windowBefore: item.windowBefore, windowAfter: item.windowAfter)
            if let existing, existing.value.status != .scheduled {
                // A retried request (same idempotency key, same content) gets the visit it stored; a new key is refused.
                var replay = fresh
                if let idempotencyKey, (try? Self.apply(request, to: &replay, today: today)) != nil,
                   let stored = try? await tx.visits.create(replay, context: context, idempotencyKey: idempotencyKey),
                   stored.value.id == existing.value.id {
                    return stored
                }
                throw DomainError.invalidValue(
                    field: "visitKey",
                    message: "visit '\(item.key)' is already recorded as \(Self.describe(existing.value)); correct that record instead (with a reason)")
            }
            var visit = existing?.value ?? fresh
            try Self.apply(request, to: &visit, today: today)
            let violations = Self.violations(request.outcome, item: item, enrolment: enrolment, definition: definition)
            try Self.requireDeviation(violations, request.deviation, context: context)
            let stored: Versioned<Visit>
            if let existing {
                stored = try await tx.visits.update(visit, expectedVersion: existing.version, context: context)
            } else {
                stored = try await tx.visits.create(visit, context: context, idempotencyKey: idempotencyKey)
            }
            try await entry.storeDeviations(violations, request.deviation, visit: stored, enrolment: enrolment,
                                            definition: definition, context: context)
            return stored
        }
    }

    /// Corrects a recorded visit (the reason is in `context`): the same judgement as `record`, on the row's visit.
    public func correct(
        _ id: Identifier<Visit>, expectedVersion: Int, outcome: Outcome, note: String?, deviation: DeviationInput?,
        today: CalendarDate, context: AuditContext
    ) async throws -> Versioned<Visit> {
        let (catalog, ids) = (self.catalog, self.ids)
        return try await repositories.transaction { tx in
            let entry = VisitEntry(repositories: tx, catalog: catalog, ids: ids)
            var visit = try await tx.visits.get(id).value
            let enrolment = try await tx.enrolments.get(visit.enrolmentID).value
            let definition = try await entry.definition(of: enrolment)
            let request = Request(visitKey: visit.visitKey, outcome: outcome, note: note, deviation: deviation)
            let item = try Self.scheduled(request, in: definition)
            try Self.apply(request, to: &visit, today: today)
            let violations = Self.violations(outcome, item: item, enrolment: enrolment, definition: definition)
            try Self.requireDeviation(violations, deviation, context: context)
            let stored = try await tx.visits.update(visit, expectedVersion: expectedVersion, context: context)
            try await entry.storeDeviations(violations, deviation, visit: stored, enrolment: enrolment,
                                            definition: definition, context: context)
            return stored
        }
    }

    /// The protocol version the enrolment runs under.
    func definition(of enrolment: Enrolment) async throws -> ProtocolDefinition {
        let program = try await repositories.programs.get(enrolment.programID).value
        return try catalog.definition(for: enrolment, program: program)
    }

    /// Day 0 of the enrolment's calendar: the date of its first move to on-treatment (nil before it).
    public static func dayZero(_ enrolment: Enrolment) -> CalendarDate? {
        enrolment.transitions.first { $0.to == .onTreatment }.map { CalendarDate($0.at) }
    }

    /// The schedule's visit for the request; an unknown key or a client plan that differs from the schedule
    /// is refused (422, nothing written).
    static func scheduled(_ request: Request, in definition: ProtocolDefinition) throws -> VisitDefinition {
        let key = request.visitKey.trimmingCharacters(in: .whitespaces)
        guard let item = definition.schedule.first(where: { $0.key == key }) else {
            let keys = definition.schedule.map(\.key).joined(separator: ", ")
            throw DomainError.invalidValue(
                field: "visitKey",
                message: "unknown visit '\(key)' for protocol \(definition.id) v\(definition.version); the schedule's visits are: \(keys)")
        }
        let plan: [(String, Int?, Int)] = [("plannedDay", request.plannedDay, item.day), ("windowBefore", request.windowBefore, item.windowBefore),
                                          ("windowAfter", request.windowAfter, item.windowAfter)]
        for (field, given, expected) in plan {
            if let given, given != expected {
                throw DomainError.invalidValue(
                    field: field,
                    message: "the schedule places visit '\(item.key)' on day \(item.day) (window -\(item.windowBefore)/+\(item.windowAfter) days); \(field) is \(expected), not \(given) — leave the plan out, it comes from the protocol")
            }
        }
        return item
    }

    static func apply(_ request: Request, to visit: inout Visit, today: CalendarDate) throws {
        let note = request.note?.trimmingCharacters(in: .whitespacesAndNewlines)
        visit.note = note?.isEmpty == false ? note : nil
        visit.status = request.outcome.status
        switch request.outcome {
        case let .attended(date):
            guard date <= today else {
                throw DomainError.invalidValue(field: "actualDate", message: "the visit date \(date) is in the future (today is \(today))")
            }
            visit.actualDate = date
        case .missed, .cancelled:
            visit.actualDate = nil
            guard visit.note != nil else {
                throw DomainError.invalidValue(field: "note", message: "a \(visit.status.rawValue) visit needs the reason")
            }
        case .scheduled:
            visit.actualDate = nil
        }
        if let note = visit.note, note.count > 1_000 {
            throw DomainError.invalidValue(field: "note", message: "the note is at most 1000 characters")
        }
    }

    /// The protocol rules an attendance on that date breaks (none for a miss or a plan).
    public static func violations(_ outcome: Outcome, item: VisitDefinition, enrolment: Enrolment,
                                  definition: ProtocolDefinition) -> [ProtocolViolation] {
        guard case let .attended(date) = outcome else { return [] }
        let rule = "schedule \(item.key): day \(item.day), window day \(item.earliestDay) to day \(item.latestDay)"
        guard let start = dayZero(enrolment) else {
            if item.day <= 0 { return [] }
            return [ProtocolViolation(
                rule: rule, field: "actualDate",
                message: "visit '\(item.title)' is planned \(item.day) days after the treatment start (day 0), and this enrolment has not started treatment",
                category: .visitSchedule)]
        }
        let planned = PlannedVisit(item, start: start)
        guard !planned.contains(date) else { return [] }
        return [ProtocolViolation(
            rule: rule, field: "actualDate",
            message: "\(date) is outside the window of visit '\(item.title)': \(planned.earliest) to \(planned.latest) (day 0 = \(start))",
            category: .visitSchedule)]
    }

    /// No violation: fine. A violation without a deviation: refused with the first. With a deviation: only an
    /// investigator may sign it (`EnrolmentTransitions.requireSigner`), and it must carry a reason.
    static func requireDeviation(_ violations: [ProtocolViolation], _ deviation: DeviationInput?, context: AuditContext) throws {
        guard let first = violations.first else { return }
        guard let deviation else { throw first.error }
        try EnrolmentTransitions.requireSigner(context.actor)
        _ = try deviation.requiredReason()
    }

    /// One deviation per violation, tied to the stored visit, in the visit's transaction; signed by the
    /// investigator at the moment the visit was stored.
    func storeDeviations(_ violations: [ProtocolViolation], _ deviation: DeviationInput?, visit: Versioned<Visit>, enrolment: Enrolment,
                         definition: ProtocolDefinition, context: AuditContext) async throws {
        guard let deviation, !violations.isEmpty else { return }
        let reason = try deviation.requiredReason()
        var audit = context
        audit.reason = "protocol deviation signed: \(reason)"
        for (index, violation) in violations.enumerated() {
            let record = ProtocolDeviation(
                id: Identifier(ids.next()), participantID: enrolment.participantID, enrolmentID: enrolment.id,
                category: deviation.category, rule: violation.rule, field: violation.field, reason: reason,
                recordKind: "visits", recordID: visit.value.id.rawValue, protocolID: definition.id, protocolVersion: definition.version,
                signedBy: context.actor, signedAt: visit.updatedAt)
            _ = try await repositories.deviations.create(
                record, context: audit, idempotencyKey: "deviation:visits:\(visit.value.id.rawValue):v\(visit.version):\(index)")
        }
    }

    static func describe(_ visit: Visit) -> String {
        switch visit.status {
        case .completed: "attended on \(visit.actualDate?.description ?? "an unknown date")"
        case .missed: "missed"
        case .cancelled: "cancelled"
        case .scheduled: "scheduled"
        }
    }
}
