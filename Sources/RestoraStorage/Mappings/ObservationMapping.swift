import RestoraDomain

/// Observations with their value and specimen in typed columns (migration 0022): `value_kind` says which
/// value columns are set (a CHECK keeps the others NULL); the explicit coder below reads and writes them
/// directly, with no JSON step.
enum ObservationMapping: TableMapping {
    typealias Value = Observation
    static let table = "observations"
    static let kind = "observation"
    static let columns = [
        Column("id"), Column("participant_id"), Column("enrolment_id"), Column("visit_id"), Column("panel_id"),
        Column("code_system"), Column("code"), Column("code_display"),
        Column("value_kind"), Column("value_number", .real), Column("value_unit"), Column("value_system"),
        Column("value_code"), Column("value_display"), Column("value_integer", .integer),
        Column("value_boolean", .boolean), Column("value_text"),
        Column("effective"),
        Column("specimen_type"), Column("specimen_collected"), Column("specimen_centrifuged", .boolean),
        Column("centrifugation_g", .real), Column("centrifugation_minutes", .real),
        Column("pellet_examined", .boolean), Column("pellet_finding"), Column("abstinence_days", .integer),
        Column("specimen_note"),
        Column("body_site"), Column("note"), Column("upper_limit_of_normal", .real),
    ]
    static func id(of value: Observation) -> String { value.id.rawValue }

    static func cells(of o: Observation) throws -> [String: SQLCell] {
        var cells: [String: SQLCell] = [
            "id": .text(o.id.rawValue), "participant_id": .text(o.participantID.rawValue),
            "enrolment_id": Cell.id(o.enrolmentID), "visit_id": Cell.id(o.visitID), "panel_id": Cell.text(o.panelID),
            "code_system": .text(o.code.system.rawValue), "code": .text(o.code.code), "code_display": Cell.text(o.code.display),
            "effective": Cell.instant(o.effective), "body_site": Cell.text(o.bodySite), "note": Cell.text(o.note),
            "upper_limit_of_normal": Cell.real(o.upperLimitOfNormal),
        ]
        for name in ["value_number", "value_unit", "value_system", "value_code", "value_display", "value_integer",
                     "value_boolean", "value_text"] {
            cells[name] = .null
        }
        switch o.value {
        case let .quantity(q):
            cells["value_kind"] = .text("quantity")
            cells["value_number"] = .real(q.value)
            cells["value_unit"] = .text(q.unit)
        case let .coded(c):
            cells["value_kind"] = .text("coded")
            cells["value_system"] = .text(c.system.rawValue)
            cells["value_code"] = .text(c.code)
            cells["value_display"] = Cell.text(c.display)
        case let .integer(v):
            cells["value_kind"] = .text("integer")
            cells["value_integer"] = .integer(v)
        case let .boolean(v):
            cells["value_kind"] = .text("boolean")
            cells["value_boolean"] = .boolean(v)
        case let .text(v):
            cells["value_kind"] = .text("text")
            cells["value_text"] = .text(v)
        }
        let s = o.specimen
        cells["specimen_type"] = Cell.text(s?.type)
        cells["specimen_collected"] = Cell.instant(s?.collected)
        cells["specimen_centrifuged"] = Cell.boolean(s?.centrifuged)
        cells["centrifugation_g"] = Cell.real(s?.centrifugationG)
        cells["centrifugation_minutes"] = Cell.real(s?.centrifugationMinutes)
        cells["pellet_examined"] = Cell.boolean(s?.pelletExamined)
        cells["pellet_finding"] = Cell.enumValue(s?.pelletFinding)
        cells["abstinence_days"] = Cell.integer(s?.abstinenceDays)
        cells["specimen_note"] = Cell.text(s?.note)
        return cells
    }

    static func value(from cells: [String: SQLCell]) throws -> Observation {
        let c = StoredCells(cells: cells, table: table)
        let value: ObservationValue
        switch try c.text("value_kind") {
        case "quantity": value = .quantity(Quantity(try c.double("value_number"), try c.text("value_unit")))
        case "coded":
            value = .coded(Coding(try c.enumValue("value_system"), try c.text("value_code"), display: try c.optionalText("value_display")))
        case "integer": value = .integer(try c.integer("value_integer"))
        case "boolean": value = .boolean(try c.bool("value_boolean"))
        case "text": value = .text(try c.text("value_text"))
        default: throw c.corrupt("value_kind")
        }
        var specimen: SpecimenDetails?
        if let type = try c.optionalText("specimen_type") {
            specimen = SpecimenDetails(
                type: type, collected: try c.optionalInstant("specimen_collected"),
                centrifuged: try c.optionalBool("specimen_centrifuged"), centrifugationG: try c.optionalDouble("centrifugation_g"),
                centrifugationMinutes: try c.optionalDouble("centrifugation_minutes"),
                pelletExamined: try c.optionalBool("pellet_examined"), pelletFinding: try c.optionalEnum("pellet_finding"),
                abstinenceDays: try c.optionalInteger("abstinence_days"), note: try c.optionalText("specimen_note"))
        }
        return Observation(
            id: try c.id("id"), participantID: try c.id("participant_id"), enrolmentID: try c.optionalID("enrolment_id"),
            visitID: try c.optionalID("visit_id"), panelID: try c.optionalText("panel_id"),
            code: Coding(try c.enumValue("code_system"), try c.text("code"), display: try c.optionalText("code_display")),
            value: value, effective: try c.instant("effective"), specimen: specimen, bodySite: try c.optionalText("body_site"),
            note: try c.optionalText("note"), upperLimitOfNormal: try c.optionalDouble("upper_limit_of_normal"))
    }
}
