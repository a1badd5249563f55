import RestoraDomain
import SQLKit

/// One repository implementation for every per-participant clinical record; the conformances to the
/// domain's protocols (ObservationRepository, …) are declared per mapping below.
struct SQLClinicalRepository<M: TableMapping>: ClinicalRecordRepository
where M.Value: Identifiable, M.Value.ID == Identifier<M.Value> {
    typealias Record = M.Value
    let records: RecordStore<M>

    func create(_ record: Record, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<Record> {
        try await records.create(record, context: context, idempotencyKey: idempotencyKey)
    }

    func get(_ id: Identifier<Record>) async throws -> Versioned<Record> {
        try await records.get(id: id.rawValue)
    }

    func list(participant: Identifier<Participant>) async throws -> [Versioned<Record>] {
        try await records.list(where: "participant_id", equals: participant.rawValue)
    }

    func list(participants: [Identifier<Participant>]) async throws -> [Versioned<Record>] {
        try await records.list(where: "participant_id", in: participants.map(\.rawValue))
    }

    func update(_ record: Record, expectedVersion: Int, context: AuditContext) async throws -> Versioned<Record> {
        try await records.update(record, expectedVersion: expectedVersion, context: context)
    }

    func delete(_ id: Identifier<Record>, expectedVersion: Int, context: AuditContext) async throws {
        try await records.delete(id: id.rawValue, expectedVersion: expectedVersion, context: context)
    }

    /// Applies a domain operation to the stored value under the version check (custody, dispensing…).
    func modify(
        _ id: Identifier<Record>, expectedVersion: Int, context: AuditContext,
        _ operation: @escaping @Sendable (inout Record) throws -> Void
    ) async throws -> Versioned<Record> {
        let records = self.records
        let row = try await records.transaction { db in
            try await records.write(db, id: id.rawValue, expectedVersion: expectedVersion, context: context) { old in
                var value = try records.decode(old).value
                try operation(&value)
                return (try records.cells(of: value), M.derivedCells(of: value))
            }
        }
        return try records.decode(row)
    }
}

extension SQLClinicalRepository: ObservationRepository where M == ObservationMapping {
    func list(participant: Identifier<Participant>, code: Coding) async throws -> [Versioned<Observation>] {
        try await records.list(matching: [("participant_id", participant.rawValue), ("code_system", code.system.rawValue), ("code", code.code)])
    }

    func createAll(_ items: [(record: Observation, idempotencyKey: String?)], context: AuditContext) async throws -> [Versioned<Observation>] {
        try await records.createAll(items.map { ($0.record, $0.idempotencyKey) }, context: context)
    }
}
extension SQLClinicalRepository: ProcedureRepository where M == ProcedureMapping {}
extension SQLClinicalRepository: AdverseEventRepository where M == AdverseEventMapping {}
extension SQLClinicalRepository: ScreeningRepository where M == ScreeningMapping {
    func verdicts(enrolment: Identifier<Enrolment>) async throws -> [ScreeningVerdict] {
        let sql: SQLQueryString = """
            SELECT "protocol_id", "protocol_version", "screened_on", "verdict", "created_at" FROM "screenings"
            WHERE "deleted_at" IS NULL AND "enrolment_id" = \(bind: enrolment.rawValue) ORDER BY "created_at" ASC, "id" ASC
            """
        let rows = try await records.store.read { db in try await db.raw(sql).all() }
        return try rows.map { row in
            var named: [String: SQLCell] = [:]
            for column in ["protocol_id", "protocol_version", "screened_on", "verdict", "created_at"] {
                named[column] = try SQLCell.read(row, column: column, kind: .text)
            }
            let cells = StoredCells(cells: named, table: M.table)
            return ScreeningVerdict(
                protocolID: try cells.text("protocol_id"), protocolVersion: try cells.text("protocol_version"),
                screenedOn: try cells.date("screened_on"), verdict: try cells.enumValue("verdict"), storedAt: try cells.instant("created_at"))
        }
    }
}
extension SQLClinicalRepository: DataQueryRepository where M == DataQueryMapping {}

// Cell products and medication courses keep lists in child tables: SQLParentRecordRepository.

extension SQLClinicalRepository: SafetyAlertRepository where M == SafetyAlertMapping {
    func listOpen(sites: Set<Identifier<Site>>?) async throws -> [Versioned<SafetyAlertRecord>] {
        let records = self.records
        if let sites, sites.isEmpty { return [] }
        let rows = try await records.store.read { db in
            try await records.rows(db, orderBy: "raised_at") { query in
                var query = query.where("status", .equal, SafetyAlertRecord.Status.open.rawValue)
                if let sites {
                    query = query.where(SQLIdentifier("participant_id"), .in, SQLSubquery.select { sub in
                        sub.column("id").from("participants").where("site_id", .in, sites.map(\.rawValue))
                    })
                }
                return query
            }
        }
        return try rows.map(records.decode)
    }
}
