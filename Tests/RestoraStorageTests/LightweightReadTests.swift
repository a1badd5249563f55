import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

/// The two narrow reads a bulk import's checks use instead of whole records (BENCHMARKS.md "`restora import fhir`
/// …"): enrolments without their transition rows (`ActionReads`) and participants' sites (the FHIR visibility
/// check). Each must answer what the whole read answers for the fields it keeps, and nothing for what is absent.
@Suite("Narrow reads for the rule scope and the site check", .serialized)
struct LightweightReadTests {
    @Test("enrolments without transitions: the same rows as the full list, with every history empty", arguments: TestDatabase.urls)
    func enrolmentsWithoutTransitions(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.participants.create(Fixture.participant("p-2", mrn: "MRN-002"), context: Fixture.coordinator, idempotencyKey: nil)
            _ = try await repos.programs.create(Fixture.program(), context: Fixture.coordinator, idempotencyKey: nil)
            var other = Fixture.program("prog-2")
            other.protocolID = "MSC-OP"
            _ = try await repos.programs.create(other, context: Fixture.coordinator, idempotencyKey: nil)
            for (id, participant, program) in [("e-1", "p-1", "prog-1"), ("e-2", "p-1", "prog-2"), ("e-3", "p-2", "prog-1")] {
                _ = try await repos.enrolments.create(
                    Enrolment(id: Identifier(id), participantID: Identifier(participant), programID: Identifier(program), siteID: "site-a"),
                    context: Fixture.coordinator, idempotencyKey: nil)
            }
            var version = 1
            for status in [EnrolmentStatus.screening, .eligible] {
                version = try await repos.enrolments.transition(
                    "e-1", to: status, at: Fixture.instant, expectedVersion: version, context: Fixture.editing("per protocol")).version
            }

            let full = try await repos.enrolments.list(participants: ["p-1", "p-2", "p-unknown"]).sorted { $0.value.id.rawValue < $1.value.id.rawValue }
            let light = try await repos.enrolments.listWithoutTransitions(participants: ["p-1", "p-2", "p-unknown"])
                .sorted { $0.value.id.rawValue < $1.value.id.rawValue }

            #expect(full.first?.value.transitions.count == 2)   // the full read has the history the light one leaves out
            #expect(light.map(\.value.id) == ["e-1", "e-2", "e-3"])
            #expect(light.allSatisfy { $0.value.transitions.isEmpty })
            for (a, b) in zip(full, light) {
                #expect(a.value.status == b.value.status)
                #expect(a.value.programID == b.value.programID)
                #expect(a.value.participantID == b.value.participantID)
                #expect(a.value.protocolVersion == b.value.protocolVersion)
                #expect(a.version == b.version)
            }
            #expect(light.first?.value.status == .eligible)
            #expect(try await repos.enrolments.listWithoutTransitions(participants: []).isEmpty)
        }
    }

    @Test("participants' sites: each existing participant's site; unknown and deleted participants are absent", arguments: TestDatabase.urls)
    func participantSites(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.participants.create(
                Fixture.participant("p-b", site: "site-b", mrn: "MRN-009"), context: Fixture.coordinator, idempotencyKey: nil)
            _ = try await repos.participants.create(Fixture.participant("p-gone", mrn: "MRN-010"), context: Fixture.coordinator, idempotencyKey: nil)
            try await repos.participants.delete("p-gone", expectedVersion: 1, context: Fixture.editing("entered in error"))
            // Sorts after every "p-none-…" id: it is in the third chunk of 500, so a read of the first chunk alone misses it.
            _ = try await repos.participants.create(
                Fixture.participant("p-zz", site: "site-b", mrn: "MRN-011"), context: Fixture.coordinator, idempotencyKey: nil)

            // Repeated ids count once; more than one chunk of 500 ids is read whole.
            let many = (0..<1_200).map { Identifier<Participant>("p-none-\($0)") }
            let sites = try await repos.participants.sites(of: ["p-1", "p-b", "p-1", "p-gone", "p-unknown"] + many + ["p-zz"])

            #expect(sites == ["p-1": "site-a", "p-b": "site-b", "p-zz": "site-b"])
            #expect(try await repos.participants.sites(of: []).isEmpty)
        }
    }

    @Test("the writer keeps its statement journals in memory", arguments: TestDatabase.urls.filter { $0.hasPrefix("sqlite") })
    func writerTempStore(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let store = try #require(db.store as? SQLiteStore)
            let mode = try await store.onWriter { sql in try await sql.raw("PRAGMA temp_store").first()?.decode(column: "temp_store", as: Int.self) }
            #expect(mode == 2)   // 2 = MEMORY
        }
    }

    @Test("a bulk load checkpoints every 10,000 WAL pages, then the default 1,000 again; writes are read back throughout")
    func bulkLoadCheckpointInterval() async throws {
        try await ReaderPoolTests.withFileDatabase { db in
            let store = try #require(db.store as? SQLiteStore)
            func interval() async throws -> Int? { try await Self.walAutocheckpoint(store) }
            let repos = try await Fixture.seed(db)
            #expect(try await interval() == 1_000)
            try await db.checkpointLessOftenForBulkLoad()
            #expect(try await interval() == StorageDatabase.bulkLoadCheckpointPages)
            #expect(StorageDatabase.bulkLoadCheckpointPages == 10_000)
            _ = try await repos.observations.create(Fixture.observation("o-bulk"), context: Fixture.coordinator, idempotencyKey: nil)
            try await db.restoreCheckpointInterval()
            #expect(try await interval() == 1_000)
            #expect(try await repos.observations.list(participant: "p-1").map(\.value.id) == ["o-bulk"])
        }
    }

    @Test("the bulk-load checkpoint interval is no setting at all for an in-memory or PostgreSQL database", arguments: TestDatabase.urls)
    func bulkLoadCheckpointElsewhere(url: String) async throws {
        try await TestDatabase.with(url) { db in
            try await db.checkpointLessOftenForBulkLoad()
            if let store = db.store as? SQLiteStore {   // in memory: SQLite's default, untouched
                #expect(try await Self.walAutocheckpoint(store) == 1_000)
            }
            try await db.restoreCheckpointInterval()
        }
    }

    /// The writer's checkpoint interval in WAL pages.
    static func walAutocheckpoint(_ store: SQLiteStore) async throws -> Int? {
        try await store.onWriter { sql in try await sql.raw("PRAGMA wal_autocheckpoint").first()?.decode(column: "wal_autocheckpoint", as: Int.self) }
    }
}
