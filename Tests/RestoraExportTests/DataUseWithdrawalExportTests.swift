import Foundation
import RestoraDomain
import Testing
@testable import RestoraExport

/// A participant who withdrew consent to the use of their data (issue #16 item 2, docs/consent.md) is left out of
/// every export made afterwards, and asking for them by name is refused rather than silently exporting fewer.
/// Uses the demo's randomised trial, which no other export test reads (the demo database is shared).
@Suite struct DataUseWithdrawalExportTests {
    @Test func aDataUseWithdrawalLeavesTheParticipantOutOfLaterExports() async throws {
        let demo = try await ExportDemo.get()
        let repositories = demo.storage.repositories
        let program = try await demo.program("isotretinoin-rct")
        let enrolments = try await repositories.enrolments.list(program: program.id)
        let consented = try #require(enrolments.first { [.enrolled, .onTreatment, .followUp].contains($0.value.status) })
        let participant = consented.value.participantID
        let context = AuditContext(actor: Actor(userID: "u-inv", role: "investigator"), requestID: "data-use-test")
        _ = try await ConsentWithdrawals(repositories: repositories).withdraw(
            .init(scope: "data-use", reason: "no longer wants the data used"), enrolment: consented.value.id,
            expectedVersion: consented.version, id: Identifier("w-data-use-export"), now: Date(), context: context)

        let folder = try ExportDemo.temporaryFolder().appendingPathComponent("package")
        let outcome = try await ExportRun.run(
            ExportRequest(kind: .csv, programID: program.id, deidentify: false), into: folder, repositories: repositories,
            catalog: demo.catalog, createdBy: "dm1 (data-manager)", synthetic: true, version: "test")
        #expect(!outcome.participantIDs.isEmpty)
        #expect(!outcome.participantIDs.contains(participant))
        #expect(outcome.manifest.participants == enrolments.count - 1)

        let other = try ExportDemo.temporaryFolder().appendingPathComponent("package")
        do {
            _ = try await ExportRun.run(
                ExportRequest(kind: .csv, programID: program.id, deidentify: false, participants: [participant]), into: other,
                repositories: repositories, catalog: demo.catalog, createdBy: "dm1 (data-manager)", synthetic: true, version: "test")
            Issue.record("a participant who withdrew consent to the use of their data was exported on request")
        } catch let error as ExportError {
            #expect(error.message.contains(participant.rawValue) && error.message.contains("use of their data"))
        }
        #expect(!FileManager.default.fileExists(atPath: other.path))
    }
}
