import Foundation
import RestoraDomain
import SQLKit

/// Allocations, the concealed per-sequence state and emergency unblindings (migration 0042,
/// docs/randomisation.md "In the system"). Allocations and unblindings are appended through `RecordStore` (audited in
/// the enrolment's site chain) and never updated; the sequence state is plain SQL, locked by the allocating
/// transaction and never audited or returned by any route (concealment, REFERENCE.md I).
struct SQLRandomisationRepository: RandomisationRepository {
    let allocations: RecordStore<RandomisationAllocationMapping>
    let unblindingRecords: RecordStore<EmergencyUnblindingMapping>
    let enrolmentRecords: RecordStore<EnrolmentMapping>

    init(store: any SQLStore, audit: AuditWriter) {
        allocations = RecordStore(store: store, audit: audit)
        unblindingRecords = RecordStore(store: store, audit: audit)
        enrolmentRecords = RecordStore(store: store, audit: audit)
    }

    /// The open transaction's connection; refused outside one (a lock outside a transaction locks nothing).
    private func transactionDB() throws -> (any SQLDatabase, SQLEngine) {
        guard let bound = allocations.store as? TransactionBoundStore else {
            // A programming error, not a user's: a lock outside a transaction would lock nothing.
            throw DomainError.invalidValue(field: "transaction", message: "a randomisation sequence is locked only inside a transaction")
        }
        return (bound.db, bound.engine)
    }

    func lockStratum(program: Identifier<Program>, key: String) async throws -> RandomisationStratum {
        let (db, engine) = try transactionDB()
        let stamp = StoredJSON.format(allocations.audit.clock.now())
        // Created on first use; a concurrent first use waits for the other's commit (PostgreSQL) and inserts nothing.
        try await db.raw("""
            INSERT INTO randomisation_strata (program_id, stratum, allocation_count, updated_at)
            VALUES (\(bind: program.rawValue), \(bind: key), 0, \(bind: stamp))
            ON CONFLICT (program_id, stratum) DO NOTHING
            """).run()
        // PostgreSQL: the row stays locked until this transaction ends, so concurrent allocations in one stratum
        // queue here and each reads the state the previous one committed. SQLite: one writer, nothing to lock.
        let lock = engine == .postgres ? " FOR UPDATE" : ""
        guard let row = try await db.raw("""
            SELECT allocation_count, block_number, block_size, block_remaining FROM randomisation_strata
            WHERE program_id = \(bind: program.rawValue) AND stratum = \(bind: key)\(unsafeRaw: lock)
            """).first()
        else { throw RepositoryError.notFound(kind: "randomisation stratum", id: key) }
        let count = try row.decode(column: "allocation_count", as: Int.self)
        let number = try row.decode(column: "block_number", as: Int?.self)
        let size = try row.decode(column: "block_size", as: Int?.self)
        let remaining = try row.decode(column: "block_remaining", as: String?.self)
        var block: BlockState?
        if let number, let size, let remaining {
            guard let arms = try? JSONDecoder().decode([String].self, from: Data(remaining.utf8)) else {
                throw StorageError.corruptRecord(table: "randomisation_strata", column: "block_remaining")
            }
            block = BlockState(blockNumber: number, remaining: arms, blockSize: size)
        }
        return RandomisationStratum(programID: program, key: key, allocations: count, block: block)
    }

    func saveStratum(_ stratum: RandomisationStratum) async throws {
        let (db, _) = try transactionDB()
        let stamp = StoredJSON.format(allocations.audit.clock.now())
        let remaining = try stratum.block.map { String(decoding: try JSONEncoder().encode($0.remaining), as: UTF8.self) }
        try await db.raw("""
            UPDATE randomisation_strata SET allocation_count = \(bind: stratum.allocations),
                block_number = \(bind: stratum.block?.blockNumber), block_size = \(bind: stratum.block?.blockSize),
                block_remaining = \(bind: remaining), updated_at = \(bind: stamp)
            WHERE program_id = \(bind: stratum.programID.rawValue) AND stratum = \(bind: stratum.key)
            """).run()
    }

    func create(_ allocation: RandomisationAllocation, context: AuditContext) async throws -> Versioned<RandomisationAllocation> {
        try await allocations.create(allocation, context: context, idempotencyKey: nil)
    }

    func assignArm(
        _ enrolment: Identifier<Enrolment>, armID: String, expectedVersion: Int, context: AuditContext
    ) async throws -> Versioned<Enrolment> {
        try await ChildAwareRecords(records: enrolmentRecords).modify(enrolment.rawValue, expectedVersion: expectedVersion, context: context) {
            $0.armID = armID
        }
    }

    func allocation(enrolment: Identifier<Enrolment>) async throws -> Versioned<RandomisationAllocation>? {
        try await allocations.list(where: "enrolment_id", equals: enrolment.rawValue).first
    }

    func allocations(enrolments: [Identifier<Enrolment>]) async throws -> [Versioned<RandomisationAllocation>] {
        try await allocations.list(where: "enrolment_id", in: enrolments.map(\.rawValue))
    }

    func list(program: Identifier<Program>, sites: [Identifier<Site>]?) async throws -> [Versioned<RandomisationAllocation>] {
        if let sites, sites.isEmpty { return [] }
        let records = allocations
        let rows = try await records.store.read { db in
            try await records.rows(db, orderBy: "stratum") { query in
                let scoped = query.where(SQLIdentifier("program_id"), .equal, SQLBind(program.rawValue))
                guard let sites else { return scoped }
                return scoped.where(SQLIdentifier("site_id"), .in, sites.map(\.rawValue))
            }
        }
        return try rows.map(records.decode).sorted { ($0.value.stratum, $0.value.sequenceNumber) < ($1.value.stratum, $1.value.sequenceNumber) }
    }

    func kitCodeExists(program: Identifier<Program>, code: String) async throws -> Bool {
        try await allocations.store.read { db in
            try await db.select().column("id").from(RandomisationAllocationMapping.table)
                .where(SQLIdentifier("program_id"), .equal, SQLBind(program.rawValue))
                .where(SQLIdentifier("kit_code"), .equal, SQLBind(code)).first() != nil
        }
    }

    func recordUnblinding(_ event: EmergencyUnblinding, context: AuditContext) async throws -> Versioned<EmergencyUnblinding> {
        try await unblindingRecords.create(event, context: context, idempotencyKey: nil)
    }

    func unblindings(enrolment: Identifier<Enrolment>) async throws -> [Versioned<EmergencyUnblinding>] {
        try await unblindingRecords.list(where: "enrolment_id", equals: enrolment.rawValue)
    }
}
