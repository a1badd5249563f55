import Foundation
import RestoraDomain
import SQLKit

/// SDV marks (migration 0046, docs/sdv.md): appended through the record store (audited, the participant's site
/// chain), read per participant, and counted in SQL: a record is verified when a whole-record mark carries its
/// current version, changed when it has marks but none at its current version (`SDVState`, the same rule).
struct SQLSourceVerificationRepository: SourceVerificationRepository {
    let records: RecordStore<SourceVerificationMapping>

    /// Each SDV record kind (`SourceVerification.kinds`) and its table; visits reach their participant through
    /// their enrolment.
    static let tables: [(kind: String, table: String)] = [
        ("enrolments", "enrolments"), ("visits", "visits"), ("observations", "observations"), ("procedures", "procedures"),
        ("adverse-events", "adverse_events"), ("medication-courses", "medication_courses"), ("cell-products", "cell_products"),
    ]

    func record(_ marks: [SourceVerificationMark], context: AuditContext) async throws -> [Versioned<SourceVerificationMark>] {
        let records = self.records
        return try await records.transaction { db in
            let bound = RecordStore<SourceVerificationMapping>(store: TransactionBoundStore(engine: records.store.engine, db: db, pendingAudit: records.audit.pending), audit: records.audit)
            var stored: [Versioned<SourceVerificationMark>] = []
            for mark in marks { stored.append(try await bound.create(mark, context: context, idempotencyKey: nil)) }
            return stored
        }
    }

    func list(participant: Identifier<Participant>) async throws -> [SourceVerificationMark] {
        try await records.list(where: "participant_id", equals: participant.rawValue).map(\.value).sorted { $0.verifiedAt < $1.verifiedAt }
    }

    func progress(participant: Identifier<Participant>) async throws -> SDVProgress {
        try await countsPerRecord { kind, table in
            kind == "visits"
                ? "t.enrolment_id IN (SELECT e.id FROM enrolments e WHERE e.participant_id = \(bind: participant.rawValue))"
                : "t.participant_id = \(bind: participant.rawValue)"
        }.values.reduce(SDVProgress(), +)
    }

    func progressBySite(sites: Set<Identifier<Site>>?) async throws -> [SiteSDVProgress] {
        if let sites, sites.isEmpty { return [] }
        let filter: SQLQueryString? = sites.map { "t.site_id IN (\(binds: $0.map(\.rawValue).sorted()))" }
        return try await countsFromMarks { _, _ in filter }
            .map { SiteSDVProgress(siteID: Identifier($0.key), progress: $0.value) }
            .sorted { $0.siteID.rawValue < $1.siteID.rawValue }
    }

    /// Whole-record marks of `kind` (a `FROM … WHERE` fragment; the marks table is `s`).
    private static func marks(_ kind: String) -> SQLQueryString {
        "FROM source_verifications s WHERE s.record_kind = \(literal: kind) AND s.field IS NULL AND s.deleted_at IS NULL"
    }

    /// Whether record `t` has a whole-record mark at its current version.
    private static func verifiedNow(_ kind: String) -> SQLQueryString {
        "EXISTS (SELECT 1 \(marks(kind)) AND s.record_id = t.id AND s.record_version = t.version)"
    }

    /// Per site: total, verified and changed records over every SDV kind, for a participant's few records: one
    /// grouped statement per kind that probes the marks of each record `filter` leaves.
    private func countsPerRecord(_ filter: @escaping @Sendable (String, String) -> SQLQueryString) async throws -> [String: SDVProgress] {
        try await records.store.read { db in
            var bySite: [String: SDVProgress] = [:]
            for (kind, table) in Self.tables {
                let sql: SQLQueryString = """
                    SELECT t.site_id AS site_id, COUNT(*) AS total,
                      CAST(COALESCE(SUM(CASE WHEN \(Self.verifiedNow(kind)) THEN 1 ELSE 0 END), 0) AS BIGINT) AS verified,
                      CAST(COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 \(Self.marks(kind)) AND s.record_id = t.id) AND NOT \(Self.verifiedNow(kind))
                                    THEN 1 ELSE 0 END), 0) AS BIGINT) AS changed
                    FROM \(ident: table) t WHERE t.deleted_at IS NULL AND \(filter(kind, table))
                    GROUP BY t.site_id
                    """
                for row in try await db.raw(sql).all() {
                    bySite[try row.decode(column: "site_id", as: String.self), default: SDVProgress()] += SDVProgress(
                        total: try row.decode(column: "total", as: Int.self), verified: try row.decode(column: "verified", as: Int.self),
                        changed: try row.decode(column: "changed", as: Int.self))
                }
            }
            return bySite
        }
    }

    /// Per site: total, verified and changed records over every SDV kind, for every record of the sites `filter`
    /// leaves (the dashboard). Probing the marks per record read every observation row (0.6 s at 10⁴
    /// participants, BENCHMARKS.md "Dashboard: SDV progress from the marks"), so two statements per kind instead:
    /// the live records counted (on SQLite kept per site as rows change, migration 0052; on PostgreSQL observations
    /// from `observations_site_live` alone, migration 0051), then the
    /// marked records found from the marks and each looked up by id (CROSS JOIN: SQLite keeps that order rather
    /// than walking a site's records and probing the marks); of the marked, verified have a mark at their current
    /// version and the rest are changed. That costs what was verified, not what was recorded.
    private func countsFromMarks(_ filter: @escaping @Sendable (String, String) -> SQLQueryString?) async throws -> [String: SDVProgress] {
        let kept = records.store.engine == .sqlite
        return try await records.store.read { db in
            var bySite: [String: SDVProgress] = [:]
            for (kind, table) in Self.tables {
                let scope: SQLQueryString = filter(kind, table).map { " AND " + $0 } ?? ""
                // On SQLite the counts kept as rows change (migration 0052), else counted now.
                let totals: SQLQueryString = kept
                    ? "SELECT t.site_id AS site_id, t.live AS total FROM live_record_counts t WHERE t.table_name = \(bind: table) AND t.live > 0\(scope)"
                    : """
                    SELECT t.site_id AS site_id, COUNT(*) AS total FROM \(ident: table) t WHERE t.deleted_at IS NULL\(scope)
                    GROUP BY t.site_id
                    """
                for row in try await db.raw(totals).all() {
                    bySite[try row.decode(column: "site_id", as: String.self), default: SDVProgress()] += SDVProgress(
                        total: try row.decode(column: "total", as: Int.self))
                }
                let marked: SQLQueryString = """
                    SELECT t.site_id AS site_id, COUNT(*) AS marked,
                      CAST(COALESCE(SUM(CASE WHEN \(Self.verifiedNow(kind)) THEN 1 ELSE 0 END), 0) AS BIGINT) AS verified
                    FROM (SELECT DISTINCT s.record_id AS id \(Self.marks(kind))) m CROSS JOIN \(ident: table) t
                    WHERE t.id = m.id AND t.deleted_at IS NULL\(scope)
                    GROUP BY t.site_id
                    """
                for row in try await db.raw(marked).all() {
                    let verified = try row.decode(column: "verified", as: Int.self)
                    bySite[try row.decode(column: "site_id", as: String.self), default: SDVProgress()] += SDVProgress(
                        verified: verified, changed: try row.decode(column: "marked", as: Int.self) - verified)
                }
            }
            return bySite
        }
    }
}

/// Data-query threads (migration 0046): child rows of `data_queries`, appended at the next position inside the
/// caller's transaction, each with its audited `create` entry in the query's site chain.
struct SQLDataQueryThreadRepository: DataQueryThreadRepository {
    let store: any SQLStore
    let audit: AuditWriter

    func append(_ messages: [DataQueryMessage], to query: Identifier<DataQuery>, context: AuditContext) async throws {
        guard !messages.isEmpty else { return }
        let audit = self.audit
        try await RecordStore<DataQueryMapping>(store: store, audit: audit).transaction { db in
            let next = try await db.raw("""
                SELECT CAST(COALESCE(MAX(position) + 1, 0) AS BIGINT) AS next FROM data_query_messages WHERE data_query_id = \(bind: query.rawValue)
                """).first()?.decode(column: "next", as: Int.self) ?? 0
            try await ChildRows<DataQueryMessageRows>(audit: audit).insert(db, parentID: query.rawValue, items: messages, from: next, context: context)
        }
    }

    func messages(of queries: [Identifier<DataQuery>]) async throws -> [Identifier<DataQuery>: [DataQueryMessage]] {
        guard !queries.isEmpty else { return [:] }
        let rows = try await store.read { db in try await ChildRows<DataQueryMessageRows>.load(db, parents: queries.map(\.rawValue)) }
        return Dictionary(uniqueKeysWithValues: rows.map { (Identifier($0.key), $0.value.map(\.item)) })
    }

    func openCounts(sites: Set<Identifier<Site>>?, perSite: Bool, limit: Int) async throws -> [OpenQueryCount] {
        if let sites, sites.isEmpty { return [] }
        return try await store.read { db in
            var sql: SQLQueryString = """
                SELECT site_id, \(unsafeRaw: perSite ? "NULL" : "participant_id") AS participant_id,
                  CAST(SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END) AS BIGINT) AS open_count,
                  CAST(SUM(CASE WHEN status = 'answered' THEN 1 ELSE 0 END) AS BIGINT) AS answered_count
                FROM data_queries WHERE deleted_at IS NULL AND status IN ('open', 'answered')
                """
            if let sites { sql += " AND site_id IN (\(binds: sites.map(\.rawValue).sorted()))" }
            sql += perSite ? " GROUP BY site_id ORDER BY site_id" : " GROUP BY site_id, participant_id ORDER BY COUNT(*) DESC, participant_id"
            sql += " LIMIT \(literal: max(0, limit))"
            return try await db.raw(sql).all().map { row in
                OpenQueryCount(siteID: Identifier(try row.decode(column: "site_id", as: String.self)),
                               participantID: try row.decode(column: "participant_id", as: String?.self).map { Identifier($0) },
                               open: try row.decode(column: "open_count", as: Int.self), answered: try row.decode(column: "answered_count", as: Int.self))
            }
        }
    }
}
