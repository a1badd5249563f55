import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

/// Migration 0048 (issue #16): a database that ran 0042 as it landed (`UNIQUE (enrolment_id)`) gets the allocation
/// key led by site_id; its allocations and unblindings come through with their rows, the never-reallocated rule and
/// the unblindings' reference to their allocation still hold, and the schema passes the site invariants.
@Suite("Randomisation: the allocation key led by site (0048)", .serialized)
struct RandomisationKeysMigrationTests {
    static let before = "0047_FHIRPatientSearchIndexes"

    @Test("allocations and unblindings survive the rebuild; a second allocation and a dangling unblinding are still refused", arguments: TestDatabase.urls)
    func rebuild(url: String) async throws {
        try await TestDatabase.with(url, migrated: false) { db in
            try await db.migrator.migrate(through: Self.before)
            // Today's enrolment writes fill `enrolled_on`, a column 0053 adds: it is there while they seed, gone before 0048 on.
            try await db.rawSQL("ALTER TABLE enrolments ADD COLUMN enrolled_on TEXT")
            var scheme = RandomisationStorageTests.blocks
            scheme.blinding = Blinding(mode: .blinded, blindedRoles: ["coordinator"], kitCodePattern: "KIT-####",
                                       unblindedContacts: ["investigator"])
            let (catalog, definition) = try RandomisationStorageTests.catalog(scheme)
            let repos = try await RandomisationStorageTests.seed(db, definition: definition, count: 2)
            _ = try await repos.users.create(UserAccount(id: "u-inv", username: "inv", role: .investigator, siteIDs: ["site-a"]),
                                             password: nil, context: Fixture.coordinator)
            let first = try await RandomisationStorageTests.service(repos, catalog).randomise(
                "e-1", factors: [:], expectedVersion: 1, at: Fixture.instant, context: RandomisationStorageTests.randomiser)
            _ = try await RandomiseUnblinding(repositories: repos, catalog: catalog, ids: UUIDGenerator())
                .unblind("e-1", reason: "anaphylaxis: treating physician needs the arm", at: Fixture.instant,
                         context: RandomisationStorageTests.investigator)

            try await db.rawSQL("ALTER TABLE enrolments DROP COLUMN enrolled_on")
            #expect(try await db.migrator.migrate().contains("0048_RandomisationKeysLedBySite"))

            let allocation = try await repos.randomisation.allocation(enrolment: "e-1")?.value
            #expect(allocation == first.allocation.value)
            #expect(try await repos.randomisation.unblindings(enrolment: "e-1").count == 1)
            // Never reallocated, by the rebuilt key as well as by the service.
            await #expect(throws: (any Error).self) {
                try await db.rawSQL("""
                    INSERT INTO randomisation_allocations SELECT 'a-copy', enrolment_id, participant_id, program_id, site_id, protocol_id,
                        protocol_version, method, stratum, sequence_number + 100, factor_levels, arm_id, NULL, block_number, block_size,
                        position_in_block, allocated_by_user, allocated_by_role, allocated_at, version, created_at, updated_at, deleted_at
                    FROM randomisation_allocations WHERE enrolment_id = 'e-1'
                    """)
            }
            // The unblindings still reference the (rebuilt) allocations.
            await #expect(throws: (any Error).self) {
                try await db.rawSQL("""
                    INSERT INTO randomisation_unblindings SELECT 'u-dangling', enrolment_id, participant_id, site_id, 'no-such-allocation',
                        reason, unblinded_by_user, unblinded_by_role, unblinded_at, version, created_at, updated_at, deleted_at
                    FROM randomisation_unblindings WHERE enrolment_id = 'e-1'
                    """)
            }
            // The second participant is randomised on the migrated schema as on a new one.
            let second = try await RandomisationStorageTests.service(repos, catalog).randomise(
                "e-2", factors: [:], expectedVersion: 1, at: Fixture.instant, context: RandomisationStorageTests.randomiser)
            #expect(second.allocation.value.sequenceNumber == 2)
            #expect(try await db.count("randomisation_allocations") == 2)
        }
    }
}
