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
}
