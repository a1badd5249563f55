import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

/// Migration 0035 (docs/amendments.md): every stored enrolment gets the protocol version of its program,
/// verified; afterwards an enrolment without a version is refused by the database and filled from its
/// program by the repository; an enrolment moves to another version only explicitly, audited.
@Suite("Enrolment protocol version: migrating forward", .serialized)
struct EnrolmentProtocolVersionMigrationTests {
    static let name = "0035_EnrolmentProtocolVersion"

    /// The migration just before 0035, whatever it is named.
    static var before: String {
        let index = allMigrations.firstIndex { $0.name == name } ?? 1
        return allMigrations[index - 1].name
    }

    static func insertOldEnrolment(_ db: StorageDatabase, id: String, program: String) async throws {
        let stamp = StoredJSON.format(Fixture.instant)
        try await db.rawSQL("""
            INSERT INTO enrolments (id, participant_id, program_id, site_id, status, transition_count, version, created_at, updated_at)
            VALUES ('\(id)', 'p-1', '\(program)', 'site-a', 'prescreened', 0, 1, '\(stamp)', '\(stamp)')
            """)
    }

    @Test("existing enrolments take their program's version; a new one without a version gets its program's; a NULL is refused", arguments: TestDatabase.urls)
    func movesForward(url: String) async throws {
        try await TestDatabase.with(url, migrated: false) { db in
            try await db.migrator.migrate(through: Self.before)
            try await TypedObservationMigrationTests.insertOldParticipant(db)
            let stamp = StoredJSON.format(Fixture.instant)
            for (id, version) in [("prog-1", "1.0"), ("prog-2", "2.1")] {
                try await db.rawSQL("""
                    INSERT INTO programs (id, protocol_id, protocol_version, name, version, created_at, updated_at)
                    VALUES ('\(id)', 'isotretinoin-noa-\(id)', '\(version)', 'Program \(id)', 1, '\(stamp)', '\(stamp)')
                    """)
            }
            try await Self.insertOldEnrolment(db, id: "e-1", program: "prog-1")
            try await Self.insertOldEnrolment(db, id: "e-2", program: "prog-2")
            let applied = try await db.migrator.migrate()
            #expect(applied.contains(Self.name))
            let repos = db.repositories
            #expect(try await repos.enrolments.get("e-1").value.protocolVersion == "1.0")
            #expect(try await repos.enrolments.get("e-2").value.protocolVersion == "2.1")

            // A NULL version is refused by the database itself.
            await #expect(throws: (any Error).self) {
                try await db.rawSQL("UPDATE enrolments SET protocol_version = NULL WHERE id = 'e-1'")
            }
            #expect(try await repos.enrolments.get("e-1").value.protocolVersion == "1.0")

            // The repository fills a new enrolment's version from its program.
            try await db.rawSQL("UPDATE enrolments SET status = 'withdrawn' WHERE id = 'e-1'")
            let fresh = try await repos.enrolments.create(
                Enrolment(id: "e-3", participantID: "p-1", programID: "prog-1", siteID: "site-a"), context: Fixture.coordinator, idempotencyKey: nil)
            #expect(fresh.value.protocolVersion == "1.0")
            #expect(try await repos.enrolments.get("e-3").value.protocolVersion == "1.0")

            // An explicit move, audited with its reason; the status and transitions are untouched.
            let moved = try await repos.enrolments.setProtocolVersion(
                "e-3", to: "1.1", expectedVersion: fresh.version, context: Fixture.editing("re-consented to amendment 1.1"))
            #expect(moved.value.protocolVersion == "1.1" && moved.value.status == .prescreened && moved.version == fresh.version + 1)
        }
    }
}
