import RestoraDomain

/// Cell products with their custody events and release-test results as child rows: every write of a lot
/// (registering it, a custody step, release results, the release decision, the injection that marks it
/// administered) is one transaction of the lot's audited update and one audited row per appended item.
struct SQLCellProductRepository: CellProductRepository {
    let records: RecordStore<CellProductMapping>
    var products: ChildAwareRecords<CellProductMapping> { ChildAwareRecords(records: records) }

    func create(_ record: CellProduct, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<CellProduct> {
        try await products.create(record, context: context, idempotencyKey: idempotencyKey)
    }

    func get(_ id: Identifier<CellProduct>) async throws -> Versioned<CellProduct> { try await products.get(id: id.rawValue) }

    func get(lot: String) async throws -> Versioned<CellProduct> {
        guard let found = try await products.list(where: "lot", equals: lot).first else {
            throw RepositoryError.notFound(kind: CellProductMapping.kind, id: lot)
        }
        return found
    }

    func list(participant: Identifier<Participant>) async throws -> [Versioned<CellProduct>] {
        try await products.list(where: "participant_id", equals: participant.rawValue)
    }

    func list(participants: [Identifier<Participant>]) async throws -> [Versioned<CellProduct>] {
        try await products.list(where: "participant_id", in: participants.map(\.rawValue))
    }

    /// An edit of the lot's fields (needs a reason); custody may only grow, changed results are a new revision.
    func update(_ record: CellProduct, expectedVersion: Int, context: AuditContext) async throws -> Versioned<CellProduct> {
        try await products.update(record, expectedVersion: expectedVersion, context: context)
    }

    func delete(_ id: Identifier<CellProduct>, expectedVersion: Int, context: AuditContext) async throws {
        try await records.delete(id: id.rawValue, expectedVersion: expectedVersion, context: context)
    }

    func appendCustody(
        _ event: CustodyEvent, to id: Identifier<CellProduct>, expectedVersion: Int, context: AuditContext
    ) async throws -> Versioned<CellProduct> {
        try await products.modify(id.rawValue, expectedVersion: expectedVersion, context: context) { $0.custody.append(event) }
    }
}
