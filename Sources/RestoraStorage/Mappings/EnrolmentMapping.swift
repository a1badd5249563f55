import RestoraDomain
import SQLKit

/// An enrolment's row; its transitions are rows of `enrolment_transitions` (migration 0024), of which the
/// row keeps the count it was written with.
enum EnrolmentMapping: ParentMapping {
    typealias Value = Enrolment
    static let table = "enrolments"
    static let kind = "enrolment"
    /// The one unique index of enrolments (migration 0021).
    static let uniqueField = "program that is still open for this participant"
    static let columns = [
        Column("id"), Column("participant_id"), Column("program_id"), Column("site_id"), Column("arm_id"), Column("status"),
        Column("transition_count", .integer), Column("protocol_version"),
        // Migration 0039 (issue #15 item 4): treatment discontinued by a stop rule.
        Column("treatment_discontinued_on"), Column("treatment_discontinuation_reason"), Column("treatment_discontinuation_alert_id"),
    ]
    static let listColumns: Set<String> = ["transition_count"]
    static func id(of value: Enrolment) -> String { value.id.rawValue }

    static func cells(of value: Enrolment) throws -> [String: SQLCell] {
        ["id": .text(value.id.rawValue), "participant_id": .text(value.participantID.rawValue),
         "program_id": .text(value.programID.rawValue), "site_id": .text(value.siteID.rawValue),
         "arm_id": value.armID.map(SQLCell.text) ?? .null, "status": .text(value.status.rawValue),
         "transition_count": .integer(value.transitions.count),
         "protocol_version": value.protocolVersion.map(SQLCell.text) ?? .null,
         "treatment_discontinued_on": Cell.date(value.treatmentDiscontinuation?.on),
         "treatment_discontinuation_reason": Cell.text(value.treatmentDiscontinuation?.reason),
         "treatment_discontinuation_alert_id": Cell.id(value.treatmentDiscontinuation?.alertID)]
    }

    /// `enrolled_on` (migration 0053): the UTC date of the first move to `enrolled`, for the dashboard's
    /// enrolments-by-month counts from an index; derived, not audited, never read back.
    static func derivedCells(of value: Enrolment) -> [String: SQLCell] {
        ["enrolled_on": Cell.date(value.transitions.first { $0.to == .enrolled }.map { CalendarDate($0.at) })]
    }

    static func value(from cells: [String: SQLCell]) throws -> Enrolment {
        let row = StoredCells(cells: cells, table: table)
        return Enrolment(
            id: Identifier(try row.text("id")), participantID: Identifier(try row.text("participant_id")),
            programID: Identifier(try row.text("program_id")), siteID: Identifier(try row.text("site_id")),
            armID: try row.optionalText("arm_id"), status: try row.enumValue("status", as: EnrolmentStatus.self),
            protocolVersion: try row.text("protocol_version"),
            treatmentDiscontinuation: try row.optionalDate("treatment_discontinued_on").map { on in
                TreatmentDiscontinuation(on: on, reason: try row.optionalText("treatment_discontinuation_reason") ?? "",
                                         alertID: try row.optionalID("treatment_discontinuation_alert_id"))
            })
    }

    static func loadLists(_ db: any SQLDatabase, parents: [String]) async throws -> [String: [ChildRow<StatusTransition>]] {
        try await ChildRows<EnrolmentTransitionRows>.load(db, parents: parents)
    }

    static func attach(_ lists: [String: [ChildRow<StatusTransition>]], to value: Enrolment, row: StoredRow) throws -> Enrolment {
        let count = try StoredCells(cells: row.cells, table: table).integer("transition_count")
        return Enrolment(
            id: value.id, participantID: value.participantID, programID: value.programID, siteID: value.siteID, armID: value.armID,
            status: value.status, transitions: try ChildRows<EnrolmentTransitionRows>.items(lists[row.id], count: count),
            protocolVersion: value.protocolVersion, treatmentDiscontinuation: value.treatmentDiscontinuation)
    }

    static func pendingLists(old: (value: Enrolment, cells: [String: SQLCell])?, new: Enrolment) throws -> PendingLists {
        var pending = PendingLists()
        let stored = old?.value.transitions ?? []
        try pending.append(EnrolmentTransitionRows.self, old: stored, new: new.transitions, from: stored.count, kind: kind, list: "transitions")
        return pending
    }

    static func hasStoredLists(_ db: any SQLDatabase, id: String) async throws -> Bool {
        try await ChildRows<EnrolmentTransitionRows>.exists(db, parent: id)
    }
}
