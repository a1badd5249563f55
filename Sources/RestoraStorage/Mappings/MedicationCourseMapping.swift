import RestoraDomain
import SQLKit

/// A medication course's row (its frequency as `doses_per_period` + `dose_period`, migration 0033); its dispensings are rows of `medication_dispensings` (migration 0026), of
/// which the row keeps the count it was written with.
enum MedicationCourseMapping: ParentMapping {
    typealias Value = MedicationCourse
    static let table = "medication_courses"
    static let kind = "medication course"
    static let columns = [
        Column("id"), Column("participant_id"), Column("enrolment_id"), Column("drug", .json), Column("dose", .json),
        Column("route"), Column("doses_per_period", .integer), Column("dose_period"), Column("start_date"), Column("planned_stop"), Column("stop_date"),
        Column("status"), Column("stop_reason"), Column("dispensing_count", .integer),
        Column("held_by_alert_id"), Column("held_on"),  // migration 0039 (issue #15 item 4)
    ]
    static let listColumns: Set<String> = ["dispensing_count"]
    static func id(of value: MedicationCourse) -> String { value.id.rawValue }

    static func cells(of value: MedicationCourse) throws -> [String: SQLCell] {
        [
            "id": .text(value.id.rawValue), "participant_id": .text(value.participantID.rawValue),
            "enrolment_id": value.enrolmentID.map { .text($0.rawValue) } ?? .null,
            "drug": try Cell.json(value.drug), "dose": try Cell.json(value.dose), "route": .text(value.route),
            "doses_per_period": .integer(value.frequency.dosesPerPeriod), "dose_period": .text(value.frequency.period.rawValue), "start_date": .text(value.start.description),
            "planned_stop": value.plannedStop.map { .text($0.description) } ?? .null,
            "stop_date": value.stop.map { .text($0.description) } ?? .null, "status": .text(value.status.rawValue),
            "stop_reason": value.stopReason.map(SQLCell.text) ?? .null, "dispensing_count": .integer(value.dispensings.count),
            "held_by_alert_id": Cell.id(value.heldByAlertID), "held_on": Cell.date(value.heldOn),
        ]
    }

    static func value(from cells: [String: SQLCell]) throws -> MedicationCourse {
        let row = StoredCells(cells: cells, table: table)
        return MedicationCourse(
            id: try row.id("id"), participantID: try row.id("participant_id"),
            enrolmentID: try row.optionalID("enrolment_id"),
            drug: try row.json("drug", as: Coding.self), dose: try row.json("dose", as: Quantity.self),
            route: try row.text("route"), frequency: DoseFrequency(try row.integer("doses_per_period"), per: try row.enumValue("dose_period", as: DoseFrequency.Period.self)), start: try row.date("start_date"),
            plannedStop: try row.optionalDate("planned_stop"), stop: try row.optionalDate("stop_date"),
            status: try row.enumValue("status", as: MedicationCourse.Status.self), stopReason: try row.optionalText("stop_reason"),
            heldByAlertID: try row.optionalID("held_by_alert_id"), heldOn: try row.optionalDate("held_on"))
    }

    static func loadLists(_ db: any SQLDatabase, parents: [String]) async throws -> [String: [ChildRow<Dispensing>]] {
        try await ChildRows<DispensingRows>.load(db, parents: parents)
    }

    static func attach(_ lists: [String: [ChildRow<Dispensing>]], to value: MedicationCourse, row: StoredRow) throws -> MedicationCourse {
        var course = value
        course.dispensings = try ChildRows<DispensingRows>.items(
            lists[row.id], count: try StoredCells(cells: row.cells, table: table).integer("dispensing_count"))
        return course
    }

    static func pendingLists(old: (value: MedicationCourse, cells: [String: SQLCell])?, new: MedicationCourse) throws -> PendingLists {
        var pending = PendingLists()
        let stored = old?.value.dispensings ?? []
        // Dispensings are only appended, with one exception: the count of units returned from a supply is
        // entered once, when the participant brings it back (issue #14) — a blank `units_returned` of a stored
        // row is filled in, audited as an update of that row. Any other change to a stored row is refused.
        var compared = new.dispensings
        var returns: [(position: Int, units: Int)] = []
        for position in 0..<min(stored.count, compared.count) {
            guard stored[position].unitsReturned == nil, let units = compared[position].unitsReturned else { continue }
            var filled = stored[position]
            filled.unitsReturned = units
            if filled == compared[position] {
                returns.append((position, units))
                compared[position] = stored[position]
            }
        }
        try pending.append(DispensingRows.self, old: stored, new: compared, from: stored.count, kind: kind, list: "dispensings")
        if !returns.isEmpty {
            let counted = returns
            pending.inserts.append { db, parentID, audit, context in
                let site = try await SiteScope.site(of: DispensingRows.table, cells: [DispensingRows.parentColumn: .text(parentID)],
                                                    kind: DispensingRows.table, in: db)
                // Each update returns the row as written: its entry carries the row's new hash (RecordHash).
                let table = AuditedTables.of(DispensingRows.self)
                var hashes: [Int: String] = [:]
                for item in counted {
                    let row = try await db.update(DispensingRows.table).set("units_returned", to: item.units)
                        .where(SQLIdentifier(DispensingRows.parentColumn), .equal, SQLBind(parentID))
                        .where("position", .equal, item.position)
                        .where("units_returned", .is, SQLLiteral.null)
                        .returning(SQLRaw(table.selectList)).first()
                    if let row { hashes[item.position] = RecordHash.stored(table, cells: try RecordHash.cells(table, row: row)) }
                }
                try await audit.appendAll(db, counted.map { item in
                    AuditWriter.Pending(
                        action: .update, table: DispensingRows.table,
                        recordID: ChildRows<DispensingRows>.rowID(parent: parentID, position: item.position),
                        changes: [AuditEntry.Change(field: "units_returned", old: nil, new: String(item.units))], context: context, siteID: site,
                        recordHash: hashes[item.position])
                })
            }
        }
        return pending
    }

    static func hasStoredLists(_ db: any SQLDatabase, id: String) async throws -> Bool {
        try await ChildRows<DispensingRows>.exists(db, parent: id)
    }
}
