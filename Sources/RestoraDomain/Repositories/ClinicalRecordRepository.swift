/// The shape shared by the per-participant clinical records (observations, procedures, adverse events,
/// medication courses, cell products, safety alerts): create, read, list a participant's, update under a
/// version check, soft delete. Edits and deletions need a reason in the `AuditContext`.
public protocol ClinicalRecordRepository<Record>: Sendable {
    associatedtype Record: Sendable & Identifiable where Record.ID == Identifier<Record>
    func create(_ record: Record, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<Record>
    func get(_ id: Identifier<Record>) async throws -> Versioned<Record>
    func list(participant: Identifier<Participant>) async throws -> [Versioned<Record>]
    /// The records of many participants in one go (reports): no query per participant.
    func list(participants: [Identifier<Participant>]) async throws -> [Versioned<Record>]
    func update(_ record: Record, expectedVersion: Int, context: AuditContext) async throws -> Versioned<Record>
    func delete(_ id: Identifier<Record>, expectedVersion: Int, context: AuditContext) async throws
}

public protocol ObservationRepository: ClinicalRecordRepository where Record == Observation {
    /// One participant's values of one test (same code system and code), e.g. to find a baseline.
    func list(participant: Identifier<Participant>, code: Coding) async throws -> [Versioned<Observation>]
    /// Stores many new observations in one transaction, each exactly as `create` stores it (the same row,
    /// idempotency and audit entry), with multi-row statements: one read of the rows' sites, one lock check,
    /// one INSERT per chunk of rows and one audit append for all of them. The stored records come back in the
    /// order given. An item the store refuses throws `BatchItemError` naming its index, and nothing is written.
    func createAll(_ items: [(record: Observation, idempotencyKey: String?)], context: AuditContext) async throws -> [Versioned<Observation>]
}

/// An item of a batch write was refused: `index` is its position in the batch; `error` says why, as the
/// single write would have. Nothing of the batch is written.
public struct BatchItemError: Error, Sendable {
    public var index: Int
    public var error: any Error
    public init(index: Int, error: any Error) {
        self.index = index
        self.error = error
    }
}
public protocol ProcedureRepository: ClinicalRecordRepository where Record == Procedure {}
public protocol AdverseEventRepository: ClinicalRecordRepository where Record == AdverseEvent {}

/// Cell products: the lot is unique; custody events are appended, never rewritten.
public protocol CellProductRepository: ClinicalRecordRepository where Record == CellProduct {
    func get(lot: String) async throws -> Versioned<CellProduct>
    func appendCustody(
        _ event: CustodyEvent, to id: Identifier<CellProduct>, expectedVersion: Int, context: AuditContext
    ) async throws -> Versioned<CellProduct>
}

/// Medication courses: dispensings are appended as the supplies are handed out.
public protocol MedicationCourseRepository: ClinicalRecordRepository where Record == MedicationCourse {
    func addDispensing(
        _ dispensing: Dispensing, to id: Identifier<MedicationCourse>, expectedVersion: Int, context: AuditContext
    ) async throws -> Versioned<MedicationCourse>
}

/// Safety alerts: raised by the rules, acknowledged by a person.
public protocol SafetyAlertRepository: ClinicalRecordRepository where Record == SafetyAlertRecord {
    func listOpen(sites: Set<Identifier<Site>>?) async throws -> [Versioned<SafetyAlertRecord>]
}
