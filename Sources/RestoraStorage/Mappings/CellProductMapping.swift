import RestoraDomain

enum CellProductMapping: TableMapping {
    typealias Value = CellProduct
    static let table = "cell_products"
    static let kind = "cell product"
    static let uniqueField = "lot"
    static let columns = [
        Column("id"), Column("lot"), Column("participant_id", path: "participantID"),
        Column("enrolment_id", path: "enrolmentID"), Column("source_tissue", path: "sourceTissue"),
        Column("harvest_procedure_id", path: "harvestProcedureID"), Column("total_cells", .real, path: "totalCells"),
        Column("viable_cells", .real, path: "viableCells"), Column("viability_percent", .real, path: "viabilityPercent"),
        Column("release_tests", .json, path: "releaseTests"), Column("release_status", path: "releaseStatus"),
        Column("custody", .json), Column("release_decision", .json, path: "releaseDecision"),
    ]
    static func id(of value: CellProduct) -> String { value.id.rawValue }
}
