import RestoraDomain

/// Concomitant medications (migration 0032): the drug's coding, class, dose text, dates and adjunct flag in
/// typed columns, written and read by the explicit coder below.
enum ConcomitantMedicationMapping: TableMapping {
    typealias Value = ConcomitantMedicationRecord
    static let table = "concomitant_medications"
    static let kind = "concomitant medication"
    static let columns = [
        Column("id"), Column("participant_id"), Column("drug_system"), Column("drug_code"), Column("drug_display"),
        Column("drug_class"), Column("dose"), Column("start_date"), Column("stop_date"), Column("adjunct", .boolean),
    ]
    static func id(of value: ConcomitantMedicationRecord) -> String { value.id.rawValue }

    static func cells(of r: ConcomitantMedicationRecord) throws -> [String: SQLCell] {
        let m = r.medication
        return ["id": .text(r.id.rawValue), "participant_id": .text(r.participantID.rawValue),
                "drug_system": .text(m.drug.system.rawValue), "drug_code": .text(m.drug.code), "drug_display": Cell.text(m.drug.display),
                "drug_class": Cell.text(m.drugClass), "dose": Cell.text(m.dose), "start_date": Cell.date(m.start),
                "stop_date": Cell.date(m.stop), "adjunct": .boolean(m.adjunct)]
    }

    static func value(from cells: [String: SQLCell]) throws -> ConcomitantMedicationRecord {
        let c = StoredCells(cells: cells, table: table)
        let drug = Coding(try c.enumValue("drug_system"), try c.text("drug_code"), display: try c.optionalText("drug_display"))
        return ConcomitantMedicationRecord(
            id: try c.id("id"), participantID: try c.id("participant_id"),
            medication: ConcomitantMedication(
                drug: drug, drugClass: try c.optionalText("drug_class"), dose: try c.optionalText("dose"),
                start: try c.optionalDate("start_date"), stop: try c.optionalDate("stop_date"), adjunct: try c.bool("adjunct")))
    }
}
