import Foundation
import Logging
import RestoraDomain
import RestoraStorage
import Testing
@testable import restora

/// `restora program set-version` and `restora program reconsent` (docs/amendments.md): a program moves to a
/// loaded version only, existing enrolments stay, a re-consent moves one; both audited with the reason.
@Suite struct ProgramVersionCommandTests {
    static let setup = AuditContext(actor: Actor(userID: "setup", role: "admin"), requestID: "setup")

    @Test func aProgramMovesToALoadedVersionAndEnrolmentsStayUntilReconsent() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restora-amend-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = "sqlite://\(folder.path)/db.sqlite"
        let protocols = folder.appendingPathComponent("protocols")
        try FileManager.default.createDirectory(at: protocols, withIntermediateDirectories: true)
        let original = try String(contentsOf: ProtocolCommandTests.root.appendingPathComponent("protocols/isotretinoin-noa.yaml"), encoding: .utf8)
        try original.replacingOccurrences(of: "version: \"1.0\"", with: "version: \"1.1\"")
            .write(to: protocols.appendingPathComponent("isotretinoin-noa@1.1.yaml"), atomically: true, encoding: .utf8)

        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let db = try await StorageDatabase.open(url: url, logger: logger)
        try await db.migrator.migrate()
        let repos = db.repositories
        _ = try await repos.sites.create(Site(id: "site-a", code: "A", name: "Clinic A"), context: Self.setup, idempotencyKey: nil)
        _ = try await repos.programs.create(
            Program(id: "prog-iso", protocolID: "isotretinoin-noa", protocolVersion: "1.0", name: "Iso", siteIDs: ["site-a"]),
            context: Self.setup, idempotencyKey: nil)
        _ = try await repos.participants.create(
            Participant(id: "p-1", siteID: "site-a", mrn: "M-1", givenName: "A", familyName: "B", sex: .male,
                        birthDate: CalendarDate(year: 1980, month: 1, day: 1)!),
            context: Self.setup, idempotencyKey: nil)
        _ = try await repos.enrolments.create(Enrolment(id: "e-1", participantID: "p-1", programID: "prog-iso", siteID: "site-a"),
                                              context: Self.setup, idempotencyKey: nil)
        try await db.shutdown()

        let common = ["--database-url", url, "--protocols", protocols.path]
        let unknown = await BackupRestoreTests.failure {
            try await ProgramSetVersionCommand.parse(["isotretinoin-noa", "2.0", "--reason", "x"] + common).execute()
        }
        #expect(unknown?.contains("version 2.0 is not loaded; loaded versions: 1.0, 1.1") == true, "\(unknown ?? "no failure")")
        try await ProgramSetVersionCommand.parse(["isotretinoin-noa", "1.1", "--reason", "amendment 1.1 approved"] + common).execute()
        let again = await BackupRestoreTests.failure {
            try await ProgramSetVersionCommand.parse(["prog-iso", "1.1", "--reason", "again"] + common).execute()
        }
        #expect(again?.contains("already runs") == true)

        let check = try await StorageDatabase.open(url: url, logger: logger)
        #expect(try await check.repositories.programs.get("prog-iso").value.protocolVersion == "1.1")
        #expect(try await check.repositories.enrolments.get("e-1").value.protocolVersion == "1.0", "an existing enrolment keeps its version")
        try await check.shutdown()

        try await ProgramReconsentCommand.parse(["e-1", "--reason", "re-consented on form v1.1, 2026-01-10"] + common).execute()
        let after = try await StorageDatabase.open(url: url, logger: logger)
        #expect(try await after.repositories.enrolments.get("e-1").value.protocolVersion == "1.1")
        let history = try await after.repositories.audit.history(table: "enrolments", recordID: "e-1")
        #expect(history.contains { $0.reason == "re-consented on form v1.1, 2026-01-10" })
        try await after.shutdown()
    }
}
