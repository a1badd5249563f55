import Foundation
import RestoraDomain

/// `randomisation_allocations` (migration 0042): one randomised enrolment's allocation. Appended, never updated
/// (`SQLRandomisationRepository` has no update path); clinical (a change would need a reason — there is none to give).
enum RandomisationAllocationMapping: TableMapping {
    typealias Value = RandomisationAllocation
    static let table = "randomisation_allocations"
    static let kind = "randomisation"
    static let uniqueField = "enrolmentID"
    static let columns = [
        Column("id"), Column("enrolment_id"), Column("participant_id"), Column("program_id"), Column("site_id"),
        Column("protocol_id"), Column("protocol_version"), Column("method"), Column("stratum"), Column("sequence_number", .integer),
        Column("factor_levels", .json), Column("arm_id"), Column("kit_code"), Column("block_number", .integer),
        Column("block_size", .integer), Column("position_in_block", .integer), Column("allocated_by_user"),
        Column("allocated_by_role"), Column("allocated_at"),
    ]
    static func id(of value: RandomisationAllocation) -> String { value.id.rawValue }

    static func cells(of a: RandomisationAllocation) throws -> [String: SQLCell] {
        ["id": .text(a.id.rawValue), "enrolment_id": .text(a.enrolmentID.rawValue), "participant_id": .text(a.participantID.rawValue),
         "program_id": .text(a.programID.rawValue), "site_id": .text(a.siteID.rawValue), "protocol_id": .text(a.protocolID),
         "protocol_version": .text(a.protocolVersion), "method": .text(a.method), "stratum": .text(a.stratum),
         "sequence_number": .integer(a.sequenceNumber), "factor_levels": try Cell.json(a.factors), "arm_id": .text(a.armID),
         "kit_code": Cell.text(a.kitCode), "block_number": Cell.integer(a.blockNumber), "block_size": Cell.integer(a.blockSize),
         "position_in_block": Cell.integer(a.positionInBlock), "allocated_by_user": .text(a.allocatedBy.userID),
         "allocated_by_role": Cell.text(a.allocatedBy.role), "allocated_at": Cell.instant(a.allocatedAt)]
    }

    static func value(from cells: [String: SQLCell]) throws -> RandomisationAllocation {
        let c = StoredCells(cells: cells, table: table)
        return RandomisationAllocation(
            id: try c.id("id"), enrolmentID: try c.id("enrolment_id"), participantID: try c.id("participant_id"),
            programID: try c.id("program_id"), siteID: try c.id("site_id"), protocolID: try c.text("protocol_id"),
            protocolVersion: try c.text("protocol_version"), method: try c.text("method"), stratum: try c.text("stratum"),
            sequenceNumber: try c.integer("sequence_number"), factors: try c.json("factor_levels", as: [String: String].self),
            armID: try c.text("arm_id"), kitCode: try c.optionalText("kit_code"), blockNumber: try c.optionalInteger("block_number"),
            blockSize: try c.optionalInteger("block_size"), positionInBlock: try c.optionalInteger("position_in_block"),
            allocatedBy: Actor(userID: try c.text("allocated_by_user"), role: try c.optionalText("allocated_by_role")),
            allocatedAt: try c.instant("allocated_at"))
    }
}

/// `randomisation_unblindings` (migration 0042): emergency unblindings, appended only.
enum EmergencyUnblindingMapping: TableMapping {
    typealias Value = EmergencyUnblinding
    static let table = "randomisation_unblindings"
    static let kind = "emergency unblinding"
    static let columns = [
        Column("id"), Column("enrolment_id"), Column("participant_id"), Column("site_id"), Column("allocation_id"), Column("reason"),
        Column("unblinded_by_user"), Column("unblinded_by_role"), Column("unblinded_at"),
    ]
    static func id(of value: EmergencyUnblinding) -> String { value.id.rawValue }

    static func cells(of u: EmergencyUnblinding) throws -> [String: SQLCell] {
        ["id": .text(u.id.rawValue), "enrolment_id": .text(u.enrolmentID.rawValue), "participant_id": .text(u.participantID.rawValue),
         "site_id": .text(u.siteID.rawValue), "allocation_id": .text(u.allocationID.rawValue), "reason": .text(u.reason),
         "unblinded_by_user": .text(u.unblindedBy.userID), "unblinded_by_role": Cell.text(u.unblindedBy.role),
         "unblinded_at": Cell.instant(u.unblindedAt)]
    }

    static func value(from cells: [String: SQLCell]) throws -> EmergencyUnblinding {
        let c = StoredCells(cells: cells, table: table)
        return EmergencyUnblinding(
            id: try c.id("id"), enrolmentID: try c.id("enrolment_id"), participantID: try c.id("participant_id"),
            siteID: try c.id("site_id"), allocationID: try c.id("allocation_id"), reason: try c.text("reason"),
            unblindedBy: Actor(userID: try c.text("unblinded_by_user"), role: try c.optionalText("unblinded_by_role")),
            unblindedAt: try c.instant("unblinded_at"))
    }
}
