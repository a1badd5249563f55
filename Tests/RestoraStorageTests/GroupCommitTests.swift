import Foundation
import Logging
import RestoraDomain
@testable import RestoraStorage
import Testing

/// Issue #13 item 4 on the embedded database: concurrent write transactions share commits, each stays
/// isolated (one that fails is rolled back alone), and the audit chain stays one intact chain.
@Suite("SQLite group commit", .serialized)
struct GroupCommitTests {
    @Test("64 concurrent creates, every fourth refused as a duplicate: the rest commit in fewer commits than transactions")
    func grouped() async throws {
        try await ReaderPoolTests.withFileDatabase { db in
            let repos = try await Fixture.seed(db)
            let sqlite = try #require(db.store as? SQLiteStore)
            let before = await sqlite.groupCommits
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<64 {
                    group.addTask {
                        // Every fourth reuses lot LOT-0: the first of them wins, the others are duplicates.
                        let lot = i.isMultiple(of: 4) ? "LOT-0" : "LOT-\(i)"
                        do {
                            _ = try await repos.cellProducts.create(Fixture.cellProduct("cp-\(i)", lot: lot), context: Fixture.coordinator, idempotencyKey: nil)
                            return true
                        } catch RepositoryError.duplicate {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            let stored = try await repos.cellProducts.list(participant: "p-1")
            #expect(outcomes.filter { $0 }.count == 49)
            #expect(stored.count == 49)
            #expect(Set(stored.map(\.value.lot)).count == 49)
            let after = await sqlite.groupCommits
            #expect(after.transactions - before.transactions == 49)
            #expect(after.batches - before.batches < 49, "concurrent transactions should share commits")
            if case let .broken(sequence, problem) = try await repos.audit.verify() {
                Issue.record("chain broken at \(sequence): \(problem)")
            }
        }
    }
}
