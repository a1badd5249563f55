import Foundation
import RestoraDomain

struct SQLEnrolmentRepository: EnrolmentRepository {
    let records: RecordStore<EnrolmentMapping>
    /// Enrolments with their transitions (rows of `enrolment_transitions`).
    var enrolments: ChildAwareRecords<EnrolmentMapping> { ChildAwareRecords(records: records) }

    /// An enrolment without a protocol version runs under its program's current one (docs/amendments.md).
    func create(_ enrolment: Enrolment, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<Enrolment> {
        var enrolment = enrolment
        if enrolment.protocolVersion == nil {
            let programs = RecordStore<ProgramMapping>(store: records.store, audit: records.audit)
            do {
                enrolment.protocolVersion = try await programs.get(id: enrolment.programID.rawValue).value.protocolVersion
            } catch RepositoryError.notFound {
                // The insert's foreign key names the missing program.
            }
        }
        return try await enrolments.create(enrolment, context: context, idempotencyKey: idempotencyKey)
    }

    /// Moves the enrolment to another protocol version (a re-consent to an amendment), audited with the reason.
    func setProtocolVersion(
        _ id: Identifier<Enrolment>, to version: String, expectedVersion: Int, context: AuditContext
    ) async throws -> Versioned<Enrolment> {
        try await enrolments.modify(id.rawValue, expectedVersion: expectedVersion, context: context) { enrolment in
            enrolment.protocolVersion = version
        }
    }

    func recordTreatmentDiscontinuation(
        _ id: Identifier<Enrolment>, _ discontinuation: TreatmentDiscontinuation, expectedVersion: Int, context: AuditContext
    ) async throws -> Versioned<Enrolment> {
        try await enrolments.modify(id.rawValue, expectedVersion: expectedVersion, context: context) { enrolment in
            enrolment.treatmentDiscontinuation = discontinuation
        }
    }

    func get(_ id: Identifier<Enrolment>) async throws -> Versioned<Enrolment> {
        try await enrolments.get(id: id.rawValue)
    }

    func list(participant: Identifier<Participant>) async throws -> [Versioned<Enrolment>] {
        try await enrolments.list(where: "participant_id", equals: participant.rawValue)
    }

    func list(program: Identifier<Program>) async throws -> [Versioned<Enrolment>] {
        try await enrolments.list(where: "program_id", equals: program.rawValue)
    }

    func list(participants: [Identifier<Participant>]) async throws -> [Versioned<Enrolment>] {
        try await enrolments.list(where: "participant_id", in: participants.map(\.rawValue))
    }

    /// The parent rows alone (`EnrolmentMapping.value` leaves `transitions` empty; `attach` would fill them).
    func listWithoutTransitions(participants: [Identifier<Participant>]) async throws -> [Versioned<Enrolment>] {
        try await records.list(where: "participant_id", in: participants.map(\.rawValue))
    }

    /// The state machine decides (Enrolment.transition); storage makes it stick under the version check:
    /// the new status (an audited update of the enrolment) and the transition (an audited row of
    /// `enrolment_transitions`) in one transaction.
    func transition(
        _ id: Identifier<Enrolment>, to status: EnrolmentStatus, at instant: Date, expectedVersion: Int, context: AuditContext
    ) async throws -> Versioned<Enrolment> {
        try await enrolments.modify(id.rawValue, expectedVersion: expectedVersion, context: context) { enrolment in
            try enrolment.transition(to: status, by: context.actor, at: instant, reason: context.reason ?? "")
        }
    }
}

struct SQLVisitRepository: VisitRepository {
    let records: RecordStore<VisitMapping>

    func create(_ visit: Visit, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<Visit> {
        try await records.create(visit, context: context, idempotencyKey: idempotencyKey)
    }

    func get(_ id: Identifier<Visit>) async throws -> Versioned<Visit> {
        try await records.get(id: id.rawValue)
    }

    func list(enrolment: Identifier<Enrolment>) async throws -> [Versioned<Visit>] {
        try await records.list(where: "enrolment_id", equals: enrolment.rawValue)
    }

    func list(enrolments: [Identifier<Enrolment>]) async throws -> [Versioned<Visit>] {
        try await records.list(where: "enrolment_id", in: enrolments.map(\.rawValue))
    }

    /// Recording an actual visit fills in a scheduled one, which is not an edit of recorded data; changing
    /// a completed visit is, and needs a reason.
    func update(_ visit: Visit, expectedVersion: Int, context: AuditContext) async throws -> Versioned<Visit> {
        let current = try await records.get(id: visit.id.rawValue)
        let editsRecorded = current.value.status != .scheduled
        return try await records.update(visit, expectedVersion: expectedVersion, context: context, requireReason: editsRecorded)
    }
}

struct SQLSiteRepository: SiteRepository {
    let records: RecordStore<SiteMapping>

    func create(_ site: Site, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<Site> {
        try await records.create(site, context: context, idempotencyKey: idempotencyKey)
    }
    func get(_ id: Identifier<Site>) async throws -> Versioned<Site> { try await records.get(id: id.rawValue) }
    func list() async throws -> [Versioned<Site>] { try await records.listAll() }
    func update(_ site: Site, expectedVersion: Int, context: AuditContext) async throws -> Versioned<Site> {
        try await records.update(site, expectedVersion: expectedVersion, context: context)
    }
}

struct SQLProgramRepository: ProgramRepository {
    let records: RecordStore<ProgramMapping>

    func create(_ program: Program, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<Program> {
        try await records.create(program, context: context, idempotencyKey: idempotencyKey)
    }
    func get(_ id: Identifier<Program>) async throws -> Versioned<Program> { try await records.get(id: id.rawValue) }
    func list() async throws -> [Versioned<Program>] { try await records.listAll() }
    func update(_ program: Program, expectedVersion: Int, context: AuditContext) async throws -> Versioned<Program> {
        try await records.update(program, expectedVersion: expectedVersion, context: context)
    }
}
