import RestoraDomain
import SQLKit

/// A lot's row; its custody events and release-test results are rows of `cell_product_custody_events` and
/// `cell_product_release_tests` (migration 0025). The row keeps how many rows of each it was written with
/// and which revision of the results is in force. The release decision is a column group of the row:
/// `release_outcome` and `release_specification_source` typed, the criteria and specification it applied
/// in the decision's document `release_decision` (docs/child-tables.md, "Release decision").
enum CellProductMapping: ParentMapping {
    typealias Value = CellProduct
    static let table = "cell_products"
    static let kind = "cell product"
    static let uniqueField = "lot"
    static let columns = [
        Column("id"), Column("lot"), Column("participant_id"), Column("enrolment_id"), Column("source_tissue"),
        Column("harvest_procedure_id"), Column("total_cells", .real), Column("viable_cells", .real),
        Column("viability_percent", .real), Column("release_status"), Column("custody_count", .integer),
        Column("release_test_count", .integer), Column("release_tests_revision", .integer),
        Column("release_outcome"), Column("release_specification_source"), Column("release_decision", .json),
    ]
    static let listColumns: Set<String> = ["custody_count", "release_test_count", "release_tests_revision"]
    static func id(of value: CellProduct) -> String { value.id.rawValue }

    /// The cells of a new lot; for a stored one, `pendingLists` overrides the release-test bookkeeping.
    static func cells(of value: CellProduct) throws -> [String: SQLCell] {
        let tests = ReleaseTestResultRow.rows(of: value.releaseTests, revision: 1)
        return [
            "id": .text(value.id.rawValue), "lot": .text(value.lot), "participant_id": .text(value.participantID.rawValue),
            "enrolment_id": value.enrolmentID.map { .text($0.rawValue) } ?? .null, "source_tissue": .text(value.sourceTissue),
            "harvest_procedure_id": value.harvestProcedureID.map { .text($0.rawValue) } ?? .null,
            "total_cells": value.totalCells.map(SQLCell.real) ?? .null, "viable_cells": value.viableCells.map(SQLCell.real) ?? .null,
            "viability_percent": value.viabilityPercent.map(SQLCell.real) ?? .null, "release_status": .text(value.releaseStatus.rawValue),
            "custody_count": .integer(value.custody.count), "release_test_count": .integer(tests.count),
            "release_tests_revision": .integer(value.releaseTests == ReleaseTestResults() ? 0 : 1),
            "release_outcome": value.releaseDecision.map { .text($0.outcome.rawValue) } ?? .null,
            "release_specification_source": value.releaseDecision.map { .text($0.specificationSource) } ?? .null,
            "release_decision": try Cell.json(value.releaseDecision),
        ]
    }

    static func value(from cells: [String: SQLCell]) throws -> CellProduct {
        let row = StoredCells(cells: cells, table: table)
        return CellProduct(
            id: try row.id("id"), lot: try row.text("lot"), participantID: try row.id("participant_id"),
            enrolmentID: try row.optionalID("enrolment_id"), sourceTissue: try row.text("source_tissue"),
            harvestProcedureID: try row.optionalID("harvest_procedure_id"),
            totalCells: try row.optionalDouble("total_cells"), viableCells: try row.optionalDouble("viable_cells"),
            viabilityPercent: try row.optionalDouble("viability_percent"),
            releaseStatus: try row.enumValue("release_status", as: CellProduct.ReleaseStatus.self),
            releaseDecision: try row.optionalJSON("release_decision", as: ReleaseDecision.self))
    }

    struct Lists: Sendable {
        var custody: [String: [ChildRow<CustodyEvent>]]
        var tests: [String: [ChildRow<ReleaseTestResultRow>]]
    }

    static func loadLists(_ db: any SQLDatabase, parents: [String]) async throws -> Lists {
        Lists(custody: try await ChildRows<CustodyEventRows>.load(db, parents: parents),
              tests: try await ChildRows<ReleaseTestRows>.load(db, parents: parents))
    }

    static func attach(_ lists: Lists, to value: CellProduct, row: StoredRow) throws -> CellProduct {
        let cells = StoredCells(cells: row.cells, table: table)
        var product = value
        product.custody = try ChildRows<CustodyEventRows>.items(lists.custody[row.id], count: try cells.integer("custody_count"))
        let revision = try cells.integer("release_tests_revision")
        let tests = try ChildRows<ReleaseTestRows>.items(lists.tests[row.id], count: try cells.integer("release_test_count"))
        product.releaseTests = ReleaseTestResultRow.results(tests.filter { $0.revision == revision })
        return product
    }

    /// Custody only grows. Changed release-test results are a new revision appended after the stored rows.
    static func pendingLists(old: (value: CellProduct, cells: [String: SQLCell])?, new: CellProduct) throws -> PendingLists {
        var pending = PendingLists()
        let custody = old?.value.custody ?? []
        try pending.append(CustodyEventRows.self, old: custody, new: new.custody, from: custody.count, kind: kind, list: "custody")
        guard let old else {
            let rows = ReleaseTestResultRow.rows(of: new.releaseTests, revision: 1)
            try pending.append(ReleaseTestRows.self, old: [], new: rows, from: 0, kind: kind, list: "release tests")
            return pending
        }
        let stored = StoredCells(cells: old.cells, table: table)
        let count = try stored.integer("release_test_count")
        let revision = try stored.integer("release_tests_revision")
        guard new.releaseTests != old.value.releaseTests else {
            pending.cells = ["release_test_count": .integer(count), "release_tests_revision": .integer(revision)]
            return pending
        }
        let rows = ReleaseTestResultRow.rows(of: new.releaseTests, revision: revision + 1)
        pending.cells = ["release_test_count": .integer(count + rows.count), "release_tests_revision": .integer(revision + 1)]
        try pending.append(ReleaseTestRows.self, old: [], new: rows, from: count, kind: kind, list: "release tests")
        return pending
    }

    static func hasStoredLists(_ db: any SQLDatabase, id: String) async throws -> Bool {
        if try await ChildRows<CustodyEventRows>.exists(db, parent: id) { return true }
        return try await ChildRows<ReleaseTestRows>.exists(db, parent: id)
    }
}
