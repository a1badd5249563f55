import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

@Suite("Participants", .serialized)
struct ParticipantRepositoryTests {
    @Test("create, read, update and soft-delete a participant", arguments: TestDatabase.urlsWithFile)
    func crud(url: String) async throws {
        try await TestDatabase.with(url) { db in
            // given
            let repos = try await Fixture.seed(db)
            // when
            let read = try await repos.participants.get("p-1")
            var changed = read.value
            changed.familyName = "Durand"
            let updated = try await repos.participants.update(changed, expectedVersion: 1, context: Fixture.editing())
            // then
            #expect(read.value == Fixture.participant())
            #expect(read.version == 1)
            #expect(updated.version == 2)
            #expect(try await repos.participants.get("p-1").value.familyName == "Durand")
            try await repos.participants.delete("p-1", expectedVersion: 2, context: Fixture.editing("entered in error"))
            await #expect(throws: RepositoryError.notFound(kind: "participant", id: "p-1")) {
                try await repos.participants.get("p-1")
            }
        }
    }

    @Test("the MRN is unique per site, not across sites", arguments: TestDatabase.urls)
    func uniqueMRN(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            await #expect(throws: RepositoryError.duplicate(kind: "participant", field: "MRN at this site")) {
                try await repos.participants.create(Fixture.participant("p-2"), context: Fixture.coordinator, idempotencyKey: nil)
            }
            let elsewhere = try await repos.participants.create(
                Fixture.participant("p-3", site: "site-b"), context: Fixture.coordinator, idempotencyKey: nil)
            #expect(elsewhere.value.mrn == "MRN-001")
            #expect(try await db.count("participants") == 2)
        }
    }

    @Test("editing recorded clinical data without a reason is refused and changes nothing", arguments: TestDatabase.urls)
    func reasonRequired(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            var changed = Fixture.participant()
            changed.mrn = "MRN-999"
            await #expect(throws: RepositoryError.reasonRequired(kind: "participant")) {
                try await repos.participants.update(changed, expectedVersion: 1, context: Fixture.coordinator)
            }
            #expect(try await repos.participants.get("p-1").value.mrn == "MRN-001")
        }
    }

    @Test("search by MRN and by name, scoped to the caller's sites, paged by cursor", arguments: TestDatabase.urls)
    func search(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            for i in 2...7 {
                _ = try await repos.participants.create(
                    Fixture.participant("p-\(i)", mrn: "MRN-00\(i)", given: "Marc", family: "Martin\(i)"),
                    context: Fixture.coordinator, idempotencyKey: nil)
            }
            _ = try await repos.participants.create(
                Fixture.participant("p-b", site: "site-b", mrn: "MRN-002", given: "Marc", family: "Martin"),
                context: Fixture.coordinator, idempotencyKey: nil)
            let siteA: Set<Identifier<Site>> = ["site-a"]

            let byMRN = try await repos.participants.search(ParticipantQuery(siteIDs: siteA, mrn: "MRN-002"))
            #expect(byMRN.items.map(\.value.id) == ["p-2"])

            var seen: [Identifier<Participant>] = []
            var cursor: String?
            repeat {
                let page = try await repos.participants.search(ParticipantQuery(siteIDs: siteA, name: "MARTIN", limit: 4, cursor: cursor))
                seen += page.items.map(\.value.id)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen == ["p-2", "p-3", "p-4", "p-5", "p-6", "p-7"])

            let siteB = try await repos.participants.search(ParticipantQuery(siteIDs: ["site-b"], name: "marc"))
            #expect(siteB.items.map(\.value.id) == ["p-b"])
            let nowhere = try await repos.participants.search(ParticipantQuery(siteIDs: []))
            #expect(nowhere.items.isEmpty)
            let admin = try await repos.participants.search(ParticipantQuery(siteIDs: nil, limit: 200))
            #expect(admin.items.count == 8)
        }
    }

    @Test("opening a participant's record logs a read", arguments: TestDatabase.urls)
    func openLogsRead(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.participants.open("p-1", context: Fixture.coordinator)
            await db.flushReadAudit()
            let history = try await repos.audit.history(table: "participants", recordID: "p-1")
            #expect(history.map(\.action) == [.create, .read])
            #expect(history.last?.actor.userID == "u-coord")
        }
    }
}
