import RestoraDomain
import SQLKit

/// A chunk of a program's observations in one statement per 500 participants: the participants' rows
/// recorded against the chunk's enrolments or against none, narrowed in SQL to the selected codes and
/// specimen types, decoded by the table's own mapping. Ordered by participant, then created, then id: the
/// order of index `observations_participant_created` (migration 0050), so no statement sorts its rows. On SQLite the
/// statement's rows are decoded by position as SQLite steps to them (`SQLiteRowsByPosition`; the exports and
/// the report read every observation of a program this way), on PostgreSQL through SQLKit's rows.
struct SQLProgramRecordSource: ProgramRecordSource {
    let records: RecordStore<ObservationMapping>

    /// Bound parameters per statement stay far below both engines' limits (see `RecordStore.list(where:in:)`).
    static let chunkSize = 500

    func observations(participants: [Identifier<Participant>], enrolments: [Identifier<Enrolment>],
                      selection: ObservationSelection) async throws -> [Observation] {
        if let codes = selection.codes, codes.isEmpty, selection.specimenTypes.isEmpty { return [] }
        let people = Array(Set(participants.map(\.rawValue))).sorted()
        let ids = Array(Set(enrolments.map(\.rawValue))).sorted()
        let records = self.records
        var found: [Observation] = []
        for start in stride(from: 0, to: people.count, by: Self.chunkSize) {
            let chunk = Array(people[start..<min(start + Self.chunkSize, people.count)])
            if let sqlite = records.store as? SQLiteStore {
                let (sql, binds) = Self.sqliteStatement(chunk, ids, selection)
                let decode: @Sendable (PositionalCells) throws -> Observation? = { cells in
                    let observation = try ObservationMapping.value(at: cells)
                    return selection.matches(observation) ? observation : nil
                }
                let columns = ObservationMapping.columns, table = ObservationMapping.table
                // A file database's bulk-read handle (`SQLiteRawReader`); an in-memory one's only connection.
                let read = try await SQLiteRowsByPosition.read(sqlite, sql: sql, binds: binds, columns: columns, table: table, decode: decode)
                // The first (usually only) statement's array is kept as it is: `+=` would copy every observation,
                // retaining each of its strings once more.
                if found.isEmpty { found = read } else { found += read }
                continue
            }
            let rows = try await records.store.read { db in
                try await records.rows(db) { query in
                    // `rows` appends created, then id, to this first key.
                    Self.select(selection, Self.belonging(query, chunk, ids)).orderBy("participant_id")
                }
            }
            // Only the value: the bookkeeping timestamps are not read.
            found += try rows.map { try ObservationMapping.value(from: $0.cells) }.filter(selection.matches)
        }
        return found
    }

    /// One light statement on the enrolments table (no transitions): the program's enrolments in the order
    /// `EnrolmentRepository.list(program:)` gives them.
    func enrolmentKeys(program: Identifier<Program>) async throws -> [EnrolmentKey]? {
        let id = program.rawValue
        return try await records.store.readStatement { db in
            try await db.raw("""
                SELECT "id", "participant_id", "site_id" FROM "enrolments" WHERE "deleted_at" IS NULL AND "program_id" = \(bind: id)
                ORDER BY "created_at" ASC, "id" ASC
                """).all().map { row in
                EnrolmentKey(id: Identifier(try row.decode(column: "id", as: String.self)),
                             participantID: Identifier(try row.decode(column: "participant_id", as: String.self)),
                             siteID: Identifier(try row.decode(column: "site_id", as: String.self)))
            }
        }
    }

    /// The statement `belonging` and `select` build, written out for SQLite with the mapping's columns only
    /// (no bookkeeping), in the same order (participant, created, id).
    static func sqliteStatement(
        _ people: [String], _ enrolments: [String], _ selection: ObservationSelection
    ) -> (sql: String, binds: [String]) {
        func list(_ values: [String]) -> String { PrebuiltSQL.placeholders(values.count) }
        var sql = "SELECT \(PrebuiltSQL.list(ObservationMapping.columns.map(\.name))) FROM \(PrebuiltSQL.quoted(ObservationMapping.table))"
            + " WHERE \"deleted_at\" IS NULL AND \"participant_id\" IN \(list(people))"
        var binds = people
        if enrolments.isEmpty {
            sql += " AND \"enrolment_id\" IS NULL"
        } else {
            sql += " AND (\"enrolment_id\" IS NULL OR \"enrolment_id\" IN \(list(enrolments)))"
            binds += enrolments
        }
        if let codes = selection.codes {
            let types = selection.specimenTypes.sorted()
            if codes.isEmpty {
                sql += " AND \"specimen_type\" IN \(list(types))"
                binds += types
            } else if types.isEmpty {
                sql += " AND \"code\" IN \(list(codes.sorted()))"
                binds += codes.sorted()
            } else {
                sql += " AND (\"code\" IN \(list(codes.sorted())) OR \"specimen_type\" IN \(list(types)))"
                binds += codes.sorted() + types
            }
        }
        return (sql + " ORDER BY \"participant_id\" ASC, \"created_at\" ASC, \"id\" ASC", binds)
    }

    /// Rows of `people` recorded against one of `enrolments` or against none.
    private static func belonging(_ query: SQLSelectBuilder, _ people: [String], _ enrolments: [String]) -> SQLSelectBuilder {
        query.where("participant_id", .in, people).where(group: { group in
            let none = group.where(SQLIdentifier("enrolment_id"), .is, SQLLiteral.null)
            return enrolments.isEmpty ? none : none.orWhere("enrolment_id", .in, enrolments)
        })
    }

    /// The selected codes or specimen types (typed columns of migration 0022): the one place the program
    /// reads name observation columns beyond the ids.
    private static func select(_ selection: ObservationSelection, _ query: SQLSelectBuilder) -> SQLSelectBuilder {
        guard let codes = selection.codes else { return query }
        let types = selection.specimenTypes.sorted()
        return query.where(group: { group in
            if codes.isEmpty { return group.where("specimen_type", .in, types) }
            let byCode = group.where("code", .in, codes.sorted())
            return types.isEmpty ? byCode : byCode.orWhere("specimen_type", .in, types)
        })
    }
}
