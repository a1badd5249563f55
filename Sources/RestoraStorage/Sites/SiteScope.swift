import RestoraDomain
import SQLKit

/// Where a table's rows get their `site_id` (issue #13 item 6, migration 0027) and so which audit chain
/// their entries join. One list for every door: the record store fills the column on insert and names the
/// chain on every write, so the API, the web forms, the importer and the demo seeder all take this path.
enum SiteScope: Sendable, Equatable {
    /// The record names its site itself (a `site_id` column of its own mapping).
    case own
    /// Copied from the row the record hangs off: `site_id` of the `table` row that `column` names.
    case parent(table: String, column: String)
    /// Reference data and accounts, shared by all sites: no `site_id`, the site-less audit chain.
    case siteless

    /// Every mapped table. A table missing here is site-less; the schema-invariant test checks that this
    /// list and the tables that have a `site_id` column agree.
    static let tables: [String: SiteScope] = [
        "participants": .own,
        "enrolments": .own,
        "visits": .parent(table: "enrolments", column: "enrolment_id"),
        "observations": .parent(table: "participants", column: "participant_id"),
        "procedures": .parent(table: "participants", column: "participant_id"),
        "cell_products": .parent(table: "participants", column: "participant_id"),
        "medication_courses": .parent(table: "participants", column: "participant_id"),
        "adverse_events": .parent(table: "participants", column: "participant_id"),
        "safety_alerts": .parent(table: "participants", column: "participant_id"),
        "data_queries": .parent(table: "participants", column: "participant_id"),
        "screenings": .parent(table: "participants", column: "participant_id"),
        "concomitant_medications": .parent(table: "participants", column: "participant_id"),
        "participant_reviews": .parent(table: "participants", column: "participant_id"),
        "protocol_deviations": .parent(table: "participants", column: "participant_id"),
        "consent_records": .parent(table: "participants", column: "participant_id"),
        "consent_withdrawals": .parent(table: "participants", column: "participant_id"),
        "electronic_signatures": .parent(table: "participants", column: "participant_id"),
        "enrolment_transitions": .parent(table: "enrolments", column: "enrolment_id"),
        "cell_product_custody_events": .parent(table: "cell_products", column: "cell_product_id"),
        "cell_product_release_tests": .parent(table: "cell_products", column: "cell_product_id"),
        "medication_dispensings": .parent(table: "medication_courses", column: "medication_course_id"),
        "source_verifications": .parent(table: "participants", column: "participant_id"),  // SDV marks (0046)
        "data_query_messages": .parent(table: "data_queries", column: "data_query_id"),  // query threads (0046)
        "record_locks": .own,
        "randomisation_allocations": .own,
        "randomisation_unblindings": .own,
    ]

    static func of(_ table: String) -> SiteScope { tables[table] ?? .siteless }

    /// The site of a new row of `table` with `cells`: its own column, or one primary-key read of the parent
    /// inside the writing transaction. A parent that does not exist is the same answer a foreign key gives.
    static func site(of table: String, cells: [String: SQLCell], kind: String, in db: any SQLDatabase) async throws -> String? {
        do {
            return try await sites(of: table, cells: [cells], kind: kind, in: db)[0]
        } catch let failure as BatchItemError {
            throw failure.error
        }
    }

    /// `site(of:)` for many new rows, the parents read in one statement per 500 distinct ids; a row whose
    /// parent does not exist throws `BatchItemError` with its position.
    static func sites(of table: String, cells rows: [[String: SQLCell]], kind: String, in db: any SQLDatabase) async throws -> [String?] {
        func refused(_ index: Int) -> BatchItemError { BatchItemError(index: index, error: RepositoryError.unknownReference(kind: kind)) }
        switch of(table) {
        case .siteless:
            return rows.map { _ in nil }
        case .own:
            return try rows.enumerated().map { index, cells in
                guard let site = cells["site_id"]?.text else { throw refused(index) }
                return site
            }
        case let .parent(parent, column):
            let parentIDs = Array(Set(rows.compactMap { $0[column]?.text })).sorted()
            var found: [String: String] = [:]
            for start in stride(from: 0, to: parentIDs.count, by: 500) {
                let chunk = Array(parentIDs[start..<min(start + 500, parentIDs.count)])
                for row in try await db.raw(PrebuiltSQL.select(["id", "site_id"], from: parent, where: "id", in: chunk)).all() {
                    found[try row.decode(column: "id", as: String.self)] = try row.decode(column: "site_id", as: String.self)
                }
            }
            return try rows.enumerated().map { index, cells in
                guard let parentID = cells[column]?.text, let site = found[parentID] else { throw refused(index) }
                return site
            }
        }
    }

    /// What an UPDATE or DELETE of `table` returns so that its audit entry joins the row's chain.
    static func returning(_ table: String) -> [any SQLExpression] {
        of(table) == .siteless ? [SQLIdentifier("id")] : [SQLIdentifier("id"), SQLIdentifier("site_id")]
    }

    /// The site in a row returned with `returning(table)`; nil for a site-less table.
    static func site(in row: any SQLRow, of table: String) throws -> String? {
        of(table) == .siteless ? nil : try row.decode(column: "site_id", as: String.self)
    }
}
