import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

@Suite("Versions and idempotency", .serialized)
struct ConcurrencyTests {
    @Test("a stale version is a conflict and changes nothing", arguments: TestDatabase.urls)
    func staleVersion(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            var first = Fixture.participant()
            first.givenName = "Jacques"
            _ = try await repos.participants.update(first, expectedVersion: 1, context: Fixture.editing())
            var second = Fixture.participant()
            second.givenName = "Paul"
            await #expect(throws: RepositoryError.staleVersion(kind: "participant", id: "p-1", expected: 1)) {
                try await repos.participants.update(second, expectedVersion: 1, context: Fixture.editing())
            }
            let stored = try await repos.participants.get("p-1")
            #expect(stored.value.givenName == "Jacques")
            #expect(stored.version == 2)
            #expect(try await repos.audit.history(table: "participants", recordID: "p-1").count == 2)
        }
    }

    @Test("50 concurrent updates with the same expected version: exactly one succeeds", arguments: TestDatabase.urls)
    func concurrentUpdates(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            let participants = repos.participants
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for i in 0..<50 {
                    group.addTask {
                        var changed = Fixture.participant()
                        changed.givenName = "Writer \(i)"
                        do {
                            _ = try await participants.update(changed, expectedVersion: 1, context: Fixture.editing())
                            return true
                        } catch RepositoryError.staleVersion {
                            return false
                        } catch {
                            Issue.record("unexpected error: \(error)")
                            return false
                        }
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(try await participants.get("p-1").version == 2)
            #expect(try await repos.audit.history(table: "participants", recordID: "p-1").filter { $0.action == .update }.count == 1)
        }
    }

    @Test("50 concurrent creates with one idempotency key make one record", arguments: TestDatabase.urls)
    func concurrentCreates(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            let observations = repos.observations
            let ids = try await withThrowingTaskGroup(of: Identifier<Observation>.self) { group in
                for i in 0..<50 {
                    group.addTask {
                        // Each retry gets a fresh server-side id, as a real retried request would.
                        try await observations.create(Fixture.observation("o-\(i)"), context: Fixture.coordinator, idempotencyKey: "key-1").value.id
                    }
                }
                return try await group.reduce(into: Set<Identifier<Observation>>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            #expect(try await db.count("observations") == 1)
            #expect(try await observations.list(participant: "p-1").count == 1)
        }
    }

    @Test("an idempotency key reused with a different body is refused", arguments: TestDatabase.urls)
    func keyReuse(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.observations.create(Fixture.observation("o-1", value: 150), context: Fixture.coordinator, idempotencyKey: "k")
            await #expect(throws: RepositoryError.idempotencyKeyReused(key: "k")) {
                try await repos.observations.create(Fixture.observation("o-2", value: 151), context: Fixture.coordinator, idempotencyKey: "k")
            }
            #expect(try await db.count("observations") == 1)
        }
    }
}
