import Foundation

/// Moving an enrolment along its state machine: the one way the JSON API (`POST /enrolments/{id}/transitions`),
/// the web form and the demo seeder take, so the eligibility gate cannot be skipped through another door.
///
/// The eligibility gate (issue #14; docs/deviations.md): a move INTO eligible, consented or enrolled needs the
/// enrolment's latest screening to say `eligible` on the protocol version the enrolment runs under (the
/// program's version when it was enrolled, or the one it re-consented to: docs/amendments.md). Otherwise the move is refused with the rule named (`DomainError.protocolRule`, field `to`) and
/// nothing is written — unless an investigator signs a protocol deviation (ICH E6: the investigator is
/// responsible for who enters the trial, REFERENCE.md H2; a signature shows who, when and what it means, H1
/// 11.50), which is then stored with the transition in one transaction. A deviation signed for this gate
/// covers the later gated moves of the same enrolment until it is screened again (one decision, one record).
/// Never gated: screening, screen failure, withdrawal and loss to follow-up (leaving must always be possible),
/// and the moves after enrolment (on treatment, follow-up, completion): entry was decided at enrolment, and a
/// later amendment of the criteria does not retroactively stop a participant already in the trial.
public struct EnrolmentTransitions: Sendable {
    public let repositories: Repositories
    public let catalog: ProtocolCatalog
    public let ids: any IDGenerator

    public init(repositories: Repositories, catalog: ProtocolCatalog, ids: any IDGenerator) {
        self.repositories = repositories
        self.catalog = catalog
        self.ids = ids
    }

    /// The statuses a move into needs an eligible screening.
    public static let gated: Set<EnrolmentStatus> = [.eligible, .consented, .enrolled]

    /// Only an investigator signs a protocol deviation (`RoleRefusal`, an HTTP 403 for anyone else).
    public static func requireSigner(_ actor: Actor) throws {
        try RoleRefusal.requireInvestigator(actor, rule: RoleRefusal.deviationSigner, doing: "sign a protocol deviation")
    }

    /// The rule's name as the refusal and the deviation record carry it.
    public static func gateRule(protocolID: String, version: String) -> String {
        "eligibility gate: an eligible screening verdict on protocol \(protocolID) v\(version)"
    }

    /// What the move broke (nil: nothing) — the enrolment's latest screening judged against the gate. Reads
    /// through `repositories` (pass a transaction's to read inside it).
    public func violation(
        moving enrolment: Enrolment, to target: EnrolmentStatus, in repositories: Repositories? = nil
    ) async throws -> (ProtocolViolation, ProtocolDefinition)? {
        guard Self.gated.contains(target) else { return nil }
        let r = repositories ?? self.repositories
        let program = try await r.programs.get(enrolment.programID).value
        // The gate compares with the protocol version the enrolment runs under (docs/amendments.md).
        let definition = try catalog.definition(for: enrolment, program: program)
        let rule = Self.gateRule(protocolID: definition.id, version: definition.version)
        let screenings = try await r.screenings.verdicts(enrolment: enrolment.id)
        // Latest by screening date, then by when it was stored (two screenings on one day).
        let latest = screenings.max { ($0.screenedOn, $0.storedAt) < ($1.screenedOn, $1.storedAt) }
        let onCurrent = latest.map { $0.protocolID == definition.id && $0.protocolVersion == definition.version } ?? false
        if let latest, onCurrent, latest.verdict == .eligible { return nil }
        // An investigator already let this enrolment through the same gate since its latest screening.
        let signed = try await r.deviations.list(participant: enrolment.participantID).map(\.value).contains { d in
            d.enrolmentID == enrolment.id && d.recordKind == "enrolments" && d.recordID == enrolment.id.rawValue && d.rule == rule
                && latest.map { d.signedAt >= $0.screenedOn.startOfDayUTC } ?? true
        }
        if signed { return nil }
        let message: String
        switch latest {
        case nil:
            message = "this enrolment has not been screened; screen it against protocol \(definition.id) v\(definition.version) first"
        case let s? where !onCurrent:
            message = "the latest screening (\(s.screenedOn)) was against protocol \(s.protocolID) v\(s.protocolVersion), not v\(definition.version), the version this enrolment runs under; screen again"
        case let s? where s.verdict == .incomplete:
            message = "the latest screening (\(s.screenedOn)) is incomplete: some criteria could not be judged; complete the record and screen again"
        case let s?:
            message = "the latest screening (\(s.screenedOn)) found the participant ineligible"
        }
        return (ProtocolViolation(rule: rule, field: "to", message: "\(StatusWord.label(target)) needs an eligible screening: \(message)",
                                  category: .eligibility), definition)
    }

    /// The stored move and the deviation signed with it (if one was needed).
    public struct Outcome: Sendable {
        public var enrolment: Versioned<Enrolment>
        public var deviation: Versioned<ProtocolDeviation>?
    }

    /// Moves the enrolment to `target` dated `at`, after the gate. `deviation`: the investigator's category and
    /// reason, used only when the gate refuses (a deviation sent for a move that breaks no rule is not stored).
    /// `signedAt`: when the deviation is signed (now; the demo seeder passes the step's time).
    public func transition(
        _ id: Identifier<Enrolment>, to target: EnrolmentStatus, at: Date, expectedVersion: Int,
        deviation: DeviationInput? = nil, signedAt: Date, context: AuditContext
    ) async throws -> Outcome {
        try await transition(id, to: target, at: at, expectedVersion: expectedVersion, deviation: deviation, signedAt: signedAt,
                             context: context, randomising: false) { _, _ in () }.0
    }

    /// The same move, then `alsoDo` in the SAME transaction with the moved enrolment: the randomisation service
    /// (Services/RandomiseEnrolment.swift) stores the allocation this way, so it commits with the move to enrolled
    /// after every gate of this service, or not at all (REFERENCE.md I; docs/randomisation.md). `randomising`
    /// says the caller is that service: a plain move to enrolled on a randomised protocol is refused.
    public func transition<R: Sendable>(
        _ id: Identifier<Enrolment>, to target: EnrolmentStatus, at: Date, expectedVersion: Int,
        deviation: DeviationInput? = nil, signedAt: Date, context: AuditContext, randomising: Bool,
        then alsoDo: @escaping @Sendable (Repositories, Versioned<Enrolment>) async throws -> R
    ) async throws -> (Outcome, R) {
        let deviationID = Identifier<ProtocolDeviation>(ids.next())
        let service = self
        return try await repositories.transaction { tx in
            let current = try await tx.enrolments.get(id)
            guard current.version == expectedVersion else {
                throw RepositoryError.staleVersion(kind: "enrolment", id: id.rawValue, expected: expectedVersion)
            }
            // The state machine and the reason speak first (a dry run of the move): a move it forbids is not a
            // protocol question.
            var dryRun = current.value
            _ = try dryRun.transition(to: target, by: context.actor, at: at, reason: context.reason ?? "")
            // A randomised protocol's enrolments reach enrolled only with their allocation (REFERENCE.md I).
            if target == .enrolled, !randomising {
                let program = try await tx.programs.get(current.value.programID).value
                if try service.catalog.definition(for: current.value, program: program).randomisation != nil {
                    throw DomainError.protocolRule(
                        rule: RandomiseEnrolment.rule, field: "to",
                        message: "this protocol is randomised: enrol by randomising (POST /api/v1/enrolments/\(id.rawValue)/randomisation, or Randomise on the participant page)")
                }
            }
            var signed: ProtocolDeviation?
            if let (violation, definition) = try await service.violation(moving: current.value, to: target, in: tx) {
                guard let deviation else { throw violation.error }
                try Self.requireSigner(context.actor)
                let reason = try deviation.requiredReason()
                signed = ProtocolDeviation(
                    id: deviationID, participantID: current.value.participantID, enrolmentID: id, category: deviation.category,
                    rule: violation.rule, field: violation.field, reason: reason, recordKind: "enrolments", recordID: id.rawValue,
                    protocolID: definition.id, protocolVersion: definition.version, signedBy: context.actor, signedAt: signedAt)
            }
            // The consent gate (issue #16 item 2, docs/consent.md; ICH E6, REFERENCE.md H2): no deviation lets it through.
            try await ConsentGate(repositories: tx).check(moving: current.value, to: target)
            let moved = try await tx.enrolments.transition(id, to: target, at: at, expectedVersion: expectedVersion, context: context)
            // A completed (or withdrawn, lost) enrolment's open courses end with it (docs/safety-actions.md).
            try await TreatmentHolds(repositories: tx).endCourses(of: moved.value, at: at, context: context)
            guard let signed else { return (Outcome(enrolment: moved, deviation: nil), try await alsoDo(tx, moved)) }
            var audit = context
            audit.reason = "protocol deviation signed: \(signed.reason)"
            let stored = try await tx.deviations.create(signed, context: audit, idempotencyKey: nil)
            return (Outcome(enrolment: moved, deviation: stored), try await alsoDo(tx, moved))
        }
    }
}

/// Enrolment statuses in words (the refusal is read by people), without the raw enum names.
enum StatusWord {
    static func label(_ status: EnrolmentStatus) -> String {
        switch status {
        case .prescreened: "pre-screened"
        case .screening: "screening"
        case .eligible: "declaring the participant eligible"
        case .screenFailed: "screen failure"
        case .consented: "consent"
        case .enrolled: "enrolment"
        case .onTreatment: "starting treatment"
        case .followUp: "follow-up"
        case .completed: "completion"
        case .withdrawn: "withdrawal"
        case .lostToFollowUp: "loss to follow-up"
        }
    }
}
