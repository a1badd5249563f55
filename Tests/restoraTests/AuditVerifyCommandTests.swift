import Foundation
import ArgumentParser
import Logging
import RestoraDomain
@testable import RestoraStorage
import Testing
@testable import restora

/// `restora audit verify` reports every chain (one per site, one site-less) and names the broken one.
@Suite("audit verify per chain")
struct AuditVerifyCommandTests {
    static let setup = AuditContext(actor: Actor(userID: "setup", role: "admin"), requestID: "setup")

    @Test("one line per chain; a change in one site's chain is named with its entry, the others stay intact")
    func perChainReport() async throws {
        var logger = Logger(label: "restora.tests")
        logger.logLevel = .warning
        let db = try await StorageDatabase.open(url: "sqlite::memory:", logger: logger)
        try await db.migrator.migrate()
        let repos = db.repositories
        for site in ["site-a", "site-b"] {
            _ = try await repos.sites.create(Site(id: Identifier(site), code: site, name: site), context: Self.setup, idempotencyKey: nil)
        }
        for (n, site) in ["site-a", "site-b", "site-b"].enumerated() {
            let participant = Participant(id: Identifier("p-\(n)"), siteID: Identifier(site), mrn: "MRN-\(n)", givenName: "Ana",
                                          familyName: "Lopez", sex: .female, birthDate: CalendarDate(year: 1980, month: 3, day: 1)!)
            _ = try await repos.participants.create(participant, context: Self.setup, idempotencyKey: nil)
        }
        let intact = AuditVerifyCommand.report(try await repos.audit.verifyEachChainIfKept())
        #expect(intact.lines == ["the site-less chain: intact, 2 entries", "the chain of site site-a: intact, 1 entries",
                                 "the chain of site site-b: intact, 2 entries", "audit trail intact: 5 entries in 3 chains"])
        #expect(intact.intact)

        try await db.store.transaction { sql in
            try await sql.raw("UPDATE audit_log SET actor_id = 'someone-else' WHERE chain_id = 'site-b' AND sequence = 2").run()
        }
        let broken = AuditVerifyCommand.report(try await repos.audit.verifyEachChainIfKept())
        #expect(broken.lines == [
            "the site-less chain: intact, 2 entries", "the chain of site site-a: intact, 1 entries",
            "the chain of site site-b: BROKEN at entry 2: entry 2 does not match its hash (changed or inserted)",
            "audit trail BROKEN: 1 of 3 chains",
        ])
        #expect(!broken.intact)
        try await db.shutdown()
    }
}

/// `restora audit verify --records`, `restora audit anchor` and `verify --anchor`, end to end on a database file.
@Suite("audit verify --records and anchors", .serialized)
struct AuditRecordsCommandTests {
    static let setup = AuditVerifyCommandTests.setup

    @Test("a clean file verifies (exit 0); an observation edited in SQL is named with its field and the command fails")
    func recordsEndToEnd() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restora-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = "sqlite://\(folder.appendingPathComponent("restora.sqlite").path)"
        let anchorFile = folder.appendingPathComponent("anchor.json").path
        var logger = Logger(label: "restora.tests")
        logger.logLevel = .warning
        let db = try await StorageDatabase.open(url: url, logger: logger)
        try await db.migrator.migrate()
        let repos = db.repositories
        _ = try await repos.sites.create(Site(id: "site-a", code: "A", name: "A"), context: Self.setup, idempotencyKey: nil)
        _ = try await repos.participants.create(
            Participant(id: "p-1", siteID: "site-a", mrn: "MRN-1", givenName: "Ana", familyName: "Lopez", sex: .female,
                        birthDate: CalendarDate(year: 1980, month: 3, day: 1)!), context: Self.setup, idempotencyKey: nil)
        _ = try await repos.observations.create(
            Observation(id: "o-1", participantID: "p-1", code: Coding(.loinc, "2093-3", display: "Cholesterol"),
                        value: .quantity(Quantity(190, "mg/dL")), effective: Date(timeIntervalSince1970: 1_767_312_000)),
            context: Self.setup, idempotencyKey: nil)
        try await db.shutdown()

        try await AuditVerifyCommand.parse(["--database-url", url, "--records"]).run()
        try await AuditAnchorCommand.parse(["--database-url", url, "--output", anchorFile]).run()
        let anchor = try AuditAnchorCommand.read(anchorFile)
        #expect(anchor.heads.map(\.chain) == ["", "site-a"])
        try await AuditVerifyCommand.parse(["--database-url", url, "--anchor", anchorFile]).run()

        let tampered = try await StorageDatabase.open(url: url, logger: logger)
        try await tampered.store.transaction { sql in try await sql.raw("UPDATE observations SET value_number = 95 WHERE id = 'o-1'").run() }
        let (lines, intact) = try await AuditVerifyCommand.verify(tampered, records: true, anchor: anchor)
        try await tampered.shutdown()
        #expect(!intact)
        #expect(lines.contains("observation o-1 (observations): CHANGED outside Restora, field value_number"))
        #expect(lines.contains("observations: 1 of 1 rows differ from the audit trail"))
        #expect(lines.contains { $0.hasPrefix("records DIFFER: 1 problems in 1 of ") })
        // The chain lines are the same as without --records: the trail itself was not touched.
        #expect(lines.first == "the site-less chain: intact, 1 entries")
        #expect(lines.contains("anchor the chain of site site-a at entry 2: holds"))
        await #expect(throws: ExitCode(1)) { try await AuditVerifyCommand.parse(["--database-url", url, "--records"]).run() }
        // Without --records the command checks the chains only, as before, and passes.
        try await AuditVerifyCommand.parse(["--database-url", url]).run()
        #expect(throws: ValidationError.self) { try AuditAnchorCommand.read(folder.appendingPathComponent("restora.sqlite").path) }
    }
}
