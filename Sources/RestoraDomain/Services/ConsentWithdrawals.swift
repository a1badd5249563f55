import Foundation

/// A participant withdraws consent (issue #16 item 2, docs/consent.md) — the one way the JSON API, the web form
/// and the demo seeder take, in one transaction with its consequences and their audit entries. The scopes nest
/// (a wider one covers the narrower) and a withdrawal stands for good:
/// - `treatment`: the study treatment stops — planned, active or held medication courses are stopped, an
///   enrolment on treatment moves to follow-up and the enrolment carries a treatment discontinuation ("treatment
///   discontinued, in follow-up", as a safety stop does: docs/safety-actions.md); visits and follow-up continue;
///   the consent gate refuses a later move into on-treatment (and into enrolled).
/// - `follow-up`: the enrolment is withdrawn (its courses end with it); the data collected up to then stay in the
///   record and in the analysis (ICH E6 / FDA guidance on data retention after withdrawal, REFERENCE.md H2, U).
/// - `data-use`: as follow-up, and the participant is left out of every research data export made from the
///   withdrawal on (`ConsentRepository.dataUseWithdrawals`; docs/consent.md says where). Allowed after
///   completion too. Data already exported before cannot be called back; the audit trail says which exports
///   held them (export jobs record their participants).
/// The participant need not give a reason (ICH E6, REFERENCE.md H2): `reason` is optional.
public struct ConsentWithdrawals: Sendable {
    public let repositories: Repositories

    public init(repositories: Repositories) { self.repositories = repositories }

    public struct Input: Codable, Sendable {
        public var scope: String
        /// ISO 8601; nil or blank = now.
        public var withdrawnAt: String?
        public var reason: String?

        public init(scope: String, withdrawnAt: String? = nil, reason: String? = nil) {
            self.scope = scope
            self.withdrawnAt = withdrawnAt
            self.reason = reason
        }
    }

    public struct Outcome: Sendable {
        public var withdrawal: Versioned<ConsentWithdrawal>
        public var enrolment: Versioned<Enrolment>
    }

    /// The statuses a scope may be withdrawn from: after consent; use of data also after the enrolment ended.
    static func allowed(_ scope: ConsentWithdrawal.Scope) -> Set<EnrolmentStatus> {
        let active: Set<EnrolmentStatus> = [.consented, .enrolled, .onTreatment, .followUp]
        return scope == .dataUse ? active.union([.completed, .withdrawn, .lostToFollowUp]) : active
    }

    public func withdraw(
        _ input: Input, enrolment enrolmentID: Identifier<Enrolment>, expectedVersion: Int, id: Identifier<ConsentWithdrawal>,
        now: Date, context: AuditContext
    ) async throws -> Outcome {
        guard let role = context.actor.role, ConsentEntry.recorderRoles.contains(role) else {
            throw RoleRefusal(rule: "a consent withdrawal is recorded by site staff (admin, investigator, coordinator)",
                              message: "the \(context.actor.role ?? "unknown") role cannot record a consent withdrawal")
        }
        guard let scope = ConsentWithdrawal.Scope(rawValue: input.scope.trimmingCharacters(in: .whitespaces)) else {
            throw DomainError.invalidValue(field: "scope", message: "scope must be treatment, follow-up or data-use")
        }
        let at = try ConsentText.instant(input.withdrawnAt, field: "withdrawnAt", default: now)
        guard at <= now.addingTimeInterval(ConsentEntry.futureTolerance) else {
            throw DomainError.invalidValue(field: "withdrawnAt", message: "withdrawnAt is in the future")
        }
        let reason = try ConsentText.optional(input.reason, field: "reason", max: 2000)
        return try await repositories.transaction { tx in
            var enrolment = try await tx.enrolments.get(enrolmentID)
            guard enrolment.version == expectedVersion else {
                throw RepositoryError.staleVersion(kind: "enrolment", id: enrolmentID.rawValue, expected: expectedVersion)
            }
            let status = enrolment.value.status
            guard Self.allowed(scope).contains(status) else {
                throw DomainError.illegalTransition(
                    from: status.rawValue, to: "consent withdrawn (\(scope.rawValue))",
                    message: "consent to \(scope.rawValue) cannot be withdrawn from an enrolment that is \(status.rawValue)"
                        + (status.isTerminal ? "" : "; before consent, withdraw the enrolment instead"))
            }
            if let earlier = try await tx.consents.withdrawals(enrolment: enrolmentID).map(\.value).first(where: { $0.scope.rank >= scope.rank }) {
                throw DomainError.illegalTransition(from: "withdrawn", to: scope.rawValue,
                                                    message: "consent was already withdrawn: \(earlier.scope.label)")
            }
            let withdrawal = ConsentWithdrawal(id: id, participantID: enrolment.value.participantID, enrolmentID: enrolmentID, scope: scope,
                                               withdrawnAt: at, reason: reason, recordedBy: context.actor, recordedAt: now)
            var audit = context
            let why = "consent withdrawn (\(scope.rawValue))" + (reason.map { ": \($0)" } ?? ": no reason given")
            audit.reason = why
            let stored = try await tx.consents.withdraw(withdrawal, context: audit)
            switch scope {
            case .treatment:
                enrolment = try await Self.stopTreatment(enrolment, why: why, at: at, now: now, in: tx, context: audit)
            case .followUp, .dataUse:
                if !status.isTerminal {
                    enrolment = try await tx.enrolments.transition(enrolmentID, to: .withdrawn, at: now, expectedVersion: enrolment.version, context: audit)
                    try await TreatmentHolds(repositories: tx).endCourses(of: enrolment.value, at: now, context: audit)
                }
            }
            return Outcome(withdrawal: stored, enrolment: enrolment)
        }
    }

    /// Treatment stops, follow-up continues (as a safety stop, TreatmentHolds): courses stopped, on-treatment →
    /// follow-up, the discontinuation recorded on an enrolment that reached enrolment.
    static func stopTreatment(
        _ stored: Versioned<Enrolment>, why: String, at: Date, now: Date, in tx: Repositories, context: AuditContext
    ) async throws -> Versioned<Enrolment> {
        var enrolment = stored
        let day = CalendarDate(at)
        for course in try await tx.medicationCourses.list(participant: enrolment.value.participantID)
        where course.value.enrolmentID == enrolment.value.id && TreatmentHolds.stoppable.contains(course.value.status) {
            var value = course.value
            value.status = .stopped
            value.stop = max(day, value.start)
            value.stopReason = why
            value.heldByAlertID = nil
            value.heldOn = nil
            _ = try await tx.medicationCourses.update(value, expectedVersion: course.version, context: context)
        }
        if enrolment.value.status == .onTreatment {
            enrolment = try await tx.enrolments.transition(enrolment.value.id, to: .followUp, at: now, expectedVersion: enrolment.version, context: context)
        }
        if enrolment.value.treatmentDiscontinuation == nil, [.enrolled, .onTreatment, .followUp].contains(enrolment.value.status) {
            enrolment = try await tx.enrolments.recordTreatmentDiscontinuation(
                enrolment.value.id, TreatmentDiscontinuation(on: day, reason: why), expectedVersion: enrolment.version, context: context)
        }
        return enrolment
    }
}
