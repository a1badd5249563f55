import RestoraDomain

/// Reviewed sections (migration 0032): who reviewed which section of the record, when. The reviewer is two
/// typed columns (user and role), not JSON.
enum SectionReviewMapping: TableMapping {
    typealias Value = SectionReview
    static let table = "participant_reviews"
    static let kind = "section review"
    static let uniqueField = "current review of this section"
    static let columns = [
        Column("id"), Column("participant_id"), Column("section"), Column("reviewed_by_user"), Column("reviewed_by_role"),
        Column("reviewed_at"),
    ]
    static func id(of value: SectionReview) -> String { value.id.rawValue }

    static func cells(of r: SectionReview) throws -> [String: SQLCell] {
        ["id": .text(r.id.rawValue), "participant_id": .text(r.participantID.rawValue), "section": .text(r.section.rawValue),
         "reviewed_by_user": .text(r.reviewedBy.userID), "reviewed_by_role": Cell.text(r.reviewedBy.role),
         "reviewed_at": Cell.instant(r.reviewedAt)]
    }

    static func value(from cells: [String: SQLCell]) throws -> SectionReview {
        let c = StoredCells(cells: cells, table: table)
        return SectionReview(
            id: try c.id("id"), participantID: try c.id("participant_id"), section: try c.enumValue("section"),
            reviewedBy: Actor(userID: try c.text("reviewed_by_user"), role: try c.optionalText("reviewed_by_role")),
            reviewedAt: try c.instant("reviewed_at"))
    }
}
