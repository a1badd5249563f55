/// The records one clinical action reads to check references and find the safety rules that apply, each
/// read once per action (a semen panel of 5 values reads the participant's enrolments, the programs and the
/// visit once, not 5 times), inside the action's transaction. Only reads whose answer the action itself does
/// not change are kept: enrolments, programs and visits are not written by recording an observation or an
/// adverse event. The one read the action does change — a participant's values of a graded test, the CTCAE
/// baseline — is kept with the action's own observations added as it records them (`recorded`).
///
/// The enrolments here carry no status history (`transitions` is empty,
/// `EnrolmentRepository.listWithoutTransitions`): a rule scope, a visit or an adverse event's protocols need the
/// status, program and protocol version only, and reading every enrolment's transition rows was 7 % of a bulk
/// import's time (BENCHMARKS.md). Whoever needs the history reads the enrolment from its repository.
final class ActionReads {
    private let repositories: Repositories
    private var enrolmentsByParticipant: [Identifier<Participant>: [Enrolment]] = [:]
    private var programs: [Identifier<Program>: Program] = [:]
    private var visits: [Identifier<Visit>: Visit] = [:]
    /// A participant's values of one test (`labHistory`), with the values this action recorded since appended.
    private var labHistories: [String: [Observation]] = [:]
    private var recordedByKey: [String: [Observation]] = [:]

    init(_ repositories: Repositories) {
        self.repositories = repositories
    }

    /// Every enrolment of the participant, without its transitions (one statement per participant and action).
    func enrolments(of participant: Identifier<Participant>) async throws -> [Enrolment] {
        if let known = enrolmentsByParticipant[participant] { return known }
        let found = try await repositories.enrolments.listWithoutTransitions(participants: [participant]).map(\.value)
        enrolmentsByParticipant[participant] = found
        return found
    }

    /// Reads the enrolments of every participant in `participants` not read yet, in one statement per 500
    /// (a batch of observations: one read for the batch's participants instead of one per participant).
    func preloadEnrolments(of participants: [Identifier<Participant>]) async throws {
        let missing = Array(Set(participants.filter { enrolmentsByParticipant[$0] == nil }))
        guard !missing.isEmpty else { return }
        for participant in missing { enrolmentsByParticipant[participant] = [] }
        for enrolment in try await repositories.enrolments.listWithoutTransitions(participants: missing) {
            enrolmentsByParticipant[enrolment.value.participantID, default: []].append(enrolment.value)
        }
    }

    /// The participant's recorded values of `code` (read once per participant and test), followed by the
    /// values this action recorded (`recorded`) that the read did not return: what a read inside the
    /// transaction returns once each of them is written, in the order they were recorded (a batch checks all
    /// its observations before it writes any).
    func labHistory(of participant: Identifier<Participant>, code: Coding) async throws -> [Observation] {
        let key = Self.historyKey(participant, code)
        let stored: [Observation]
        if let known = labHistories[key] {
            stored = known
        } else {
            stored = try await repositories.observations.list(participant: participant, code: code).map(\.value)
            labHistories[key] = stored
        }
        guard let mine = recordedByKey[key], !mine.isEmpty else { return stored }
        let read = Set(stored.map(\.id))
        return stored + mine.filter { !read.contains($0.id) }
    }

    /// Notes an observation this action records, for the later `labHistory` reads of the same action.
    func recorded(_ observation: Observation) {
        recordedByKey[Self.historyKey(observation.participantID, observation.code), default: []].append(observation)
    }

    private static func historyKey(_ participant: Identifier<Participant>, _ code: Coding) -> String {
        "\(participant.rawValue)\u{1}\(code.system.rawValue)\u{1}\(code.code)"
    }

    /// A program by id, read once per action. One by one, not all programs at once: an action names one or two,
    /// and a batch a handful (reading every program for each action was most of a seed's program reads).
    func program(_ id: Identifier<Program>) async throws -> Program {
        if let known = programs[id] { return known }
        let program = try await repositories.programs.get(id).value
        programs[id] = program
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
