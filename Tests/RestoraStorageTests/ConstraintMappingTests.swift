import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

/// Issue #12 item 1 and 5, at the storage boundary: a constraint the database enforces reaches the caller as
/// a domain error (duplicate → 409, unknown reference → 422), never as a driver error (500), on both engines;
/// and one open enrolment per participant and program holds in the database itself (migration 0021).
@Suite("Constraint violations become domain errors", .serialized)
struct ConstraintMappingTests {
    @Test("a foreign key to nothing is unknownReference, and nothing is written", arguments: TestDatabase.urls)
    func foreignKey(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            var observation = Fixture.observation()
            observation.visitID = "nope"
            await #expect(throws: RepositoryError.unknownReference(kind: "observation")) {
                try await repos.observations.create(observation, context: Fixture.coordinator, idempotencyKey: nil)
            }
            var product = Fixture.cellProduct()
            product.harvestProcedureID = "nope"
            await #expect(throws: RepositoryError.unknownReference(kind: "cell product")) {
                try await repos.cellProducts.create(product, context: Fixture.coordinator, idempotencyKey: nil)
            }
            #expect(try await repos.observations.list(participant: "p-1").isEmpty)
            #expect(try await repos.cellProducts.list(participant: "p-1").isEmpty)
        }
    }

    @Test("a second open enrolment in one program is a duplicate; closed ones do not count; reopening one that would clash is refused",
          arguments: TestDatabase.urls)
    func oneOpenEnrolment(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.programs.create(Fixture.program(), context: Fixture.coordinator, idempotencyKey: nil)
            let duplicate = RepositoryError.duplicate(kind: "enrolment", field: EnrolmentMapping.uniqueField)
            _ = try await repos.enrolments.create(Enrolment(id: "e-1", participantID: "p-1", programID: "prog-1", siteID: "site-a"),
                                                  context: Fixture.coordinator, idempotencyKey: nil)
            await #expect(throws: duplicate) {
                try await repos.enrolments.create(Enrolment(id: "e-2", participantID: "p-1", programID: "prog-1", siteID: "site-a"),
                                                  context: Fixture.coordinator, idempotencyKey: nil)
            }
            // e-1 fails screening: the program is free again for a new enrolment.
            _ = try await repos.enrolments.transition("e-1", to: .screening, at: Fixture.instant, expectedVersion: 1, context: Fixture.editing("booked"))
            _ = try await repos.enrolments.transition("e-1", to: .screenFailed, at: Fixture.instant, expectedVersion: 2, context: Fixture.editing("FSH"))
            _ = try await repos.enrolments.create(Enrolment(id: "e-3", participantID: "p-1", programID: "prog-1", siteID: "site-a"),
                                                  context: Fixture.coordinator, idempotencyKey: nil)
            // Screening e-1 again would make two open enrolments.
            await #expect(throws: duplicate) {
                try await repos.enrolments.transition("e-1", to: .screening, at: Fixture.instant, expectedVersion: 3, context: Fixture.editing("rescreen"))
            }
            #expect(try await repos.enrolments.get("e-1").value.status == .screenFailed)
            #expect(try await repos.enrolments.list(participant: "p-1").count == 2)
        }
    }

    @Test("the duplicate message reads as English")
    func article() {
        #expect(RepositoryError.duplicate(kind: "enrolment", field: "x").description == "an enrolment with this x already exists")
        #expect(RepositoryError.duplicate(kind: "site", field: "code").description == "a site with this code already exists")
    }
}

/// Migration 0021 on a database that already breaks it stops with advice, applying nothing of itself.
@Suite("Upgrading over data that breaks a new constraint", .serialized)
struct MigrationBlockedByDataTests {
    @Test("two open enrolments of one participant in one program block migration 0021 with advice", arguments: TestDatabase.urls)
    func blocked(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.programs.create(Fixture.program(), context: Fixture.coordinator, idempotencyKey: nil)
            // A database from before 0021: the index is not there yet, and two open enrolments were stored.
            // (0028 replaced 0021's index by one led by site_id; the test drops the one that holds the rule now.)
            try await db.rawSQL("DROP INDEX enrolments_site_one_open_per_program")
            try await db.rawSQL("DELETE FROM restora_migrations WHERE name = '0021_OneOpenEnrolmentPerProgram'")
            for id in ["e-1", "e-2"] {
                _ = try await repos.enrolments.create(Enrolment(id: Identifier(id), participantID: "p-1", programID: "prog-1", siteID: "site-a"),
                                                      context: Fixture.coordinator, idempotencyKey: nil)
            }
            await #expect(throws: StorageError.migrationBlockedByData(
                name: "0021_OneOpenEnrolmentPerProgram", advice: m0021_OneOpenEnrolmentPerProgram.ifDataConflicts ?? "")) {
                try await db.migrator.migrate()
            }
            #expect(try await !db.migrator.applied().contains("0021_OneOpenEnrolmentPerProgram"))
            // With the extra one withdrawn, the upgrade goes through.
            _ = try await repos.enrolments.transition("e-2", to: .withdrawn, at: Fixture.instant, expectedVersion: 1, context: Fixture.editing("duplicate"))
            #expect(try await db.migrator.migrate() == ["0021_OneOpenEnrolmentPerProgram"])
        }
    }
}
