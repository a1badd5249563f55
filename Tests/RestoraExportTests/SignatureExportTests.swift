import Foundation
import RestoraDomain
import Testing
@testable import RestoraExport

/// `signatures.csv` (issue #16 item 3, docs/signatures.md): printed name, UTC time, meaning and status of every
/// signature on the exported participants' records (21 CFR 11.50(b)); the year alone and no record ids when
/// de-identified; signatures of participants not exported are left out.
@Suite struct SignatureExportTests {
    static func signature(_ id: String, participant: String, status: SignatureStatus) -> Versioned<ElectronicSignature> {
        let at = Date(timeIntervalSince1970: 1_767_263_400)  // 2026-01-01T10:30:00Z
        return Versioned(value: ElectronicSignature(
            id: Identifier(id), target: SignatureTarget(kind: .visit, id: "v-\(id)"), participantID: Identifier(participant), enrolmentID: "e-1",
            signer: Actor(userID: "u-inv", role: "investigator"), signerUsername: "inv", printedName: "Dr Ines Varga", meaning: .review,
            signedAt: at, contentHash: String(repeating: "ab", count: 32), status: status), version: 1, createdAt: at, updatedAt: at)
    }

    func written(deidentified: Bool) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sig-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try SignaturesCSV.write(
            [Self.signature("s1", participant: "p-1", status: .valid), Self.signature("s2", participant: "p-1", status: .invalidated),
             Self.signature("s3", participant: "p-not-exported", status: .valid)],
            subjects: ["p-1": deidentified ? "SUBJ-0001" : "A-001"], deidentified: deidentified, directory: folder)
        #expect(files.count == 1)
        return try String(contentsOf: folder.appendingPathComponent("signatures.csv"), encoding: .utf8)
    }

    @Test func everySignatureOfAnExportedParticipantWithNameTimeMeaningAndStatus() throws {
        let text = try written(deidentified: false)
        let lines = text.split(whereSeparator: \.isNewline)
        #expect(lines.first == "subject,record_kind,record_id,printed_name,signer_role,meaning,signed_at,status,content_sha256")
        #expect(lines.count == 3)
        #expect(text.contains("A-001,visit,v-s1,Dr Ines Varga,investigator,review,2026-01-01T10:30:00,valid,"))
        #expect(text.contains("invalidated"))
        #expect(!text.contains("p-not-exported") && !text.contains("v-s3"))
    }

    @Test func aDeidentifiedPackageKeepsTheYearAndNoRecordIDs() throws {
        let text = try written(deidentified: true)
        #expect(text.contains("SUBJ-0001,visit,,Dr Ines Varga,investigator,review,2026,valid,"))
        #expect(!text.contains("v-s1") && !text.contains("10:30"))
    }

    @Test func theDictionaryDescribesTheTable() {
        #expect(SignaturesCSV.spec.variables.map(\.name).contains("printed_name"))
        #expect(SignaturesCSV.spec.variables.first { $0.name == "meaning" }?.codes.count == 4)
    }
}
