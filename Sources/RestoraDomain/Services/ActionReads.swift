/// The records one clinical action reads to check references and find the safety rules that apply, each
/// read once per action (a semen panel of 5 values reads the participant's enrolments, the programs and the
/// visit once, not 5 times), inside the action's transaction. Only reads whose answer the action itself does
/// not change are kept: enrolments, programs and visits are not written by recording an observation or an
/// adverse event.
final class ActionReads {
    private let repositories: Repositories
    private var enrolmentsByParticipant: [Identifier<Participant>: [Enrolment]] = [:]
    private var programs: [Identifier<Program>: Program]?
    private var visits: [Identifier<Visit>: Visit] = [:]

    init(_ repositories: Repositories) {
        self.repositories = repositories
    }

    /// Every enrolment of the participant (one statement per participant and action).
    func enrolments(of participant: Identifier<Participant>) async throws -> [Enrolment] {
        if let known = enrolmentsByParticipant[participant] { return known }
        let found = try await repositories.enrolments.list(participant: participant).map(\.value)
        enrolmentsByParticipant[participant] = found
        return found
    }

    /// A program by id; all programs (reference data, a handful per clinic) are read in one statement.
    func program(_ id: Identifier<Program>) async throws -> Program {
        if programs == nil {
            programs = Dictionary(try await repositories.programs.list().map { ($0.value.id, $0.value) }) { first, _ in first }
        }
        guard let program = programs?[id] else { throw RepositoryError.notFound(kind: "program", id: id.rawValue) }
        return program
    }

    /// `RecordReferences.visit` with the participant's enrolments read once: the visit must exist and belong
    /// to one of `participant`'s enrolments (and to `enrolment` when the write names one); "does not exist"
    /// and "someone else's" get the same refusal.
    @discardableResult
    func visit(
        _ id: Identifier<Visit>?, of participant: Identifier<Participant>, enrolment: Identifier<Enrolment>?,
        field: String = "visitID"
    ) async throws -> Visit? {
        guard let id else { return nil }
        let visit: Visit
        if let known = visits[id] {
            visit = known
        } else {
            do {
                visit = try await repositories.visits.get(id).value
            } catch RepositoryError.notFound {
                throw RecordReferences.refusal(field, kind: "visit")
            } catch DomainError.notFound {
                throw RecordReferences.refusal(field, kind: "visit")
            }
            visits[id] = visit
        }
        guard try await enrolments(of: participant).contains(where: { $0.id == visit.enrolmentID }) else {
            throw RecordReferences.refusal(field, kind: "visit")
        }
        if let enrolment, enrolment != visit.enrolmentID {
            throw DomainError.invalidValue(field: field, message: "\(field) names a visit of another enrolment than enrolmentID")
        }
        return visit
    }
}
