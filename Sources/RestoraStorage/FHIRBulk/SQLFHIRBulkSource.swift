import Foundation
import RestoraDomain
import SQLKit

/// The chunked reads of a FHIR bulk export (docs/fhir.md "Bulk Data"): one statement per chunk, keyset-paged so
/// memory stays one chunk whatever the table's size. Participants and observations (the big tables) on SQLite are
/// keyed by rowid (the table's own b-tree order: a chunk is a sequential read); every other table, and every table
/// on PostgreSQL, is keyed by id (its primary-key index). On SQLite a table without child rows is decoded by
/// position as SQLite steps to its rows, on a file database's bulk-read handle (`SQLiteRowsByPosition`). A table
/// with child rows (enrolments, medication courses, cell products) is read through SQLKit with the chunk's
/// children in the same read transaction, one query per child table (parent and lists one consistent state).
/// Site scope, the Group's program and `_since` are conditions of the statement; participants left out (consent
/// to data use withdrawn) are dropped after the read.
struct SQLFHIRBulkSource: FHIRBulkSource {
    let store: any SQLStore
    let audit: AuditWriter

    func participants(_ scope: FHIRBulkScope, after: String?, limit: Int) async throws -> FHIRBulkChunk<Participant> {
        let chunk = try await readByRowID(ParticipantMapping.self, scope, owner: .participant("id"), after: after, limit: limit, positional: nil)
        return Self.excluding(chunk, scope) { $0.id }
    }

    func observations(_ scope: FHIRBulkScope, after: String?, limit: Int) async throws -> FHIRBulkChunk<Observation> {
        let chunk = try await readByRowID(ObservationMapping.self, scope, owner: .participant("participant_id"), after: after, limit: limit,
                                          positional: { try ObservationMapping.value(at: $0) })
        return Self.excluding(chunk, scope) { $0.participantID }
    }

    func enrolments(_ scope: FHIRBulkScope, after: String?, limit: Int) async throws -> FHIRBulkChunk<Enrolment> {
        Self.excluding(try await readParents(EnrolmentMapping.self, scope, owner: .participant("participant_id"), after: after, limit: limit), scope) {
            $0.participantID
        }
    }

    func visits(_ scope: FHIRBulkScope, after: String?, limit: Int) async throws -> FHIRBulkChunk<FHIRBulkVisit> {
        let chunk = try await readByID(VisitMapping.self, scope, owner: .enrolment("enrolment_id"), after: after, limit: limit)
        let enrolments = try await RecordStore<EnrolmentMapping>(store: store, audit: audit)
            .list(where: "id", in: chunk.rows.map(\.value.enrolmentID.rawValue), chunkSize: max(1, limit))
        let participants = Dictionary(enrolments.map { ($0.value.id, $0.value.participantID) }, uniquingKeysWith: { first, _ in first })
        let rows = chunk.rows.compactMap { row -> Versioned<FHIRBulkVisit>? in
            guard let participant = participants[row.value.enrolmentID], !scope.excludedParticipants.contains(participant) else { return nil }
            return Versioned(value: FHIRBulkVisit(visit: row.value, participantID: participant), version: row.version,
                             createdAt: row.createdAt, updatedAt: row.updatedAt)
        }
        return FHIRBulkChunk(rows: rows, next: chunk.next)
    }

    func procedures(_ scope: FHIRBulkScope, after: String?, limit: Int) async throws -> FHIRBulkChunk<Procedure> {
        Self.excluding(try await readByID(ProcedureMapping.self, scope, owner: .participant("participant_id"), after: after, limit: limit), scope) {
            $0.participantID
        }
    }

    func adverseEvents(_ scope: FHIRBulkScope, after: String?, limit: Int) async throws -> FHIRBulkChunk<AdverseEvent> {
        Self.excluding(try await readByID(AdverseEventMapping.self, scope, owner: .participant("participant_id"), after: after, limit: limit), scope) {
            $0.participantID
        }
    }

    func medicationCourses(_ scope: FHIRBulkScope, after: String?, limit: Int) async throws -> FHIRBulkChunk<MedicationCourse> {
        Self.excluding(try await readParents(MedicationCourseMapping.self, scope, owner: .participant("participant_id"), after: after, limit: limit),
                       scope) { $0.participantID }
    }

    func concomitantMedications(_ scope: FHIRBulkScope, after: String?, limit: Int) async throws -> FHIRBulkChunk<ConcomitantMedicationRecord> {
        Self.excluding(try await readByID(ConcomitantMedicationMapping.self, scope, owner: .participant("participant_id"), after: after, limit: limit),
                       scope) { $0.participantID }
    }

    func cellProducts(_ scope: FHIRBulkScope, after: String?, limit: Int) async throws -> FHIRBulkChunk<CellProduct> {
        Self.excluding(try await readParents(CellProductMapping.self, scope, owner: .participant("participant_id"), after: after, limit: limit), scope) {
            $0.participantID
        }
    }

    func consents(_ scope: FHIRBulkScope, after: String?, limit: Int) async throws -> FHIRBulkChunk<ConsentRecord> {
        Self.excluding(try await readByID(ConsentRecordMapping.self, scope, owner: .participant("participant_id"), after: after, limit: limit,
                                          alsoChanged: "\"enrolment_id\" IN (SELECT \"enrolment_id\" FROM \"consent_withdrawals\" WHERE \"deleted_at\" IS NULL AND \"updated_at\" > ?)"),
                       scope) { $0.participantID }
    }

    func consentRecords(enrolments: [Identifier<Enrolment>]) async throws -> [ConsentRecord] {
        try await RecordStore<ConsentRecordMapping>(store: store, audit: audit)
            .list(where: "enrolment_id", in: enrolments.map(\.rawValue), chunkSize: max(1, enrolments.count)).map(\.value)
    }

    func consentWithdrawals(enrolments: [Identifier<Enrolment>]) async throws -> [ConsentWithdrawal] {
        try await RecordStore<ConsentWithdrawalMapping>(store: store, audit: audit)
            .list(where: "enrolment_id", in: enrolments.map(\.rawValue), chunkSize: max(1, enrolments.count)).map(\.value)
    }

    func unblindings(enrolments: [Identifier<Enrolment>]) async throws -> [EmergencyUnblinding] {
        try await RecordStore<EmergencyUnblindingMapping>(store: store, audit: audit)
            .list(where: "enrolment_id", in: enrolments.map(\.rawValue), chunkSize: max(1, enrolments.count)).map(\.value)
    }

    // MARK: the statements

    /// How a table's rows belong to a participant (for the Group's membership): a column naming the participant,
    /// or (visits) one naming the enrolment.
    enum Owner {
        case participant(String)
        case enrolment(String)
    }

    /// A piece of a statement: SQL text, or a value bound in its place.
    enum Piece {
        case sql(String)
        case bind(String)
    }

    static func excluding<Value>(_ chunk: FHIRBulkChunk<Value>, _ scope: FHIRBulkScope,
                                 _ participant: (Value) -> Identifier<Participant>) -> FHIRBulkChunk<Value> {
        guard !scope.excludedParticipants.isEmpty else { return chunk }
        return FHIRBulkChunk(rows: chunk.rows.filter { !scope.excludedParticipants.contains(participant($0.value)) }, next: chunk.next)
    }

    /// The conditions beyond the key: site scope, the Group's membership, `_since` (or, with `alsoChanged`, a
    /// condition with one `?` for the same instant that also counts as a change after it), the upper bound.
    static func conditions(_ scope: FHIRBulkScope, owner: Owner, alsoChanged: String? = nil) -> [Piece] {
        var pieces: [Piece] = []
        if let sites = scope.sites {
            let list = sites.map(\.rawValue).sorted()
            if list.isEmpty { return [.sql(" AND 1 = 0")] }
            pieces.append(.sql(" AND \"site_id\" IN ("))
            for (index, site) in list.enumerated() {
                if index > 0 { pieces.append(.sql(", ")) }
                pieces.append(.bind(site))
            }
            pieces.append(.sql(")"))
        }
        if let program = scope.program {
            let members = "SELECT \"participant_id\" FROM \"enrolments\" WHERE \"deleted_at\" IS NULL AND \"program_id\" = "
            switch owner {
            case .participant(let column):
                pieces += [.sql(" AND \"\(column)\" IN (\(members)"), .bind(program.rawValue), .sql(")")]
            case .enrolment(let column):
                pieces += [.sql(" AND \"\(column)\" IN (SELECT \"id\" FROM \"enrolments\" WHERE \"participant_id\" IN (\(members)"),
                           .bind(program.rawValue), .sql("))")]
            }
        }
        if let since = scope.since {
            let text = StoredJSON.format(since)
            if let alsoChanged {
                let parts = alsoChanged.split(separator: "?", omittingEmptySubsequences: false).map(String.init)
                pieces += [.sql(" AND (\"updated_at\" > "), .bind(text), .sql(" OR " + parts[0]), .bind(text), .sql(parts.dropFirst().joined() + ")")]
            } else {
                pieces += [.sql(" AND \"updated_at\" > "), .bind(text)]
            }
        }
        if let until = scope.until {
            pieces += [.sql(" AND \"updated_at\" <= "), .bind(StoredJSON.format(until))]
        }
        return pieces
    }

    /// The pieces as SQLite's SQL text, a `?` for each bound value, and the values in order.
    static func sqliteStatement(_ pieces: [Piece]) -> (sql: String, binds: [String]) {
        var sql = ""
        var binds: [String] = []
        for piece in pieces {
            switch piece {
            case .sql(let text): sql += text
            case .bind(let value): sql += "?"; binds.append(value)
            }
        }
        return (sql, binds)
    }

    /// The pieces as SQLKit's query string (placeholders as the database's dialect writes them).
    static func queryString(_ pieces: [Piece]) -> SQLQueryString {
        var query = SQLQueryString("")
        for piece in pieces {
            switch piece {
            case .sql(let text): query.appendLiteral(text)
            case .bind(let value): query.appendInterpolation(bind: value)
            }
        }
        return query
    }

    /// The statement of one chunk of rows of `M` in id order, after `after` (an id).
    private static func chunkStatement<M: TableMapping>(_ mapping: M.Type, _ scope: FHIRBulkScope, owner: Owner, after: String?, limit: Int,
                                                        alsoChanged: String? = nil) -> [Piece] {
        var pieces: [Piece] = [.sql("SELECT \(RecordStore<M>.selectList) FROM \(PrebuiltSQL.quoted(M.table)) WHERE \"deleted_at\" IS NULL")]
        if let after { pieces += [.sql(" AND \"id\" > "), .bind(after)] }
        pieces += conditions(scope, owner: owner, alsoChanged: alsoChanged)
        pieces.append(.sql(" ORDER BY \"id\" LIMIT \(max(1, limit))"))
        return pieces
    }

    /// One chunk of rows of `M` in id order, after `after` (an id), as stored rows.
    private func rows<M: TableMapping>(_ db: any SQLDatabase, _ mapping: M.Type, _ scope: FHIRBulkScope, owner: Owner, after: String?,
                                       limit: Int, alsoChanged: String? = nil) async throws -> [StoredRow] {
        let statement = Self.chunkStatement(mapping, scope, owner: owner, after: after, limit: limit, alsoChanged: alsoChanged)
        let records = RecordStore<M>(store: store, audit: audit)
        return try await db.raw(Self.queryString(statement)).all().map(records.storedRow)
    }

    /// A chunk of a table without child rows, keyed by id; on SQLite read by position as SQLite steps (no SQLKit
    /// row, whose every cell went through a Codable decoder by name: most of an adverse event's export cost).
    private func readByID<M: TableMapping>(_ mapping: M.Type, _ scope: FHIRBulkScope, owner: Owner, after: String?, limit: Int,
                                           alsoChanged: String? = nil) async throws -> FHIRBulkChunk<M.Value> {
        let found: [StoredRow]
        if let sqlite = store as? SQLiteStore {
            let (sql, binds) = Self.sqliteStatement(Self.chunkStatement(mapping, scope, owner: owner, after: after, limit: limit,
                                                                        alsoChanged: alsoChanged))
            let idPosition = PositionalCells.position(of: "id", in: M.columns)
            found = try await SQLiteRowsByPosition.read(sqlite, sql: sql, binds: binds, columns: RecordStore<M>.positionalColumns,
                                                        table: M.table) { cells in
                try RecordStore<M>.storedRow(cells, idPosition: idPosition)
            }
        } else {
            found = try await store.read { db in
                try await rows(db, mapping, scope, owner: owner, after: after, limit: limit, alsoChanged: alsoChanged)
            }
        }
        let records = RecordStore<M>(store: store, audit: audit)
        return FHIRBulkChunk(rows: try found.map(records.decode), next: found.count == max(1, limit) ? found.last?.id : nil)
    }

    /// A chunk of a table with child rows, keyed by id, its children read on the same connection.
    private func readParents<M: ParentMapping>(_ mapping: M.Type, _ scope: FHIRBulkScope, owner: Owner, after: String?,
                                               limit: Int) async throws -> FHIRBulkChunk<M.Value> {
        let records = RecordStore<M>(store: store, audit: audit)
        let (found, values) = try await store.read { db in
            let found = try await rows(db, mapping, scope, owner: owner, after: after, limit: limit)
            return (found, try await ChildAwareRecords<M>(records: records).complete(db, found))
        }
        return FHIRBulkChunk(rows: values, next: found.count == max(1, limit) ? found.last?.id : nil)
    }

    /// A chunk of a big table: on SQLite by rowid, decoded by position (or by name) as SQLite steps; on PostgreSQL by id.
    private func readByRowID<M: TableMapping>(
        _ mapping: M.Type, _ scope: FHIRBulkScope, owner: Owner, after: String?, limit: Int,
        positional: (@Sendable (PositionalCells) throws -> M.Value)?
    ) async throws -> FHIRBulkChunk<M.Value> {
        let limit = max(1, limit)
        guard let sqlite = store as? SQLiteStore else { return try await readByID(mapping, scope, owner: owner, after: after, limit: limit) }
        let after = after.flatMap(Int.init) ?? 0
        let columns = RecordStore<M>.positionalColumns + [Column("rowid", .integer)]
        let (statement, bound) = Self.sqliteStatement(
            [.sql("SELECT \(RecordStore<M>.selectList), \"rowid\" FROM \(PrebuiltSQL.quoted(M.table)) WHERE \"rowid\" > \(after) AND \"deleted_at\" IS NULL")]
                + Self.conditions(scope, owner: owner) + [.sql(" ORDER BY \"rowid\" LIMIT \(limit)")])
        let count = M.columns.count
        let table = M.table
        let rows = try await SQLiteRowsByPosition.read(sqlite, sql: statement, binds: bound, columns: columns, table: table) { cells in
            let value: M.Value
            if let positional {
                value = try positional(cells)
            } else {
                value = try M.value(from: try RecordStore<M>.namedCells(cells))
            }
            guard let created = StoredJSON.parse(try cells.text(count + 1)), let updated = StoredJSON.parse(try cells.text(count + 2)) else {
                throw StorageError.corruptRecord(table: table, column: "updated_at")
            }
            return (Versioned(value: value, version: try cells.integer(count), createdAt: created, updatedAt: updated),
                    try cells.integer(count + 3))
        }
        return FHIRBulkChunk(rows: rows.map(\.0), next: rows.count == limit ? rows.last.map { String($0.1) } : nil)
    }
}
