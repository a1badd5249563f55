import RestoraDomain

enum ProcedureMapping: TableMapping {
    typealias Value = Procedure
    static let table = "procedures"
    static let kind = "procedure"
    static let columns = [
        Column("id"), Column("participant_id", path: "participantID"), Column("enrolment_id", path: "enrolmentID"),
        Column("kind"), Column("code", .json), Column("performed"), Column("performer", .json),
        Column("anatomical_site", path: "anatomicalSite"), Column("laterality"),
        Column("imaging_guidance", path: "imagingGuidance"), Column("anaesthesia"),
        Column("source_tissue", path: "sourceTissue"), Column("volume_ml", .real, path: "volumeML"),
        Column("cell_product_id", path: "cellProductID"), Column("outcome"), Column("note"),
    ]
    static func id(of value: Procedure) -> String { value.id.rawValue }

    /// `code` (the procedure's coding) and `performer` stay JSON text as migration 0007 made them; typed
    /// columns for the procedure code would be a migration of their own (not needed by any query yet).
    static func cells(of p: Procedure) throws -> [String: SQLCell] {
        ["id": .text(p.id.rawValue), "participant_id": .text(p.participantID.rawValue), "enrolment_id": Cell.id(p.enrolmentID),
         "kind": .text(p.kind.rawValue), "code": try Cell.json(p.code), "performed": Cell.instant(p.performed),
         "performer": try Cell.json(p.performer), "anatomical_site": Cell.text(p.anatomicalSite), "laterality": Cell.text(p.laterality),
         "imaging_guidance": Cell.enumValue(p.imagingGuidance), "anaesthesia": Cell.enumValue(p.anaesthesia),
         "source_tissue": Cell.text(p.sourceTissue), "volume_ml": Cell.real(p.volumeML), "cell_product_id": Cell.id(p.cellProductID),
         "outcome": Cell.text(p.outcome), "note": Cell.text(p.note)]
    }

    static func value(from cells: [String: SQLCell]) throws -> Procedure {
        let c = StoredCells(cells: cells, table: table)
        return Procedure(
            id: try c.id("id"), participantID: try c.id("participant_id"), enrolmentID: try c.optionalID("enrolment_id"),
            kind: try c.enumValue("kind"), code: try c.optionalJSON("code"), performed: try c.instant("performed"),
            performer: try c.optionalJSON("performer"), anatomicalSite: try c.optionalText("anatomical_site"),
            laterality: try c.optionalText("laterality"), imagingGuidance: try c.optionalEnum("imaging_guidance"),
            anaesthesia: try c.optionalEnum("anaesthesia"), sourceTissue: try c.optionalText("source_tissue"),
            volumeML: try c.optionalDouble("volume_ml"), cellProductID: try c.optionalID("cell_product_id"),
            outcome: try c.optionalText("outcome"), note: try c.optionalText("note"))
    }
}
