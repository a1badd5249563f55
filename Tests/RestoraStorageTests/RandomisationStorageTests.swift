import Foundation
import RestoraDomain
@testable import RestoraStorage
import SQLKit
import Testing

/// Randomisation in the store (issue #16 item 1, migration 0042): `RandomiseEnrolment` over real storage on SQLite
/// and PostgreSQL — the allocation commits with the move to enrolled or not at all, never twice, with a gap-free
/// valid block sequence under 50 concurrent requests in one stratum; blinding and audited emergency unblinding.
@Suite("Randomisation storage and service", .serialized)
struct RandomisationStorageTests {
    static let protocolID = "iso-rct-test"
    static let randomiser = AuditContext(actor: Actor(userID: "u-coord", role: "coordinator"), requestID: "req-r")
    static let investigator = AuditContext(actor: Actor(userID: "u-inv", role: "investigator"), requestID: "req-u")

    /// The repository's isotretinoin protocol with a `randomisation:` section (1:1, blocks 2/4/6 by site).
    static func catalog(_ scheme: RandomisationScheme) throws -> (ProtocolCatalog, ProtocolDefinition) {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var definition = try ProtocolCatalog.load(directory: root.appendingPathComponent("protocols").path).definition(id: "isotretinoin-noa")
        definition.id = protocolID
        definition.randomisation = scheme
        return (ProtocolCatalog(directory: "test", protocols: [definition]), definition)
    }

    static let blocks = RandomisationScheme(arms: ["isotretinoin", "observation"], ratio: [1, 1], method: .permutedBlocks,
                                            blocks: BlockSettings(sizes: [2, 4, 6], strata: ["site"]))

    /// Site A, site B, the randomised program, and `count` participants at site A each with a consented enrolment
    /// screened eligible (so every gate of the move to enrolled passes).
    static func seed(_ db: StorageDatabase, definition: ProtocolDefinition, count: Int) async throws -> Repositories {
        let repos = db.repositories
        let setup = Fixture.coordinator
        _ = try await repos.sites.create(Fixture.site(), context: setup, idempotencyKey: nil)
        _ = try await repos.sites.create(Fixture.site("site-b", code: "B"), context: setup, idempotencyKey: nil)
        _ = try await repos.programs.create(
            Program(id: "prog-r", protocolID: definition.id, protocolVersion: definition.version, name: "RCT", siteIDs: ["site-a", "site-b"]),
            context: setup, idempotencyKey: nil)
        for i in 1...count {
            _ = try await repos.participants.create(Fixture.participant("p-\(i)", mrn: "MRN-\(i)"), context: setup, idempotencyKey: nil)
            _ = try await repos.enrolments.create(
                Enrolment(id: Identifier("e-\(i)"), participantID: Identifier("p-\(i)"), programID: "prog-r", siteID: "site-a",
                          status: .consented, protocolVersion: definition.version),
                context: setup, idempotencyKey: nil)
            let result = CriterionResult(criterion: definition.inclusion[0], role: .inclusion, result: RuleResult(.met, "test"))
            let report = EligibilityReport(protocolID: definition.id, protocolVersion: definition.version, participantID: "p-\(i)",
                                           date: CalendarDate(year: 2025, month: 12, day: 20)!, criteria: [result])
            _ = try await repos.screenings.create(
                ScreeningRecord(id: Identifier("s-\(i)"), participantID: Identifier("p-\(i)"), enrolmentID: Identifier("e-\(i)"),
                                report: report, screenedBy: Actor(userID: "u-coord", role: "coordinator")),
                context: setup, idempotencyKey: nil)
        }
        return repos
    }

    static func service(_ repos: Repositories, _ catalog: ProtocolCatalog) -> RandomiseEnrolment {
        RandomiseEnrolment(repositories: repos, catalog: catalog, ids: UUIDGenerator())
    }

    @Test("50 simultaneous randomisations in one stratum: sequence 1…50, no gap, no duplicate, every block valid", arguments: TestDatabase.urls)
    func concurrentStratum(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let (catalog, definition) = try Self.catalog(Self.blocks)
            let repos = try await Self.seed(db, definition: definition, count: 50)
            let service = Self.service(repos, catalog)
            let results = await withTaskGroup(of: String?.self) { group in
                for i in 1...50 {
                    group.addTask {
                        do {
                            _ = try await service.randomise(Identifier("e-\(i)"), factors: [:], expectedVersion: 1, at: Fixture.instant,
                                                            context: Self.randomiser)
                            return nil
                        } catch { return "e-\(i): \(error)" }
                    }
                }
                return await group.reduce(into: [String]()) { if let e = $1 { $0.append(e) } }
            }
            #expect(results.isEmpty, "\(results)")
            let allocations = try await repos.randomisation.list(program: "prog-r", sites: nil).map(\.value)
            #expect(allocations.count == 50)
            #expect(allocations.map(\.sequenceNumber) == Array(1...50))
            #expect(Set(allocations.map(\.enrolmentID)).count == 50)
            #expect(Set(allocations.map(\.stratum)) == ["site=A"])
            // Blocks: consecutive numbers, positions 1…size in order, each completed block exactly 1:1.
            let byBlock = Dictionary(grouping: allocations, by: { $0.blockNumber ?? 0 })
            #expect(byBlock.keys.sorted() == Array(1...byBlock.count))
            for number in byBlock.keys.sorted() {
                let block = byBlock[number]!.sorted { $0.sequenceNumber < $1.sequenceNumber }
                let size = block[0].blockSize ?? 0
                #expect([2, 4, 6].contains(size))
                #expect(block.allSatisfy { $0.blockSize == size })
                #expect(block.map { $0.positionInBlock ?? 0 } == Array(1...block.count))
                let iso = block.filter { $0.armID == "isotretinoin" }.count
                if number < byBlock.count {
                    #expect(block.count == size && iso * 2 == size, "block \(number) is not balanced")
                } else {
                    #expect(abs(iso - (block.count - iso)) <= size / 2)
                }
            }
            // Each enrolment enrolled, with its arm (open label), and the stratum's count matches.
            for a in allocations {
                let e = try await repos.enrolments.get(a.enrolmentID).value
                #expect(e.status == .enrolled && e.armID == a.armID)
            }
            let count = try await db.store.read { sql in
                try await sql.raw("SELECT allocation_count FROM randomisation_strata WHERE program_id = 'prog-r'").first()?
                    .decode(column: "allocation_count", as: Int.self)
            }
            #expect(count == 50)
            guard case .intact = try await repos.audit.verify() else { Issue.record("audit chain broken"); return }
        }
    }

    @Test("never reallocated: a second randomisation is a conflict and writes nothing", arguments: TestDatabase.urls)
    func secondRandomisation(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let (catalog, definition) = try Self.catalog(Self.blocks)
            let repos = try await Self.seed(db, definition: definition, count: 1)
            let first = try await Self.service(repos, catalog).randomise("e-1", factors: [:], expectedVersion: 1, at: Fixture.instant,
                                                                         context: Self.randomiser)
            await #expect(throws: RepositoryError.self) {
                try await Self.service(repos, catalog).randomise("e-1", factors: [:], expectedVersion: first.enrolment.version,
                                                                 at: Fixture.instant, context: Self.randomiser)
            }
            #expect(try await db.count("randomisation_allocations") == 1)
            #expect(try await repos.randomisation.allocation(enrolment: "e-1")?.value.armID == first.allocation.value.armID)
        }
    }

    @Test("refusals write nothing: plain move to enrolled, unknown factor, wrong role, stale version", arguments: TestDatabase.urls)
    func refusals(url: String) async throws {
        try await TestDatabase.with(url) { db in
            var scheme = Self.blocks
            scheme.factors = [RandomisationFactor(id: "fsh", label: "FSH", levels: ["normal", "raised"])]
            let (catalog, definition) = try Self.catalog(scheme)
            let repos = try await Self.seed(db, definition: definition, count: 1)
            let service = Self.service(repos, catalog)
            // The plain transition names the randomisation endpoint.
            do {
                _ = try await EnrolmentTransitions(repositories: repos, catalog: catalog, ids: UUIDGenerator()).transition(
                    "e-1", to: .enrolled, at: Fixture.instant, expectedVersion: 1, signedAt: Fixture.instant, context: Fixture.editing("enrol"))
                Issue.record("a plain move to enrolled on a randomised protocol was accepted")
            } catch let DomainError.protocolRule(_, field, message) {
                #expect(field == "to" && message.contains("/randomisation"))
            }
            await #expect(throws: DomainError.invalidValue(
                field: "factors.fsh", message: "'high' is not a level of FSH; one of: normal, raised")) {
                try await service.randomise("e-1", factors: ["fsh": "high"], expectedVersion: 1, at: Fixture.instant, context: Self.randomiser)
            }
            await #expect(throws: RoleRefusal.self) {
                try await service.randomise("e-1", factors: ["fsh": "raised"], expectedVersion: 1, at: Fixture.instant,
                                            context: AuditContext(actor: Actor(userID: "u-mon", role: "monitor"), requestID: "m"))
            }
            await #expect(throws: RepositoryError.staleVersion(kind: "enrolment", id: "e-1", expected: 7)) {
                try await service.randomise("e-1", factors: ["fsh": "raised"], expectedVersion: 7, at: Fixture.instant, context: Self.randomiser)
            }
            #expect(try await db.count("randomisation_allocations") == 0)
            #expect(try await repos.enrolments.get("e-1").value.status == .consented)
            let done = try await service.randomise("e-1", factors: ["fsh": "raised"], expectedVersion: 1, at: Fixture.instant, context: Self.randomiser)
            #expect(done.allocation.value.stratum == "site=A" && done.allocation.value.factors == ["fsh": "raised"])
        }
    }

    @Test("blinded: the arm stays off the enrolment, a kit code is shown; emergency unblinding is audited and notifies", arguments: TestDatabase.urls)
    func blindedAndUnblinding(url: String) async throws {
        try await TestDatabase.with(url) { db in
            var scheme = Self.blocks
            scheme.blinding = Blinding(mode: .blinded, blindedRoles: ["coordinator", "monitor"], kitCodePattern: "KIT-####",
                                       unblindedContacts: ["investigator"])
            let (catalog, definition) = try Self.catalog(scheme)
            let repos = try await Self.seed(db, definition: definition, count: 2)
            _ = try await repos.users.create(UserAccount(id: "u-inv", username: "inv", role: .investigator, siteIDs: ["site-a"]),
                                             password: nil, context: Fixture.coordinator)
            let outcome = try await Self.service(repos, catalog).randomise("e-1", factors: [:], expectedVersion: 1, at: Fixture.instant,
                                                                           context: Self.randomiser)
            let allocation = outcome.allocation.value
            #expect(outcome.enrolment.value.armID == nil)
            #expect(allocation.kitCode?.hasPrefix("KIT-") == true && allocation.kitCode?.count == 8)
            let coordinatorView = AllocationDisclosure.make(allocation, scheme: scheme, role: .coordinator, userID: "u-coord", unblindings: [])
            #expect(coordinatorView.armID == nil && coordinatorView.blinded && coordinatorView.kitCode == allocation.kitCode)
            let unblinding = RandomiseUnblinding(repositories: repos, catalog: catalog, ids: UUIDGenerator())
            await #expect(throws: RoleRefusal.self) {
                try await unblinding.unblind("e-1", reason: "anaphylaxis", at: Fixture.instant, context: Self.randomiser)
            }
            await #expect(throws: DomainError.self) {
                try await unblinding.unblind("e-1", reason: "  ", at: Fixture.instant, context: Self.investigator)
            }
            await #expect(throws: DomainError.self) {
                try await unblinding.unblind("e-2", reason: "not randomised yet", at: Fixture.instant, context: Self.investigator)
            }
            #expect(try await db.count("randomisation_unblindings") == 0)
            let done = try await unblinding.unblind("e-1", reason: "anaphylaxis: treating physician needs the arm", at: Fixture.instant,
                                                    context: Self.investigator)
            #expect(done.notified == 1)
            let stored = try await repos.randomisation.unblindings(enrolment: "e-1").map(\.value)
            #expect(stored.count == 1 && stored[0].unblindedBy.userID == "u-inv")
            let investigatorView = AllocationDisclosure.make(allocation, scheme: scheme, role: .investigator, userID: "u-inv", unblindings: stored)
            #expect(investigatorView.armID == allocation.armID && !investigatorView.blinded)
            let inbox = try await repos.notifications.inbox(user: "u-inv", limit: 10)
            #expect(inbox.map(\.kind) == [.emergencyUnblinding])
            let history = try await repos.audit.history(table: "randomisation_unblindings", recordID: stored[0].id.rawValue)
            #expect(history.count == 1 && history[0].reason?.contains("anaphylaxis") == true)
        }
    }

    @Test("concealment: no audit entry carries the sequence's state or the block of an allocation", arguments: TestDatabase.urls)
    func concealment(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let (catalog, definition) = try Self.catalog(Self.blocks)
            let repos = try await Self.seed(db, definition: definition, count: 3)
            for i in 1...3 {
                _ = try await Self.service(repos, catalog).randomise(Identifier("e-\(i)"), factors: [:], expectedVersion: 1,
                                                                     at: Fixture.instant, context: Self.randomiser)
            }
            let allocations = try await repos.randomisation.list(program: "prog-r", sites: nil)
            for a in allocations {
                let entries = try await repos.audit.history(table: "randomisation_allocations", recordID: a.value.id.rawValue)
                #expect(entries.count == 1)
                #expect(entries.allSatisfy { $0.changes.allSatisfy { !$0.field.hasPrefix("block") && $0.field != "position_in_block" } })
            }
            #expect(try await repos.audit.history(table: "randomisation_strata", recordID: "prog-r").isEmpty)
        }
    }

    @Test("minimisation allocates over the whole trial as one sequence", arguments: TestDatabase.urls)
    func minimisation(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let scheme = RandomisationScheme(arms: ["isotretinoin", "observation"], ratio: [1, 1], method: .minimisation,
                                             minimisation: MinimisationSettings(), factors: [RandomisationFactor(id: "fsh", label: "FSH", levels: ["normal", "raised"])])
            let (catalog, definition) = try Self.catalog(scheme)
            let repos = try await Self.seed(db, definition: definition, count: 6)
            for i in 1...6 {
                _ = try await Self.service(repos, catalog).randomise(Identifier("e-\(i)"), factors: ["fsh": i % 2 == 0 ? "raised" : "normal"],
                                                                     expectedVersion: 1, at: Fixture.instant, context: Self.randomiser)
            }
            let allocations = try await repos.randomisation.list(program: "prog-r", sites: nil).map(\.value)
            #expect(allocations.map(\.sequenceNumber) == Array(1...6))
            #expect(allocations.allSatisfy { $0.stratum == "*" && $0.blockNumber == nil && $0.method == "minimisation" })
        }
    }
}
