/// Turning a pre-screened candidate into a registered participant (issue #14 item 8): the participant is
/// created as registration creates one (the caller validates it the same way) and the candidate is linked to
/// it, in one transaction — both audited, or neither written. A candidate is registered once.
public struct PrescreenRegistration: Sendable {
    public let repositories: Repositories

    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    public func register(
        _ participant: Participant, from candidate: Identifier<PrescreenCandidate>, context: AuditContext, idempotencyKey: String?
    ) async throws -> Versioned<Participant> {
        try await repositories.transaction { tx in
            let stored = try await tx.prescreenCandidates.get(candidate)
            if let linked = stored.value.participantID {
                throw DomainError.invalidValue(field: "candidate", message: "this candidate is already registered as participant \(linked.rawValue)")
            }
            let created = try await tx.participants.create(participant, context: context, idempotencyKey: idempotencyKey)
            _ = try await tx.prescreenCandidates.link(candidate, to: created.value.id, expectedVersion: stored.version, context: context)
            return created
        }
    }
}
