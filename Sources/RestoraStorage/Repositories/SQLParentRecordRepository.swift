import RestoraDomain

/// The per-participant clinical records whose lists live in child tables (cell products: custody and
/// release tests; medication courses: dispensings), through `ChildAwareRecords`: every write is one
/// transaction of the record's update and one audited row per appended item. The conformances to the
/// domain's protocols are declared per mapping below.
struct SQLParentRecordRepository<M: ParentMapping>: ClinicalRecordRepository
where M.Value: Identifiable, M.Value.ID == Identifier<M.Value> {
    typealias Record = M.Value
    let records: RecordStore<M>
    var parents: ChildAwareRecords<M> { ChildAwareRecords(records: records) }

    func create(_ record: Record, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<Record> {
        try await parents.create(record, context: context, idempotencyKey: idempotencyKey)
    }

    func get(_ id: Identifier<Record>) async throws -> Versioned<Record> { try await parents.get(id: id.rawValue) }

    func list(participant: Identifier<Participant>) async throws -> [Versioned<Record>] {
        try await parents.list(where: "participant_id", equals: participant.rawValue)
    }

    func list(participants: [Identifier<Participant>]) async throws -> [Versioned<Record>] {
        try await parents.list(where: "participant_id", in: participants.map(\.rawValue))
    }

    /// An edit of the record's fields (needs a reason); its lists may only grow.
    func update(_ record: Record, expectedVersion: Int, context: AuditContext) async throws -> Versioned<Record> {
        try await parents.update(record, expectedVersion: expectedVersion, context: context)
    }

    func delete(_ id: Identifier<Record>, expectedVersion: Int, context: AuditContext) async throws {
        try await records.delete(id: id.rawValue, expectedVersion: expectedVersion, context: context)
    }
}

extension SQLParentRecordRepository: CellProductRepository where M == CellProductMapping {
    func get(lot: String) async throws -> Versioned<CellProduct> {
        guard let found = try await parents.list(where: "lot", equals: lot).first else {
            throw RepositoryError.notFound(kind: M.kind, id: lot)
        }
        return found
    }

    func appendCustody(
        _ event: CustodyEvent, to id: Identifier<CellProduct>, expectedVersion: Int, context: AuditContext
    ) async throws -> Versioned<CellProduct> {
        try await parents.modify(id.rawValue, expectedVersion: expectedVersion, context: context) { $0.custody.append(event) }
    }
}

extension SQLParentRecordRepository: MedicationCourseRepository where M == MedicationCourseMapping {
    func addDispensing(
        _ dispensing: Dispensing, to id: Identifier<MedicationCourse>, expectedVersion: Int, context: AuditContext
    ) async throws -> Versioned<MedicationCourse> {
        try await parents.modify(id.rawValue, expectedVersion: expectedVersion, context: context) { $0.dispensings.append(dispensing) }
    }
}
