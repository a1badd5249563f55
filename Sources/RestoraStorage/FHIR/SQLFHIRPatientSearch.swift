import Foundation
import RestoraDomain
import SQLKit

/// `FHIRPatientSearch` in SQL (SQLite and PostgreSQL alike): one statement per page, every criterion a bound
/// value, site scoping in the WHERE clause, keyset paging on (sort column, id) so a next page stays valid while
/// others write. Stored days and instants are text in one fixed layout, so ranges compare as text on both engines.
struct SQLFHIRPatientSearch: FHIRPatientSearch {
    let store: any SQLStore
    let audit: AuditWriter

    typealias Criteria = FHIRPatientSearchCriteria

    func patients(_ c: Criteria.Patients) async throws -> [Versioned<Participant>] {
        if let sites = c.siteIDs, sites.isEmpty { return [] }
        let conditions = Self.conditions(c)
        let sortColumn: String? = switch c.sort {
        case .id: nil
        case .lastUpdated: "updated_at"
        case .birthDate: "birth_date"
        }
        let records = RecordStore<ParticipantMapping>(store: store, audit: audit)
        let sql = Self.select(
            RecordStore<ParticipantMapping>.selectList, from: ParticipantMapping.table, conditions, sortColumn: sortColumn,
            descending: c.descending, after: c.after, limit: c.limit)
        let rows = try await store.readStatement { db in try await db.raw(sql).all().map(records.storedRow) }
        return try rows.map(records.decode)
    }

    func countPatients(_ c: Criteria.Patients) async throws -> Int {
        if let sites = c.siteIDs, sites.isEmpty { return 0 }
        var sql: SQLQueryString = "SELECT COUNT(*) AS \"n\" FROM \(ident: ParticipantMapping.table) WHERE \"deleted_at\" IS NULL"
        for condition in Self.conditions(c) { sql += " AND " + condition }
        let statement = sql
        return try await store.readStatement { db in try await db.raw(statement).first()?.decode(column: "n", as: Int.self) ?? 0 }
    }

    /// The WHERE conditions of a Patient search (site scope and criteria), shared by the page and the count.
    static func conditions(_ c: Criteria.Patients) -> [SQLQueryString] {
        var conditions: [SQLQueryString] = []
        if let sites = c.siteIDs { conditions.append(Self.in("site_id", sites.map(\.rawValue).sorted())) }
        conditions += c.ids.map { Self.in("id", $0) }
        conditions += c.identifiers.map { Self.any($0.map(Self.identifier)) }
        conditions += c.names.map { Self.any($0.map(Self.name)) }
        conditions += c.birthDates.map { Self.any($0.map { Self.range("birth_date", $0) }) }
        conditions += c.genders.map { Self.in("sex", $0.map(\.rawValue)) }
        conditions += c.lastUpdated.map { Self.any($0.map { Self.range("updated_at", $0) }) }
        return conditions
    }

    func researchSubjects(_ c: Criteria.Subjects) async throws -> [Versioned<Enrolment>] {
        if let sites = c.siteIDs, sites.isEmpty { return [] }
        var conditions: [SQLQueryString] = []
        if let sites = c.siteIDs { conditions.append(Self.in("site_id", sites.map(\.rawValue).sorted())) }
        conditions += c.ids.map { Self.in("id", $0) }
        conditions += c.programs.map { Self.in("program_id", $0) }
        conditions += c.participants.map { Self.in("participant_id", $0) }
        conditions += c.statuses.map { Self.in("status", $0.map(\.rawValue)) }
        conditions += c.lastUpdated.map { Self.any($0.map { Self.range("updated_at", $0) }) }
        let records = RecordStore<EnrolmentMapping>(store: store, audit: audit)
        let sql = Self.select(
            RecordStore<EnrolmentMapping>.selectList, from: EnrolmentMapping.table, conditions,
            sortColumn: c.sort == .lastUpdated ? "updated_at" : nil, descending: c.descending, after: c.after, limit: c.limit)
        return try await store.read { db in
            let rows = try await db.raw(sql).all().map(records.storedRow)
            return try await ChildAwareRecords(records: records).complete(db, rows)
        }
    }

    func consents(_ c: Criteria.Consents) async throws -> [Versioned<ConsentRecord>] {
        if let sites = c.siteIDs, sites.isEmpty { return [] }
        var conditions: [SQLQueryString] = []
        if let sites = c.siteIDs { conditions.append(Self.in("site_id", sites.map(\.rawValue).sorted())) }
        conditions += c.ids.map { Self.in("id", $0) }
        conditions += c.participants.map { Self.in("participant_id", $0) }
        conditions += c.enrolments.map { Self.in("enrolment_id", $0) }
        conditions += c.lastUpdated.map { Self.any($0.map { Self.range("updated_at", $0) }) }
        let records = RecordStore<ConsentRecordMapping>(store: store, audit: audit)
        let sql = Self.select(
            RecordStore<ConsentRecordMapping>.selectList, from: ConsentRecordMapping.table, conditions,
            sortColumn: c.sort == .lastUpdated ? "updated_at" : nil, descending: c.descending, after: c.after, limit: c.limit)
        let rows = try await store.readStatement { db in try await db.raw(sql).all().map(records.storedRow) }
        return try rows.map(records.decode)
    }

    func consent(_ id: Identifier<ConsentRecord>) async throws -> Versioned<ConsentRecord>? {
        let records = RecordStore<ConsentRecordMapping>(store: store, audit: audit)
        let row = try await store.readStatement { db in try await records.fetch(db, id: id.rawValue) }
        return try row.map(records.decode)
    }

    // MARK: SQL pieces

    static func select(
        _ columns: String, from table: String, _ conditions: [SQLQueryString], sortColumn: String?, descending: Bool,
        after: Criteria.Position?, limit: Int
    ) -> SQLQueryString {
        var conditions = conditions
        let direction = descending ? "DESC" : "ASC"
        let beyond = descending ? "<" : ">"
        if let after {
            if let sortColumn {
                let value = after.sortValue ?? ""
                conditions.append("(\(ident: sortColumn) \(unsafeRaw: beyond) \(bind: value) OR (\(ident: sortColumn) = \(bind: value) AND \"id\" \(unsafeRaw: beyond) \(bind: after.id)))")
            } else {
                conditions.append("\"id\" \(unsafeRaw: beyond) \(bind: after.id)")
            }
        }
        var sql: SQLQueryString = "SELECT \(unsafeRaw: columns) FROM \(ident: table) WHERE \"deleted_at\" IS NULL"
        for condition in conditions { sql += " AND " + condition }
        if let sortColumn { sql += " ORDER BY \(ident: sortColumn) \(unsafeRaw: direction), \"id\" \(unsafeRaw: direction)" as SQLQueryString }
        else { sql += " ORDER BY \"id\" \(unsafeRaw: direction)" as SQLQueryString }
        sql += " LIMIT \(literal: max(1, min(limit, 5_001)))"
        return sql
    }

    /// `column IN (…)`; an empty list matches nothing.
    static func `in`(_ column: String, _ values: [String]) -> SQLQueryString {
        guard !values.isEmpty else { return "1 = 0" }
        return "\(ident: column) IN (\(binds: values.map { $0 as any Encodable & Sendable }))"
    }

    /// The ORed alternatives in parentheses.
    static func any(_ alternatives: [SQLQueryString]) -> SQLQueryString {
        guard !alternatives.isEmpty else { return "1 = 0" }
        return "(" + alternatives.joined(separator: " OR ") + ")"
    }

    static func range(_ column: String, _ r: Criteria.TextRange) -> SQLQueryString {
        switch r.comparator {
        case .eq: return "(\(ident: column) >= \(bind: r.lower) AND \(ident: column) < \(bind: r.upper))"
        case .ne: return "(\(ident: column) < \(bind: r.lower) OR \(ident: column) >= \(bind: r.upper))"
        case .lt: return "\(ident: column) < \(bind: r.lower)"
        case .le: return "\(ident: column) < \(bind: r.upper)"
        case .gt: return "\(ident: column) >= \(bind: r.upper)"
        case .ge: return "\(ident: column) >= \(bind: r.lower)"
        }
    }

    static func identifier(_ condition: Criteria.IdentifierCondition) -> SQLQueryString {
        switch condition {
        case let .mrn(site?, value): return "(\"site_id\" = \(bind: site.rawValue) AND \"mrn\" = \(bind: value))"
        case let .mrn(nil, value): return "\"mrn\" = \(bind: value)"
        case let .participant(id): return "\"id\" = \(bind: id)"
        case let .anySystem(value): return "(\"mrn\" = \(bind: value) OR \"id\" = \(bind: value))"
        case .nothing: return "1 = 0"
        }
    }

    /// FHIR string search: by default case-insensitive "starts with" on any word of the name; `exact` is the
    /// whole given or family name as stored; `contains` anywhere.
    static func name(_ condition: Criteria.NameCondition) -> SQLQueryString {
        let text = condition.text.lowercased()
        switch (condition.part, condition.match) {
        case (.any, .exact): return "(\"given_name\" = \(bind: condition.text) OR \"family_name\" = \(bind: condition.text))"
        case (.any, .contains): return like("search_name", "%" + escape(text) + "%")
        case (.any, .startsWith):
            return "(" + like("search_name", escape(text) + "%") + " OR " + like("search_name", "% " + escape(text) + "%") + ")"
        case (.given, .exact): return "\"given_name\" = \(bind: condition.text)"
        case (.family, .exact): return "\"family_name\" = \(bind: condition.text)"
        case (.given, .contains): return like("lower(\"given_name\")", "%" + escape(text) + "%", raw: true)
        case (.family, .contains): return like("lower(\"family_name\")", "%" + escape(text) + "%", raw: true)
        case (.given, .startsWith): return like("lower(\"given_name\")", escape(text) + "%", raw: true)
        case (.family, .startsWith): return like("lower(\"family_name\")", escape(text) + "%", raw: true)
        }
    }

    static func like(_ column: String, _ pattern: String, raw: Bool = false) -> SQLQueryString {
        raw ? "\(unsafeRaw: column) LIKE \(bind: pattern) ESCAPE '!'" : "\(ident: column) LIKE \(bind: pattern) ESCAPE '!'"
    }

    /// `%`, `_` and the escape character taken literally (as SQLParticipantRepository.contains does).
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "!", with: "!!").replacingOccurrences(of: "%", with: "!%").replacingOccurrences(of: "_", with: "!_")
    }
}
