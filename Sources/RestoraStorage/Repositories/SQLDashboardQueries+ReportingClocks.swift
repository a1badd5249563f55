import RestoraDomain
import SQLKit

extension SQLDashboardQueries {
    /// Open reporting clocks in SQL (docs/safety.md): adverse events whose derived `report_due_on` is set,
    /// scoped by the row's own `site_id`, on the index `adverse_events_site_report_due` (migration 0038), earliest
    /// due first; two statements whatever the number of events (the page, then its participants by id).
    func openReportingClocks(sites: Set<Identifier<Site>>?, limit: Int) async throws -> ReportingClockPage {
        if let sites, sites.isEmpty { return ReportingClockPage(total: 0, rows: []) }
        var scope = SQLQueryString("")
        if let sites { scope = "AND ae.site_id IN (\(binds: sites.map(\.rawValue).sorted()))" }
        let events = RecordStore<AdverseEventMapping>(store: store, audit: audit)
        let columns = (AdverseEventMapping.columns.map(\.name) + ["version", "created_at", "updated_at"])
            .map { "ae.\"\($0)\"" }.joined(separator: ", ")
        let sql: SQLQueryString = """
            SELECT \(unsafeRaw: columns), COUNT(*) OVER () AS total FROM adverse_events ae
            WHERE ae.deleted_at IS NULL AND ae.report_due_on IS NOT NULL \(scope)
            ORDER BY ae.report_due_on, ae.id
            LIMIT \(literal: max(0, limit))
            """
        let rows = try await store.read { db in try await db.raw(sql).all() }
        let total = try rows.first?.decode(column: "total", as: Int.self) ?? 0
        let page = try rows.map { try events.decode(try events.storedRow($0)) }
        let people = RecordStore<ParticipantMapping>(store: store, audit: audit)
        let ids = Array(Set(page.map(\.value.participantID.rawValue))).sorted()
        let found = ids.isEmpty ? [] : try await store.read { db in
            try await people.rows(db) { $0.where(SQLIdentifier("id"), .in, ids) }
        }.map(people.decode)
        let byID = Dictionary(found.map { ($0.value.id.rawValue, $0.value) }, uniquingKeysWith: { a, _ in a })
        return ReportingClockPage(total: total, rows: page.map { ($0, byID[$0.value.participantID.rawValue]) })
    }
}
