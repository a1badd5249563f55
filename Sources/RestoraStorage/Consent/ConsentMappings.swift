import Foundation
import RestoraDomain

/// `consent_documents` (migration 0043): one version of a program's consent document. Not clinical (a program's,
/// site-less); never updated (`SQLConsentRepository` only inserts).
enum ConsentDocumentMapping: TableMapping {
    typealias Value = ConsentDocument
    static let table = "consent_documents"
    static let kind = "consent document"
    static let isClinical = false
    static let uniqueField = "version"
    static let columns = [
        Column("id"), Column("program_id"), Column("document_version", .integer), Column("title"), Column("media_type"), Column("file_name"),
        Column("sha256"), Column("byte_count", .integer), Column("witness_required", .boolean), Column("note"),
        Column("issued_by_user"), Column("issued_by_role"), Column("issued_at"),
    ]
    static func id(of value: ConsentDocument) -> String { value.id.rawValue }

    static func cells(of d: ConsentDocument) throws -> [String: SQLCell] {
        ["id": .text(d.id.rawValue), "program_id": .text(d.programID.rawValue), "document_version": .integer(d.documentVersion),
         "title": .text(d.title), "media_type": .text(d.mediaType.rawValue), "file_name": .text(d.fileName), "sha256": .text(d.sha256),
         "byte_count": .integer(d.byteCount), "witness_required": .boolean(d.witnessRequired), "note": Cell.text(d.note),
         "issued_by_user": .text(d.issuedBy.userID), "issued_by_role": Cell.text(d.issuedBy.role), "issued_at": Cell.instant(d.issuedAt)]
    }

    static func value(from cells: [String: SQLCell]) throws -> ConsentDocument {
        let c = StoredCells(cells: cells, table: table)
        return ConsentDocument(
            id: try c.id("id"), programID: try c.id("program_id"), documentVersion: try c.integer("document_version"), title: try c.text("title"),
            mediaType: try c.enumValue("media_type"), fileName: try c.text("file_name"), sha256: try c.text("sha256"),
            byteCount: try c.integer("byte_count"), witnessRequired: try c.bool("witness_required"), note: try c.optionalText("note"),
            issuedBy: Actor(userID: try c.text("issued_by_user"), role: try c.optionalText("issued_by_role")),
            issuedAt: try c.instant("issued_at"))
    }
}

/// `consent_records` (migration 0043): a participant's signed consent; the participant's site and audit chain.
enum ConsentRecordMapping: TableMapping {
    typealias Value = ConsentRecord
    static let table = "consent_records"
    static let kind = "consent"
    static let columns = [
        Column("id"), Column("participant_id"), Column("enrolment_id"), Column("program_id"), Column("document_id"),
        Column("document_version", .integer), Column("document_sha256"), Column("signer_name"), Column("signed_at"), Column("method"),
        Column("witness_name"), Column("recorded_by_user"), Column("recorded_by_role"), Column("recorded_at"),
    ]
    static func id(of value: ConsentRecord) -> String { value.id.rawValue }

    static func cells(of r: ConsentRecord) throws -> [String: SQLCell] {
        ["id": .text(r.id.rawValue), "participant_id": .text(r.participantID.rawValue), "enrolment_id": .text(r.enrolmentID.rawValue),
         "program_id": .text(r.programID.rawValue), "document_id": .text(r.documentID.rawValue), "document_version": .integer(r.documentVersion),
         "document_sha256": .text(r.documentSHA256), "signer_name": .text(r.signerName), "signed_at": Cell.instant(r.signedAt),
         "method": .text(r.method.rawValue), "witness_name": Cell.text(r.witnessName), "recorded_by_user": .text(r.recordedBy.userID),
         "recorded_by_role": Cell.text(r.recordedBy.role), "recorded_at": Cell.instant(r.recordedAt)]
    }

    static func value(from cells: [String: SQLCell]) throws -> ConsentRecord {
        let c = StoredCells(cells: cells, table: table)
        return ConsentRecord(
            id: try c.id("id"), participantID: try c.id("participant_id"), enrolmentID: try c.id("enrolment_id"),
            programID: try c.id("program_id"), documentID: try c.id("document_id"), documentVersion: try c.integer("document_version"),
            documentSHA256: try c.text("document_sha256"), signerName: try c.text("signer_name"), signedAt: try c.instant("signed_at"),
            method: try c.enumValue("method"), witnessName: try c.optionalText("witness_name"),
            recordedBy: Actor(userID: try c.text("recorded_by_user"), role: try c.optionalText("recorded_by_role")),
            recordedAt: try c.instant("recorded_at"))
    }
}

/// `consent_withdrawals` (migration 0043): a withdrawal of consent with its scope; the participant's site.
enum ConsentWithdrawalMapping: TableMapping {
    typealias Value = ConsentWithdrawal
    static let table = "consent_withdrawals"
    static let kind = "consent withdrawal"
    static let columns = [
        Column("id"), Column("participant_id"), Column("enrolment_id"), Column("scope"), Column("withdrawn_at"), Column("reason"),
        Column("recorded_by_user"), Column("recorded_by_role"), Column("recorded_at"),
    ]
    static func id(of value: ConsentWithdrawal) -> String { value.id.rawValue }

    static func cells(of w: ConsentWithdrawal) throws -> [String: SQLCell] {
        ["id": .text(w.id.rawValue), "participant_id": .text(w.participantID.rawValue), "enrolment_id": .text(w.enrolmentID.rawValue),
         "scope": .text(w.scope.rawValue), "withdrawn_at": Cell.instant(w.withdrawnAt), "reason": Cell.text(w.reason),
         "recorded_by_user": .text(w.recordedBy.userID), "recorded_by_role": Cell.text(w.recordedBy.role),
         "recorded_at": Cell.instant(w.recordedAt)]
    }

    static func value(from cells: [String: SQLCell]) throws -> ConsentWithdrawal {
        let c = StoredCells(cells: cells, table: table)
        return ConsentWithdrawal(
            id: try c.id("id"), participantID: try c.id("participant_id"), enrolmentID: try c.id("enrolment_id"),
            scope: try c.enumValue("scope"), withdrawnAt: try c.instant("withdrawn_at"), reason: try c.optionalText("reason"),
            recordedBy: Actor(userID: try c.text("recorded_by_user"), role: try c.optionalText("recorded_by_role")),
            recordedAt: try c.instant("recorded_at"))
    }
}
