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
        try value(at: PositionalCells(cells, columns: columns, table: table))
    }

    /// The positions of the columns in `columns`, looked up once (bulk reads hand over the cells by position,
    /// `SQLProgramRecordSource`; a read by name is first put in the same order).
    private enum At {
        static func of(_ name: String) -> Int { PositionalCells.position(of: name, in: columns) }
        static let id = of("id"), participant = of("participant_id"), enrolment = of("enrolment_id")
        static let visit = of("visit_id"), panel = of("panel_id")
        static let codeSystem = of("code_system"), code = of("code"), codeDisplay = of("code_display")
        static let valueKind = of("value_kind"), valueNumber = of("value_number"), valueUnit = of("value_unit")
        static let valueSystem = of("value_system"), valueCode = of("value_code"), valueDisplay = of("value_display")
        static let valueInteger = of("value_integer"), valueBoolean = of("value_boolean"), valueText = of("value_text")
        static let effective = of("effective")
        static let specimenType = of("specimen_type"), specimenCollected = of("specimen_collected")
        static let centrifuged = of("specimen_centrifuged"), centrifugationG = of("centrifugation_g")
        static let centrifugationMinutes = of("centrifugation_minutes"), pelletExamined = of("pellet_examined")
        static let pelletFinding = of("pellet_finding"), abstinenceDays = of("abstinence_days")
        static let specimenNote = of("specimen_note"), bodySite = of("body_site"), note = of("note")
        static let upperLimit = of("upper_limit_of_normal")
    }

    /// The observation from its cells in `columns` order.
    static func value(at c: PositionalCells) throws -> Observation {
        let value: ObservationValue
        switch try c.text(At.valueKind) {
        case "quantity": value = .quantity(Quantity(try c.double(At.valueNumber), try c.text(At.valueUnit)))
        case "coded":
            value = .coded(Coding(try c.enumValue(At.valueSystem), try c.text(At.valueCode), display: try c.optionalText(At.valueDisplay)))
        case "integer": value = .integer(try c.integer(At.valueInteger))
        case "boolean": value = .boolean(try c.bool(At.valueBoolean))
        case "text": value = .text(try c.text(At.valueText))
        default: throw c.corrupt(At.valueKind)
        }
        var specimen: SpecimenDetails?
        if let type = try c.optionalText(At.specimenType) {
            specimen = SpecimenDetails(
                type: type, collected: try c.optionalInstant(At.specimenCollected),
                centrifuged: try c.optionalBool(At.centrifuged), centrifugationG: try c.optionalDouble(At.centrifugationG),
                centrifugationMinutes: try c.optionalDouble(At.centrifugationMinutes),
                pelletExamined: try c.optionalBool(At.pelletExamined), pelletFinding: try c.optionalEnum(At.pelletFinding),
                abstinenceDays: try c.optionalInteger(At.abstinenceDays), note: try c.optionalText(At.specimenNote))
        }
        return Observation(
            id: try c.id(At.id), participantID: try c.id(At.participant), enrolmentID: try c.optionalID(At.enrolment),
            visitID: try c.optionalID(At.visit), panelID: try c.optionalText(At.panel),
            code: Coding(try c.enumValue(At.codeSystem), try c.text(At.code), display: try c.optionalText(At.codeDisplay)),
            value: value, effective: try c.instant(At.effective), specimen: specimen, bodySite: try c.optionalText(At.bodySite),
            note: try c.optionalText(At.note), upperLimitOfNormal: try c.optionalDouble(At.upperLimit))
    }
}
