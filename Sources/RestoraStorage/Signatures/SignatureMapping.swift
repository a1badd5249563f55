import RestoraDomain

/// `electronic_signatures` (migration 0044, docs/signatures.md). Clinical (its site's chain; voiding needs a
/// reason); written only through `SQLSignatureRepository`: appended, then at most voided.
enum SignatureMapping: TableMapping {
    typealias Value = ElectronicSignature
    static let table = "electronic_signatures"
    static let kind = "electronic signature"
    static let columns = [
        Column("id"), Column("participant_id"), Column("enrolment_id"), Column("target_kind"), Column("target_id"),
        Column("signer_user"), Column("signer_role"), Column("signer_username"), Column("printed_name"), Column("meaning"),
        Column("signed_at"), Column("content_hash"), Column("status"), Column("voided_at"), Column("voided_by_user"),
        Column("voided_by_role"), Column("void_reason"),
    ]
    static func id(of value: ElectronicSignature) -> String { value.id.rawValue }

    static func cells(of s: ElectronicSignature) throws -> [String: SQLCell] {
        // `invalidated` is computed on read, never stored: a stored status is valid or voided.
        let stored: SignatureStatus = s.status == .voided ? .voided : .valid
        return ["id": .text(s.id.rawValue), "participant_id": .text(s.participantID.rawValue),
                "enrolment_id": Cell.text(s.enrolmentID?.rawValue), "target_kind": .text(s.target.kind.rawValue),
                "target_id": .text(s.target.id), "signer_user": .text(s.signer.userID), "signer_role": Cell.text(s.signer.role),
                "signer_username": .text(s.signerUsername), "printed_name": .text(s.printedName), "meaning": .text(s.meaning.rawValue),
                "signed_at": Cell.instant(s.signedAt), "content_hash": .text(s.contentHash), "status": .text(stored.rawValue),
                "voided_at": Cell.instant(s.voidedAt), "voided_by_user": Cell.text(s.voidedBy?.userID),
                "voided_by_role": Cell.text(s.voidedBy?.role), "void_reason": Cell.text(s.voidReason)]
    }

    static func value(from cells: [String: SQLCell]) throws -> ElectronicSignature {
        let c = StoredCells(cells: cells, table: table)
        let voidedBy = try c.optionalText("voided_by_user").map { Actor(userID: $0, role: try c.optionalText("voided_by_role")) }
        return ElectronicSignature(
            id: try c.id("id"), target: SignatureTarget(kind: try c.enumValue("target_kind"), id: try c.text("target_id")),
            participantID: try c.id("participant_id"), enrolmentID: try c.optionalText("enrolment_id").map { Identifier($0) },
            signer: Actor(userID: try c.text("signer_user"), role: try c.optionalText("signer_role")),
            signerUsername: try c.text("signer_username"), printedName: try c.text("printed_name"), meaning: try c.enumValue("meaning"),
            signedAt: try c.instant("signed_at"), contentHash: try c.text("content_hash"), status: try c.enumValue("status"),
            voidedAt: try c.optionalInstant("voided_at"), voidedBy: voidedBy, voidReason: try c.optionalText("void_reason"))
    }
}
