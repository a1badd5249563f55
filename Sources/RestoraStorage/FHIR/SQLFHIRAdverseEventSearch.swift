import Foundation
import RestoraDomain
import SQLKit

/// `FHIRAdverseEventSearch` in SQL (SQLite and PostgreSQL alike): one statement per page, every value bound,
/// site scoping on the row's own `site_id` (index `adverse_events_site_onset`, migration 0027), keyset paging
/// on (sort column, id). `onset` is a `YYYY-MM-DD` text and `updated_at` a fixed-layout UTC instant, so ranges
/// compare as text on both engines. `seriousness` is the JSON list of ICH E2A criteria (`[]` when not serious).
struct SQLFHIRAdverseEventSearch: FHIRAdverseEventSearch {
    let records: RecordStore<AdverseEventMapping>

    typealias Criteria = FHIRAdverseEventCriteria

    func adverseEvents(_ c: Criteria) async throws -> [Versioned<AdverseEvent>] {
        if let sites = c.siteIDs, sites.isEmpty { return [] }
        var conditions: [SQLQueryString] = []
        if let sites = c.siteIDs { conditions.append(Self.in("site_id", sites.map(\.rawValue).sorted())) }
        conditions += c.ids.map { Self.in("id", $0) }
        conditions += c.participants.map { Self.in("participant_id", $0) }
        conditions += c.onset.map { Self.any($0.map { Self.range("onset", $0) }) }
        conditions += c.lastUpdated.map { Self.any($0.map { Self.range("updated_at", $0) }) }
        conditions += c.seriousness.map { Self.any($0.map(Self.seriousness)) }
        conditions += c.grades.map { grades in
            grades.isEmpty ? "1 = 0" : "\"grade\" IN (\(binds: grades.map { $0 as any Encodable & Sendable }))"
        }
        let sortColumn: String? = switch c.sort {
        case .onset: "onset"
        case .lastUpdated: "updated_at"
        case .id: nil
        }
        let direction = c.descending ? "DESC" : "ASC"
        let beyond = c.descending ? "<" : ">"
        if let after = c.after {
            if let sortColumn {
                let value = after.sortValue ?? ""
                conditions.append("(\(ident: sortColumn) \(unsafeRaw: beyond) \(bind: value) OR (\(ident: sortColumn) = \(bind: value) AND \"id\" \(unsafeRaw: beyond) \(bind: after.id)))")
            } else {
                conditions.append("\"id\" \(unsafeRaw: beyond) \(bind: after.id)")
            }
        }
        var sql: SQLQueryString = """
            SELECT \(unsafeRaw: RecordStore<AdverseEventMapping>.selectList) FROM "adverse_events" WHERE "deleted_at" IS NULL
            """
        for condition in conditions { sql += " AND " + condition }
        if let sortColumn {
            sql += " ORDER BY \(ident: sortColumn) \(unsafeRaw: direction), \"id\" \(unsafeRaw: direction)" as SQLQueryString
        } else {
            sql += " ORDER BY \"id\" \(unsafeRaw: direction)" as SQLQueryString
        }
        sql += " LIMIT \(literal: max(1, min(c.limit, 5_001)))"
        let query = sql
        let rows = try await records.store.readStatement { db in try await db.raw(query).all().map(records.storedRow) }
        return try rows.map(records.decode)
    }

    /// `column IN (…)`; an empty list matches nothing.
    static func `in`(_ column: String, _ values: [String]) -> SQLQueryString {
        guard !values.isEmpty else { return "1 = 0" }
        return "\(ident: column) IN (\(binds: values.map { $0 as any Encodable & Sendable }))"
    }

    static func any(_ alternatives: [SQLQueryString]) -> SQLQueryString {
        guard !alternatives.isEmpty else { return "1 = 0" }
        return "(" + alternatives.joined(separator: " OR ") + ")"
    }

    static func range(_ column: String, _ r: Criteria.TextRange) -> SQLQueryString {
        var parts: [SQLQueryString] = []
        if let lower = r.lower { parts.append("\(ident: column) >= \(bind: lower)") }
        if let upper = r.upper { parts.append("\(ident: column) < \(bind: upper)") }
        let inside: SQLQueryString = parts.isEmpty ? "1 = 1" : "(" + parts.joined(separator: " AND ") + ")"
        return r.negated ? "NOT " + inside : inside
    }

    static let notSerious: SQLQueryString = "(\"seriousness\" IS NULL OR \"seriousness\" = '[]' OR \"seriousness\" = '')"

    static func seriousness(_ term: Criteria.Seriousness) -> SQLQueryString {
        switch term {
        case .serious: return "NOT " + notSerious
        case .nonSerious: return notSerious
        case let .criterion(criterion): return "\"seriousness\" LIKE \(bind: "%\"" + criterion.rawValue + "\"%")"
        }
    }
}
