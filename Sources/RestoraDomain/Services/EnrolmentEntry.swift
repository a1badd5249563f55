import Foundation

/// Enrolling a participant in a program, the one way the JSON API and the web form both take: the program
/// must exist and run at the participant's site (an unknown program and one elsewhere get the same answer),
/// and a participant has at most one open enrolment per program — enforced by the database's unique index
/// (migration 0021) inside the write, so two racing requests cannot both succeed; the loser gets
/// `RepositoryError.duplicate` (409), while a retry with the same idempotency key gets the first enrolment.
public struct EnrolmentEntry: Sendable {
    public let repositories: Repositories

    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    public func enrol(
        _ participant: Participant, in programID: Identifier<Program>, arm: String?, id: Identifier<Enrolment>,
        context: AuditContext, idempotencyKey: String?
    ) async throws -> Versioned<Enrolment> {
        let refusal = DomainError.invalidValue(field: "programID", message: "programID names no program that runs at the participant's site")
        let program: Program
        do {
            program = try await repositories.programs.get(programID).value
        } catch RepositoryError.notFound {
            throw refusal
        }
        guard program.siteIDs.contains(participant.siteID) else { throw refusal }
        // A new enrolment runs under the program's current protocol version (docs/amendments.md).
        let enrolment = Enrolment(id: id, participantID: participant.id, programID: program.id, siteID: participant.siteID, armID: arm,
                                  protocolVersion: program.protocolVersion)
        return try await repositories.enrolments.create(enrolment, context: context, idempotencyKey: idempotencyKey)
    }
}
