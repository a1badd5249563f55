import Foundation

/// Enrolments and their status transitions. A transition runs the domain state machine
/// (`Enrolment.transition`) and stores the result under the version check.
public protocol EnrolmentRepository: Sendable {
    func create(_ enrolment: Enrolment, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<Enrolment>
    func get(_ id: Identifier<Enrolment>) async throws -> Versioned<Enrolment>
    func list(participant: Identifier<Participant>) async throws -> [Versioned<Enrolment>]
    /// Every enrolment of a program (reports).
    func list(program: Identifier<Program>) async throws -> [Versioned<Enrolment>]
    /// The enrolments of many participants in one go (the participant list): no query per participant.
    func list(participants: [Identifier<Participant>]) async throws -> [Versioned<Enrolment>]
    /// The enrolments of many participants without their status history: every `transitions` is empty. What
    /// a rule scope needs (status, program, protocol version; `ActionReads`) without reading the history's rows.
    func listWithoutTransitions(participants: [Identifier<Participant>]) async throws -> [Versioned<Enrolment>]
    func transition(
        _ id: Identifier<Enrolment>, to status: EnrolmentStatus, at instant: Date, expectedVersion: Int, context: AuditContext
    ) async throws -> Versioned<Enrolment>
    /// Moves the enrolment to another protocol version (an explicit re-consent; docs/amendments.md), audited.
    func setProtocolVersion(
        _ id: Identifier<Enrolment>, to version: String, expectedVersion: Int, context: AuditContext
    ) async throws -> Versioned<Enrolment>
    /// Records that the study treatment was discontinued (a protocol stop rule, issue #15 item 4), audited.
    func recordTreatmentDiscontinuation(
        _ id: Identifier<Enrolment>, _ discontinuation: TreatmentDiscontinuation, expectedVersion: Int, context: AuditContext
    ) async throws -> Versioned<Enrolment>
}

/// Visits of an enrolment: the calendar and the recorded actual visits.
public protocol VisitRepository: Sendable {
    func create(_ visit: Visit, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<Visit>
    func get(_ id: Identifier<Visit>) async throws -> Versioned<Visit>
    func list(enrolment: Identifier<Enrolment>) async throws -> [Versioned<Visit>]
    /// The visits of many enrolments in one go (reports): no query per enrolment.
    func list(enrolments: [Identifier<Enrolment>]) async throws -> [Versioned<Visit>]
    func update(_ visit: Visit, expectedVersion: Int, context: AuditContext) async throws -> Versioned<Visit>
}
