import Foundation
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
