import RestoraDomain

/// Medication courses with their dispensings as child rows: a dispensing is the course's audited update
/// (its count) and one audited row of `medication_dispensings`, in one transaction.
struct SQLMedicationCourseRepository: MedicationCourseRepository {
    let records: RecordStore<MedicationCourseMapping>
    var courses: ChildAwareRecords<MedicationCourseMapping> { ChildAwareRecords(records: records) }

    func create(_ record: MedicationCourse, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<MedicationCourse> {
        try await courses.create(record, context: context, idempotencyKey: idempotencyKey)
    }

    func get(_ id: Identifier<MedicationCourse>) async throws -> Versioned<MedicationCourse> { try await courses.get(id: id.rawValue) }

    func list(participant: Identifier<Participant>) async throws -> [Versioned<MedicationCourse>] {
        try await courses.list(where: "participant_id", equals: participant.rawValue)
    }

    func list(participants: [Identifier<Participant>]) async throws -> [Versioned<MedicationCourse>] {
        try await courses.list(where: "participant_id", in: participants.map(\.rawValue))
    }

    func update(_ record: MedicationCourse, expectedVersion: Int, context: AuditContext) async throws -> Versioned<MedicationCourse> {
        try await courses.update(record, expectedVersion: expectedVersion, context: context)
    }

    func delete(_ id: Identifier<MedicationCourse>, expectedVersion: Int, context: AuditContext) async throws {
        try await records.delete(id: id.rawValue, expectedVersion: expectedVersion, context: context)
    }

    func addDispensing(
        _ dispensing: Dispensing, to id: Identifier<MedicationCourse>, expectedVersion: Int, context: AuditContext
    ) async throws -> Versioned<MedicationCourse> {
        try await courses.modify(id.rawValue, expectedVersion: expectedVersion, context: context) { $0.dispensings.append(dispensing) }
    }
}
