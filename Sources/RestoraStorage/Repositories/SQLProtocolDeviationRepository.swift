import RestoraDomain

/// Protocol deviations: stored and read like every clinical record (SQLClinicalRepository: audited, the
/// participant's site chain), but appended only — a signed deviation is never edited or deleted; a
/// correction is a new deviation (issue #14, docs/deviations.md).
struct SQLProtocolDeviationRepository: ProtocolDeviationRepository {
    typealias Record = ProtocolDeviation
    let records: SQLClinicalRepository<ProtocolDeviationMapping>

    init(records: RecordStore<ProtocolDeviationMapping>) {
        self.records = SQLClinicalRepository(records: records)
    }

    func create(_ record: ProtocolDeviation, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<ProtocolDeviation> {
        try await records.create(record, context: context, idempotencyKey: idempotencyKey)
    }

    func get(_ id: Identifier<ProtocolDeviation>) async throws -> Versioned<ProtocolDeviation> {
        try await records.get(id)
    }

    func list(participant: Identifier<Participant>) async throws -> [Versioned<ProtocolDeviation>] {
        try await records.list(participant: participant)
    }

    func list(participants: [Identifier<Participant>]) async throws -> [Versioned<ProtocolDeviation>] {
        try await records.list(participants: participants)
    }

    func update(_ record: ProtocolDeviation, expectedVersion: Int, context: AuditContext) async throws -> Versioned<ProtocolDeviation> {
        throw Self.appendOnly(record.id, "edited")
    }

    func delete(_ id: Identifier<ProtocolDeviation>, expectedVersion: Int, context: AuditContext) async throws {
        throw Self.appendOnly(id, "deleted")
    }

    static func appendOnly(_ id: Identifier<ProtocolDeviation>, _ verb: String) -> DomainError {
        .illegalTransition(from: "signed", to: verb,
                           message: "protocol deviation \(id.rawValue) is signed and cannot be \(verb); record a new deviation instead")
    }
}
