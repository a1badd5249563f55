import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

/// `AuditWriter.appendAll`: many entries in one call (the read queue's flush, a list's new rows) take one
/// head lock, multi-row INSERTs and one head update per chain, and leave chains that verify exactly as if
/// the entries had been appended one by one.
@Suite("Audit entries appended in a batch")
struct AuditBatchAppendTests {
    @Test("450 entries over three chains in one call: every chain intact, in order, and one by one still follows", arguments: TestDatabase.urls)
    func batchAcrossChains(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let writer = AuditWriter(clock: TestDatabase.testClock)
            let sites: [String?] = ["site-a", "site-b", nil]
            let pending = (0..<450).map { n in
                AuditWriter.Pending(action: .read, table: "participants", recordID: "p-\(n)", changes: [],
                                    context: AuditContext(actor: Actor(userID: "u-\(n)", role: "monitor"), requestID: "r-\(n)"),
                                    siteID: sites[n % 3])
            }
            try await db.store.transaction { sql in try await writer.appendAll(sql, pending) }
            // A single append after the batch continues each chain where the batch left it.
            try await db.store.transaction { sql in
                try await writer.append(sql, action: .update, table: "participants", recordID: "p-0", changes: [],
                                        context: Fixture.editing("after the batch"), siteID: "site-a")
            }
            let chains = Dictionary(uniqueKeysWithValues: try await SQLAuditLog(store: db.store).verifyEachChain().map { ($0.siteID ?? "", $0.result) })
            #expect(chains["site-a"] == .intact(entries: 151))
            #expect(chains["site-b"] == .intact(entries: 150))
            #expect(chains[""] == .intact(entries: 150))
            let history = try await db.repositories.audit.history(table: "participants", recordID: "p-4")
            #expect(history.map(\.actor.userID) == ["u-4"])
            #expect(history.first?.requestID == "r-4")
        }
    }

    @Test("a failing batch leaves no entry and no moved chain head", arguments: TestDatabase.urls)
    func batchRollsBack(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let writer = AuditWriter(clock: TestDatabase.testClock)
            struct Abort: Error {}
            let before = try await db.count("audit_log")
            await #expect(throws: Abort.self) {
                try await db.store.transaction { sql in
                    try await writer.appendAll(sql, (0..<5).map { n in
                        AuditWriter.Pending(action: .read, table: "participants", recordID: "p-\(n)", changes: [],
                                            context: Fixture.coordinator, siteID: "site-a")
                    })
                    throw Abort()
                }
            }
            #expect(try await db.count("audit_log") == before)
            #expect(try await db.repositories.audit.verify() == .intact(entries: before))
        }
    }
}
