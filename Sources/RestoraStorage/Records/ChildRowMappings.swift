import Foundation
import RestoraDomain

/// `enrolment_transitions` (migration 0024): one row per status change of an enrolment.
enum EnrolmentTransitionRows: ChildRowMapping {
    static let table = "enrolment_transitions"
    static let parentColumn = "enrolment_id"
    static let columns = [Column("from_status"), Column("to_status"), Column("actor_id"), Column("actor_role"),
                          Column("at"), Column("reason")]

    static func cells(of item: StatusTransition) -> [String: SQLCell] {
        ["from_status": .text(item.from.rawValue), "to_status": .text(item.to.rawValue), "actor_id": .text(item.actor.userID),
         "actor_role": item.actor.role.map(SQLCell.text) ?? .null, "at": .text(StoredJSON.format(item.at)), "reason": .text(item.reason)]
    }

    static func item(from cells: [String: SQLCell]) throws -> StatusTransition {
        let row = stored(cells)
        return StatusTransition(
            from: try row.enumValue("from_status", as: EnrolmentStatus.self), to: try row.enumValue("to_status", as: EnrolmentStatus.self),
            actor: Actor(userID: try row.text("actor_id"), role: try row.optionalText("actor_role")),
            at: try row.instant("at"), reason: try row.text("reason"))
    }
}

/// `cell_product_custody_events` (migration 0025): one row per step in the life of a lot.
enum CustodyEventRows: ChildRowMapping {
    static let table = "cell_product_custody_events"
    static let parentColumn = "cell_product_id"
    static let columns = [Column("kind"), Column("at"), Column("actor_id"), Column("actor_role"), Column("location"), Column("note")]

    static func cells(of item: CustodyEvent) -> [String: SQLCell] {
        ["kind": .text(item.kind.rawValue), "at": .text(StoredJSON.format(item.at)), "actor_id": .text(item.actor.userID),
         "actor_role": item.actor.role.map(SQLCell.text) ?? .null, "location": item.location.map(SQLCell.text) ?? .null,
         "note": item.note.map(SQLCell.text) ?? .null]
    }

    static func item(from cells: [String: SQLCell]) throws -> CustodyEvent {
        let row = stored(cells)
        return CustodyEvent(
            kind: try row.enumValue("kind", as: CustodyEvent.Kind.self), at: try row.instant("at"),
            actor: Actor(userID: try row.text("actor_id"), role: try row.optionalText("actor_role")),
            location: try row.optionalText("location"), note: try row.optionalText("note"))
    }
}

/// `medication_dispensings` (migration 0026): one row per supply handed out.
enum DispensingRows: ChildRowMapping {
    static let table = "medication_dispensings"
    static let parentColumn = "medication_course_id"
    static let columns = [Column("dispensed_on"), Column("units_dispensed", .integer), Column("days_covered", .integer),
                          Column("units_returned", .integer), Column("lot")]

    static func cells(of item: Dispensing) -> [String: SQLCell] {
        ["dispensed_on": .text(item.date.description), "units_dispensed": .integer(item.unitsDispensed),
         "days_covered": .integer(item.daysCovered), "units_returned": item.unitsReturned.map(SQLCell.integer) ?? .null,
         "lot": item.lot.map(SQLCell.text) ?? .null]
    }

    static func item(from cells: [String: SQLCell]) throws -> Dispensing {
        let row = stored(cells)
        return Dispensing(date: try row.date("dispensed_on"), unitsDispensed: try row.integer("units_dispensed"), daysCovered: try row.integer("days_covered"),
                          unitsReturned: try row.optionalInteger("units_returned"), lot: try row.optionalText("lot"))
    }
}

/// One release-test result of a lot: a surface-marker percentage, the viability, the sterility culture… Each
/// entry of results is one `revision`; entering changed results appends a new revision and the lot's row
/// names the revision in force (`release_tests_revision`), so earlier results stay as they were entered.
struct ReleaseTestResultRow: Hashable, Sendable {
    enum Test: String, Hashable, Sendable, CaseIterable {
        case marker, viability, sterility, endotoxin, mycoplasma, dose
        case participantWeight = "participant-weight", productVolume = "product-volume"
    }

    var revision: Int
    var test: Test
    /// The surface marker for `marker` rows ("CD73"); empty otherwise.
    var marker: String = ""
    var number: Double?
    /// UCUM unit of `number`: "%", "kg", "mL", "{cells}", or the endotoxin result's unit as reported.
    var unit: String?
    /// The result of a yes/no test (sterility: no growth; mycoplasma: negative).
    var flag: Bool?

    /// The rows of one entry of results, in a fixed order: markers by name, then the other tests.
    static func rows(of results: ReleaseTestResults, revision: Int) -> [ReleaseTestResultRow] {
        var rows = results.markersPercent.keys.sorted().map {
            ReleaseTestResultRow(revision: revision, test: .marker, marker: $0, number: results.markersPercent[$0], unit: "%")
        }
        func add(_ test: Test, _ number: Double?, _ unit: String) {
            if let number { rows.append(ReleaseTestResultRow(revision: revision, test: test, number: number, unit: unit)) }
        }
        add(.viability, results.viabilityPercent, "%")
        if let flag = results.sterilityNoGrowth { rows.append(ReleaseTestResultRow(revision: revision, test: .sterility, flag: flag)) }
        if let endotoxin = results.endotoxin { add(.endotoxin, endotoxin.value, endotoxin.unit) }
        if let flag = results.mycoplasmaNegative { rows.append(ReleaseTestResultRow(revision: revision, test: .mycoplasma, flag: flag)) }
        add(.dose, results.doseCells, "{cells}")
        add(.participantWeight, results.participantWeightKg, "kg")
        add(.productVolume, results.productVolumeML, "mL")
        return rows
    }

    /// The results of one revision from its rows.
    static func results(_ rows: [ReleaseTestResultRow]) -> ReleaseTestResults {
        var results = ReleaseTestResults()
        for row in rows {
            switch row.test {
            case .marker: results.markersPercent[row.marker] = row.number
            case .viability: results.viabilityPercent = row.number
            case .sterility: results.sterilityNoGrowth = row.flag
            case .endotoxin: results.endotoxin = row.number.map { Quantity($0, row.unit ?? "") }
            case .mycoplasma: results.mycoplasmaNegative = row.flag
            case .dose: results.doseCells = row.number
            case .participantWeight: results.participantWeightKg = row.number
            case .productVolume: results.productVolumeML = row.number
            }
        }
        return results
    }
}

/// `cell_product_release_tests` (migration 0025): one row per release-test result of a lot.
enum ReleaseTestRows: ChildRowMapping {
    static let table = "cell_product_release_tests"
    static let parentColumn = "cell_product_id"
    static let columns = [Column("revision", .integer), Column("test"), Column("marker"), Column("number", .real),
                          Column("unit"), Column("flag", .boolean)]

    static func cells(of item: ReleaseTestResultRow) -> [String: SQLCell] {
        ["revision": .integer(item.revision), "test": .text(item.test.rawValue), "marker": .text(item.marker),
         "number": item.number.map(SQLCell.real) ?? .null, "unit": item.unit.map(SQLCell.text) ?? .null,
         "flag": item.flag.map(SQLCell.boolean) ?? .null]
    }

    static func item(from cells: [String: SQLCell]) throws -> ReleaseTestResultRow {
        let row = stored(cells)
        return ReleaseTestResultRow(
            revision: try row.integer("revision"), test: try row.enumValue("test", as: ReleaseTestResultRow.Test.self),
            marker: try row.optionalText("marker") ?? "", number: try row.optionalDouble("number"), unit: try row.optionalText("unit"),
            flag: try row.optionalBool("flag"))
    }
}
