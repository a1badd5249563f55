import Foundation
import RestoraDomain

/// `signatures.csv` of the CSV package (issue #16 item 3, docs/signatures.md): one row per electronic signature
/// on an exported participant's records, with the printed name, the date and time (UTC) and the meaning —
/// 21 CFR 11.50(b) (REFERENCE.md H1): these appear in every human-readable form of the signed record — and
/// the status as of the export (valid, invalidated, voided) with the hash of the content signed.
/// De-identified packages keep the year of signing only (Safe Harbor allows the year, REFERENCE.md J; the
/// other dates of such a package may be shifted per participant, which a signature's time is not) and no
/// record ids (they are internal keys); the printed name is the signing investigator's, not the participant's.
enum SignaturesCSV {
    static let spec = DatasetSpec(
        name: "signatures", label: "Electronic signatures on the records (21 CFR 11.50)", structure: "One record per signature",
        keys: ["subject", "signed_at", "record_kind"],
        variables: [
            VariableSpec(name: "subject", label: ProgramTables.subjectLabel, dataType: .text),
            VariableSpec(name: "record_kind", label: "What was signed", dataType: .text, codelist: "SIGNED_RECORD",
                         codes: [.init("casebook", "the whole casebook (enrolment)"), .init("visit", "a visit"),
                                 .init("eligibility", "an eligibility decision (screening)"), .init("release", "a cell-product release decision")]),
            VariableSpec(name: "record_id", label: "Identifier of the signed record (empty when de-identified)", dataType: .text),
            VariableSpec(name: "printed_name", label: "Printed name of the signer (21 CFR 11.50(a)(1))", dataType: .text),
            VariableSpec(name: "signer_role", label: "Role of the signer", dataType: .text),
            VariableSpec(name: "meaning", label: "Meaning of the signature (21 CFR 11.50(a)(3))", dataType: .text, codelist: "SIGNATURE_MEANING",
                         codes: SignatureMeaning.allCases.map { .init($0.rawValue, $0.statement) }),
            VariableSpec(name: "signed_at", label: "Date and time of signing, UTC (the year alone when de-identified)", dataType: .datetime),
            VariableSpec(name: "status", label: "Status at export", dataType: .text, codelist: "SIGNATURE_STATUS",
                         codes: [.init("valid", "the signed content is unchanged"),
                                 .init("invalidated", "a record it covers changed after signing"),
                                 .init("voided", "voided by an unlock of the record")]),
            VariableSpec(name: "content_sha256", label: "SHA-256 of the signed content at signing (21 CFR 11.70)", dataType: .text),
        ])

    static func kindCode(_ kind: SignedRecordKind) -> String {
        switch kind {
        case .casebook: return "casebook"
        case .visit: return "visit"
        case .eligibility: return "eligibility"
        case .release: return "release"
        }
    }

    /// Writes the table for the signatures of the exported participants (`subjects`: participant → subject id).
    static func write(
        _ signatures: [Versioned<ElectronicSignature>], subjects: [Identifier<Participant>: String], deidentified: Bool, directory: URL
    ) throws -> [ExportedFile] {
        var writer = try CSVDatasetWriter(spec: spec, directory: directory)
        let rows = signatures.map(\.value).compactMap { s in subjects[s.participantID].map { (s, $0) } }
            .sorted { ($0.1, $0.0.signedAt, $0.0.id) < ($1.1, $1.0.signedAt, $1.0.id) }
        // The package's one datetime form (ExportParticipant.dateTimeText: UTC, `YYYY-MM-DDTHH:MM:SS`), or the year alone.
        let precision: ExportParticipant.DatePrecision = deidentified ? .year : .day
        for (s, subject) in rows {
            try writer.append([
                .text(subject), .text(kindCode(s.target.kind)), deidentified ? .missing : .text(s.target.id), .text(s.printedName),
                .text(s.signer.role), .text(s.meaning.rawValue), .text(ExportParticipant.dateTimeText(s.signedAt, precision: precision)),
                .text(s.status.rawValue), .text(s.contentHash),
            ])
        }
        return try writer.finish()
    }
}
