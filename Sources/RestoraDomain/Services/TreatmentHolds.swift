import Foundation

/// Protocol actions that act (issue #15 item 4; docs/safety-actions.md). A fired safety rule's action changes
/// the treatment in the same transaction as the observation or adverse event and the alert it raised
/// (`ClinicalEntry` calls `apply` inside its transaction, so the web form, the JSON API and the demo share it):
/// - `holdDrug`: every planned or active medication course of the alert's enrolment goes on hold
///   (`MedicationCourse.heldByAlertID`); nothing is dispensed and no cell product is injected under that
///   enrolment while the hold stands (`checkDispensable`, `checkInjectable`). An investigator lifts it with a
///   reason (`resume`), audited; a stopped or completed course is never touched (a hold reactivates nothing).
/// - `stopTreatment`: every planned, active or held course is stopped on the clinical date, and the enrolment
///   moves to follow-up with its `treatmentDiscontinuation` recorded — "treatment discontinued, in follow-up":
///   its visits continue and the report keeps the participant in the analysis as treated (the enrolment did
///   reach on-treatment). A stop stands for good.
/// REFERENCE.md E1 gives the CTCAE grades; which grade holds or stops is the protocol's default (marked there).
public struct TreatmentHolds: Sendable {
    public let repositories: Repositories

    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    /// Who lifts a hold, as the refusal names it (ICH E6: the investigator decides on the treatment, REFERENCE.md H2).
    public static let resumeRule = "a treatment held by a safety rule is resumed by an investigator"

    /// The course states a hold puts on hold, and a stop stops.
    static let holdable: Set<MedicationCourse.Status> = [.planned, .active]
    static let stoppable: Set<MedicationCourse.Status> = [.planned, .active, .held]

    // MARK: Acting on a fired rule

    /// Carries out the alert's action; called by `ClinicalEntry` in the transaction that stored the alert, once
    /// (a retried request that finds its alert stored already does not act again).
    func apply(_ alert: SafetyAlertRecord, at instant: Date, context: AuditContext) async throws {
        guard let enrolmentID = alert.enrolmentID else { return }
        let date = alert.clinicalDate ?? CalendarDate(instant)
        switch alert.action {
        case .holdDrug: try await hold(enrolmentID, by: alert, on: date, context: context)
        case .stopTreatment: try await stop(enrolmentID, by: alert, on: date, at: instant, context: context)
        case .alert, .report: return
        }
    }

    private func courses(of alert: SafetyAlertRecord, enrolment: Identifier<Enrolment>) async throws -> [Versioned<MedicationCourse>] {
        try await repositories.medicationCourses.list(participant: alert.participantID).filter { $0.value.enrolmentID == enrolment }
    }

    private func hold(_ enrolment: Identifier<Enrolment>, by alert: SafetyAlertRecord, on date: CalendarDate, context: AuditContext) async throws {
        for stored in try await courses(of: alert, enrolment: enrolment) where Self.holdable.contains(stored.value.status) {
            var course = stored.value
            course.status = .held
            course.heldByAlertID = alert.id
            course.heldOn = date
            var audit = context
            audit.reason = "held by safety rule \(alert.ruleID) (alert \(alert.id.rawValue), \(date)): \(alert.message)"
            _ = try await repositories.medicationCourses.update(course, expectedVersion: stored.version, context: audit)
        }
    }

    private func stop(
        _ enrolmentID: Identifier<Enrolment>, by alert: SafetyAlertRecord, on date: CalendarDate, at instant: Date, context: AuditContext
    ) async throws {
        let why = "stopped by safety rule \(alert.ruleID) (alert \(alert.id.rawValue), \(date)): \(alert.message)"
        var treated = false
        for stored in try await courses(of: alert, enrolment: enrolmentID) {
            treated = treated || !stored.value.dispensings.isEmpty || stored.value.status != .planned
            guard Self.stoppable.contains(stored.value.status) else { continue }
            var course = stored.value
            course.status = .stopped
            course.stop = max(date, course.start)
            course.stopReason = why
            course.heldByAlertID = nil
            course.heldOn = nil
            var audit = context
            audit.reason = why
            _ = try await repositories.medicationCourses.update(course, expectedVersion: stored.version, context: audit)
        }
        var enrolment = try await repositories.enrolments.get(enrolmentID)
        var audit = context
        audit.reason = "treatment discontinued: \(why)"
        // An enrolment whose treatment began (a course given, or already on treatment) goes to follow-up; one
        // still waiting for its first dose or injection keeps its status and carries the discontinuation.
        if enrolment.value.status == .enrolled, treated {
            enrolment = try await repositories.enrolments.transition(
                enrolmentID, to: .onTreatment, at: instant, expectedVersion: enrolment.version, context: audit)
        }
        if enrolment.value.status == .onTreatment {
            enrolment = try await repositories.enrolments.transition(
                enrolmentID, to: .followUp, at: instant, expectedVersion: enrolment.version, context: audit)
        }
        guard enrolment.value.treatmentDiscontinuation == nil,
              [.enrolled, .onTreatment, .followUp].contains(enrolment.value.status) else { return }
        _ = try await repositories.enrolments.recordTreatmentDiscontinuation(
            enrolmentID, TreatmentDiscontinuation(on: date, reason: why, alertID: alert.id),
            expectedVersion: enrolment.version, context: audit)
    }

    // MARK: What a hold or a stop refuses

    /// The alerts whose hold or stop still stands on the enrolment's treatment: stops first (a stop is what a
    /// refusal names when both stand), then oldest first.
    public func blocking(_ enrolment: Identifier<Enrolment>, participant: Identifier<Participant>) async throws -> [SafetyAlertRecord] {
        try await repositories.safetyAlerts.list(participant: participant).map(\.value)
            .filter { $0.enrolmentID == enrolment && $0.blocksTreatment }
            .sorted { ($0.action == .stopTreatment ? 0 : 1, $0.raisedAt) < ($1.action == .stopTreatment ? 0 : 1, $1.raisedAt) }
    }

    /// The refusal of a treatment step under a hold or a stop: 422 `protocol_rule` naming the rule and the alert.
    static func refusal(_ alert: SafetyAlertRecord, field: String, doing: String) -> DomainError {
        let since = alert.clinicalDate.map { " since \($0)" } ?? ""
        let state = alert.action == .stopTreatment
            ? "the treatment was stopped\(since) by safety rule \(alert.ruleID) (alert \(alert.id.rawValue): \(alert.message)); \(doing) is refused for good"
            : "the treatment is on hold\(since) by safety rule \(alert.ruleID) (alert \(alert.id.rawValue): \(alert.message)); \(doing) is refused until an investigator resumes it"
        return DomainError.protocolRule(rule: "safety \(alert.action == .stopTreatment ? "stop" : "hold"): \(alert.ruleID)", field: field, message: state)
    }

    /// A course on hold, or one whose enrolment carries a standing hold (a course planned after the alert),
    /// dispenses nothing.
    public func checkDispensable(_ course: MedicationCourse) async throws {
        if course.status == .held, let alertID = course.heldByAlertID {
            let alert = try await repositories.safetyAlerts.get(alertID).value
            throw Self.refusal(alert, field: "course", doing: "dispensing")
        }
        guard let enrolment = course.enrolmentID,
              let alert = try await blocking(enrolment, participant: course.participantID).first else { return }
        throw Self.refusal(alert, field: "course", doing: "dispensing")
    }

    /// No injection while a hold or a stop stands on the enrolment (cell programs: the hold blocks further injections).
    public func checkInjectable(_ procedure: Procedure) async throws {
        guard procedure.kind == .injection, let enrolment = procedure.enrolmentID,
              let alert = try await blocking(enrolment, participant: procedure.participantID).first else { return }
        throw Self.refusal(alert, field: "enrolmentID", doing: "an injection")
    }

    // MARK: Resuming

    /// An investigator resumes a course held by a safety rule, with a reason: the course is active again and
    /// every hold standing on its enrolment is lifted (who, when, why on each alert), audited, in one
    /// transaction. A stop is never lifted; a course that is not held is refused.
    public func resume(
        course id: Identifier<MedicationCourse>, reason: String?, expectedVersion: Int, now: Date, context: AuditContext
    ) async throws -> Versioned<MedicationCourse> {
        try RoleRefusal.requireInvestigator(context.actor, rule: Self.resumeRule, doing: "resume a held treatment")
        let why = try Self.reason(reason)
        return try await repositories.transaction { tx in
            let service = TreatmentHolds(repositories: tx)
            let current = try await tx.medicationCourses.get(id)
            guard current.version == expectedVersion else {
                throw RepositoryError.staleVersion(kind: "medication course", id: id.rawValue, expected: expectedVersion)
            }
            guard current.value.status == .held else {
                throw DomainError.illegalTransition(from: current.value.status.rawValue, to: "active",
                                                    message: "the course is \(current.value.status.rawValue), not held: there is nothing to resume")
            }
            if let enrolment = current.value.enrolmentID {
                let standing = try await service.blocking(enrolment, participant: current.value.participantID)
                if let stop = standing.first(where: { $0.action == .stopTreatment }) {
                    throw Self.refusal(stop, field: "course", doing: "resuming")
                }
                try await service.lift(standing, reason: why, now: now, context: context)
            }
            return try await service.reactivate(current, reason: why, context: context)
        }
    }

    /// The held course active again, the hold's fields cleared, audited with the investigator's reason.
    private func reactivate(_ stored: Versioned<MedicationCourse>, reason: String, context: AuditContext) async throws -> Versioned<MedicationCourse> {
        var course = stored.value
        course.status = .active
        course.heldByAlertID = nil
        course.heldOn = nil
        var audit = context
        audit.reason = "resumed by the investigator: \(reason)"
        return try await repositories.medicationCourses.update(course, expectedVersion: stored.version, context: audit)
    }

    /// An investigator lifts the hold one alert put on an enrolment's treatment (a cell program has no course
    /// to resume: the hold blocks injections), with a reason; a course it held is resumed with it.
    public func resume(
        alert id: Identifier<SafetyAlertRecord>, reason: String?, expectedVersion: Int, now: Date, context: AuditContext
    ) async throws -> Versioned<SafetyAlertRecord> {
        try RoleRefusal.requireInvestigator(context.actor, rule: Self.resumeRule, doing: "resume a held treatment")
        let why = try Self.reason(reason)
        return try await repositories.transaction { tx in
            let current = try await tx.safetyAlerts.get(id)
            guard current.version == expectedVersion else {
                throw RepositoryError.staleVersion(kind: "safety alert", id: id.rawValue, expected: expectedVersion)
            }
            guard current.value.action == .holdDrug, current.value.holdLiftedAt == nil else {
                let state = current.value.action == .stopTreatment ? "a stop stands for good"
                    : current.value.action == .holdDrug ? "its hold was lifted already" : "it holds nothing"
                throw DomainError.illegalTransition(from: current.value.status.rawValue, to: "resumed",
                                                    message: "this alert's rule is \(current.value.action.rawValue): \(state)")
            }
            let service = TreatmentHolds(repositories: tx)
            try await service.lift([current.value], reason: why, now: now, context: context)
            for stored in try await tx.medicationCourses.list(participant: current.value.participantID)
            where stored.value.status == .held && stored.value.heldByAlertID == id {
                _ = try await service.reactivate(stored, reason: why, context: context)
            }
            return try await tx.safetyAlerts.get(id)
        }
    }

    private func lift(_ alerts: [SafetyAlertRecord], reason: String, now: Date, context: AuditContext) async throws {
        for alert in alerts where alert.action == .holdDrug && alert.holdLiftedAt == nil {
            let stored = try await repositories.safetyAlerts.get(alert.id)
            var lifted = stored.value
            lifted.holdLiftedBy = context.actor
            lifted.holdLiftedAt = now
            lifted.holdLiftReason = reason
            var audit = context
            audit.reason = "hold lifted by the investigator: \(reason)"
            _ = try await repositories.safetyAlerts.update(lifted, expectedVersion: stored.version, context: audit)
        }
    }

    static func reason(_ text: String?) throws -> String {
        let why = text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !why.isEmpty else {
            throw DomainError.invalidValue(field: "reason", message: "say why the treatment may resume (the reason is audited)")
        }
        return why
    }

    // MARK: The end of an enrolment ends its courses

    /// A completed enrolment's courses that are still planned, active or held end with it: completed on the
    /// day of completion; a withdrawal or a loss to follow-up stops them with that reason (issue #15: the
    /// isotretinoin course stayed active after the participant completed). Stopped and completed courses stay.
    func endCourses(of enrolment: Enrolment, at instant: Date, context: AuditContext) async throws {
        guard [.completed, .withdrawn, .lostToFollowUp].contains(enrolment.status) else { return }
        let day = CalendarDate(instant)
        for stored in try await repositories.medicationCourses.list(participant: enrolment.participantID)
        where stored.value.enrolmentID == enrolment.id && Self.stoppable.contains(stored.value.status) {
            var course = stored.value
            let reason = context.reason ?? enrolment.status.rawValue
            course.status = enrolment.status == .completed ? .completed : .stopped
            course.stop = max(day, course.start)
            if course.status == .stopped { course.stopReason = "enrolment \(enrolment.status.rawValue): \(reason)" }
            course.heldByAlertID = nil
            course.heldOn = nil
            var audit = context
            audit.reason = "course \(course.status.rawValue) with the enrolment (\(enrolment.status.rawValue)): \(reason)"
            _ = try await repositories.medicationCourses.update(course, expectedVersion: stored.version, context: audit)
        }
    }
}
