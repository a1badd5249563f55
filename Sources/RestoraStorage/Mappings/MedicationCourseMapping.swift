import RestoraDomain
import SQLKit

/// A medication course's row; its dispensings are rows of `medication_dispensings` (migration 0026), of
/// which the row keeps the count it was written with.
enum MedicationCourseMapping: ParentMapping {
    typealias Value = MedicationCourse
    static let table = "medication_courses"
    static let kind = "medication course"
    static let columns = [
        Column("id"), Column("participant_id"), Column("enrolment_id"), Column("drug", .json), Column("dose", .json),
        Column("route"), Column("times_per_day", .integer), Column("start_date"), Column("planned_stop"), Column("stop_date"),
        Column("status"), Column("stop_reason"), Column("dispensing_count", .integer),
    ]
    static let listColumns: Set<String> = ["dispensing_count"]
    static func id(of value: MedicationCourse) -> String { value.id.rawValue }

    static func cells(of value: MedicationCourse) throws -> [String: SQLCell] {
        [
            "id": .text(value.id.rawValue), "participant_id": .text(value.participantID.rawValue),
            "enrolment_id": value.enrolmentID.map { .text($0.rawValue) } ?? .null,
            "drug": try Cell.json(value.drug), "dose": try Cell.json(value.dose), "route": .text(value.route),
            "times_per_day": .integer(value.timesPerDay), "start_date": .text(value.start.description),
            "planned_stop": value.plannedStop.map { .text($0.description) } ?? .null,
            "stop_date": value.stop.map { .text($0.description) } ?? .null, "status": .text(value.status.rawValue),
            "stop_reason": value.stopReason.map(SQLCell.text) ?? .null, "dispensing_count": .integer(value.dispensings.count),
        ]
    }

    static func value(from cells: [String: SQLCell]) throws -> MedicationCourse {
        let row = StoredCells(cells: cells, table: table)
        return MedicationCourse(
            id: try row.id("id"), participantID: try row.id("participant_id"),
            enrolmentID: try row.optionalID("enrolment_id"),
            drug: try row.json("drug", as: Coding.self), dose: try row.json("dose", as: Quantity.self),
            route: try row.text("route"), timesPerDay: try row.integer("times_per_day"), start: try row.date("start_date"),
            plannedStop: try row.optionalDate("planned_stop"), stop: try row.optionalDate("stop_date"),
            status: try row.enumValue("status", as: MedicationCourse.Status.self), stopReason: try row.optionalText("stop_reason"))
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
        try pending.append(DispensingRows.self, old: stored, new: new.dispensings, from: stored.count, kind: kind, list: "dispensings")
        return pending
    }

    static func hasStoredLists(_ db: any SQLDatabase, id: String) async throws -> Bool {
        try await ChildRows<DispensingRows>.exists(db, parent: id)
    }
}
