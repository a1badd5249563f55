import Foundation
import RestoraDomain
import SQLKit

/// The FHIR searches' SQL: a `FHIRTableCondition` tree as one WHERE clause (values bound), the site scope
/// and the keyset (sort key, id) the next page starts after. The same statement on SQLite and PostgreSQL.
enum FHIRTableSQL {
    static func condition<C>(_ condition: FHIRTableCondition<C>, _ column: (C) -> SQLQueryString) -> SQLQueryString {
        switch condition {
        case let .all(parts):
            guard !parts.isEmpty else { return "1 = 1" }
            return "(" + parts.map { self.condition($0, column) }.joined(separator: " AND ") + ")"
        case let .any(parts):
            guard !parts.isEmpty else { return "1 = 0" }
            return "(" + parts.map { self.condition($0, column) }.joined(separator: " OR ") + ")"
        case let .not(part):
            return "NOT " + self.condition(part, column)
        case let .text(name, comparison, value):
            return "(\(column(name)) \(unsafeRaw: sql(comparison)) \(bind: value))"
        case let .number(name, comparison, value):
            return "(\(column(name)) \(unsafeRaw: sql(comparison)) \(bind: value))"
        case let .instant(name, comparison, value):
            return "(\(column(name)) \(unsafeRaw: sql(comparison)) \(bind: StoredJSON.format(value)))"
        case let .isNull(name):
            return "(\(column(name)) IS NULL)"
        }
    }

    static func sql(_ comparison: FHIRTableComparison) -> String {
        switch comparison {
        case .equal: "="
        case .notEqual: "<>"
        case .less: "<"
        case .lessOrEqual: "<="
        case .greater: ">"
        case .greaterOrEqual: ">="
        }
    }

    /// `site_id IN (…)`, or nothing for every site; nil when the user sees no site (nothing can match).
    static func sites(_ siteIDs: [Identifier<Site>]?, column: SQLQueryString = "\"site_id\"") -> SQLQueryString? {
        guard let siteIDs else { return "1 = 1" }
        guard !siteIDs.isEmpty else { return nil }
        return "\(column) IN (\(binds: siteIDs.map(\.rawValue).sorted()))"
    }

    /// Rows after `position` in the order (key, id), ascending or descending.
    static func keyset(_ position: FHIRTableKeyset?, key: SQLQueryString, id: SQLQueryString, descending: Bool) -> SQLQueryString {
        guard let position else { return "1 = 1" }
        let op: SQLQueryString = descending ? "<" : ">"
        return "(\(key) " + op + " \(bind: position.key) OR (\(key) = \(bind: position.key) AND \(id) " + op + " \(bind: position.id)))"
    }
}

/// Observations for FHIR search: the typed columns of migration 0022, site-scoped, keyset-paged on
/// (sort column, id).
struct SQLFHIRObservationSearch: FHIRObservationSearch {
    let records: RecordStore<ObservationMapping>

    static func column(_ column: FHIRObservationColumn) -> SQLQueryString {
        switch column {
        case .id: "\"id\""
        case .participantID: "\"participant_id\""
        case .codeSystem: "\"code_system\""
        case .code: "\"code\""
        case .effective: "\"effective\""
        case .lastUpdated: "\"updated_at\""
        case .valueKind: "\"value_kind\""
        case .valueNumber: "\"value_number\""
        case .valueUnit: "\"value_unit\""
        }
    }

    func search(_ request: FHIRTableSearch<FHIRObservationColumn, FHIRObservationSort>) async throws -> [FHIRTableRow<Observation>] {
        guard let sites = FHIRTableSQL.sites(request.siteIDs), request.limit > 0 else { return [] }
        let key: SQLQueryString = switch request.sort {
        case .id: "\"id\""
        case .effective: "\"effective\""
        case .lastUpdated: "\"updated_at\""
        }
        let direction = request.descending ? " DESC" : ""
        let condition = FHIRTableSQL.condition(request.condition, Self.column)
        let keyset = request.sort == .id
            ? (request.after.map { "(\"id\" \(unsafeRaw: request.descending ? "<" : ">") \(bind: $0.id))" } ?? "1 = 1")
            : FHIRTableSQL.keyset(request.after, key: key, id: "\"id\"", descending: request.descending)
        var sql: SQLQueryString = "SELECT \(unsafeRaw: RecordStore<ObservationMapping>.selectList), "
        sql += key + " AS \"fhir_sort_key\" FROM \"observations\" WHERE \"deleted_at\" IS NULL AND "
        sql += sites + " AND " + condition + " AND " + keyset
        sql += " ORDER BY " + key + "\(unsafeRaw: direction), \"id\"\(unsafeRaw: direction) LIMIT \(literal: request.limit)"
        let records = self.records
        let statement = sql
        let rows = try await records.store.read { db in
            try await db.raw(statement).all().map { row in
                (try records.storedRow(row), try row.decode(column: "fhir_sort_key", as: String.self))
            }
        }
        return try rows.map { FHIRTableRow(record: try records.decode($0.0), sortKey: $0.1) }
    }

    func count(_ condition: FHIRTableCondition<FHIRObservationColumn>, siteIDs: [Identifier<Site>]?) async throws -> Int {
        guard let sites = FHIRTableSQL.sites(siteIDs) else { return 0 }
        var sql: SQLQueryString = "SELECT COUNT(*) AS \"n\" FROM \"observations\" WHERE \"deleted_at\" IS NULL AND "
        sql += sites + " AND " + FHIRTableSQL.condition(condition, Self.column)
        let statement = sql
        return try await records.store.read { db in
            try await db.raw(statement).first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }
}
