import Foundation
import RestoraDomain
import SQLKit

/// Visits for FHIR Encounter read and search, with their enrolment's participant (a correlated subquery on
/// the enrolment's primary key), site-scoped on the visit's own `site_id`, keyset-paged on (sort column, id).
struct SQLFHIREncounterSearch: FHIREncounterSearch {
    let records: RecordStore<VisitMapping>

    static let participant: SQLQueryString =
        "(SELECT \"e\".\"participant_id\" FROM \"enrolments\" \"e\" WHERE \"e\".\"id\" = \"visits\".\"enrolment_id\")"

    static func column(_ column: FHIREncounterColumn) -> SQLQueryString {
        switch column {
        case .id: "\"visits\".\"id\""
        case .participantID: participant
        case .enrolmentID: "\"visits\".\"enrolment_id\""
        case .actualDate: "\"visits\".\"actual_date\""
        case .status: "\"visits\".\"status\""
        case .lastUpdated: "\"visits\".\"updated_at\""
        }
    }

    func search(_ request: FHIRTableSearch<FHIREncounterColumn, FHIREncounterSort>) async throws -> [FHIREncounterRow] {
        guard let sites = FHIRTableSQL.sites(request.siteIDs, column: "\"visits\".\"site_id\""), request.limit > 0 else { return [] }
        // Visits without an actual date sort as the empty text (first ascending, last descending).
        let key: SQLQueryString = switch request.sort {
        case .id: "\"visits\".\"id\""
        case .date: "COALESCE(\"visits\".\"actual_date\", '')"
        case .lastUpdated: "\"visits\".\"updated_at\""
        }
        let direction = request.descending ? " DESC" : ""
        let condition = FHIRTableSQL.condition(request.condition, Self.column)
        let keyset = request.sort == .id
            ? (request.after.map { "(\"visits\".\"id\" \(unsafeRaw: request.descending ? "<" : ">") \(bind: $0.id))" } ?? "1 = 1")
            : FHIRTableSQL.keyset(request.after, key: key, id: "\"visits\".\"id\"", descending: request.descending)
        var sql: SQLQueryString = "SELECT \(unsafeRaw: RecordStore<VisitMapping>.selectList), "
        sql += Self.participant + " AS \"fhir_participant_id\", " + key + " AS \"fhir_sort_key\" FROM \"visits\" WHERE \"visits\".\"deleted_at\" IS NULL AND "
        sql += sites + " AND " + condition + " AND " + keyset
        sql += " ORDER BY " + key + "\(unsafeRaw: direction), \"visits\".\"id\"\(unsafeRaw: direction) LIMIT \(literal: request.limit)"
        let records = self.records
        let statement = sql
        let rows = try await records.store.read { db in
            try await db.raw(statement).all().map { row in
                (try records.storedRow(row), try row.decode(column: "fhir_participant_id", as: String.self),
                 try row.decode(column: "fhir_sort_key", as: String.self))
            }
        }
        return try rows.map { FHIREncounterRow(visit: try records.decode($0.0), participantID: Identifier($0.1), sortKey: $0.2) }
    }

    func count(_ condition: FHIRTableCondition<FHIREncounterColumn>, siteIDs: [Identifier<Site>]?) async throws -> Int {
        guard let sites = FHIRTableSQL.sites(siteIDs, column: "\"visits\".\"site_id\"") else { return 0 }
        var sql: SQLQueryString = "SELECT COUNT(*) AS \"n\" FROM \"visits\" WHERE \"visits\".\"deleted_at\" IS NULL AND "
        sql += sites + " AND " + FHIRTableSQL.condition(condition, Self.column)
        let statement = sql
        return try await records.store.read { db in
            try await db.raw(statement).first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }
}
