import Foundation
import RestoraDemo
import RestoraDomain
import RestoraStorage
import Testing

/// The seed commits one participant at a time (`DemoSeeder.replay`, docs/demo-clinic.md): a participant whose
/// replay fails part-way leaves nothing behind (no participant, enrolment, visit, observation or audit entry),
/// while the participants seeded before it stay, with an intact audit chain.
@Suite struct DemoSeedAtomicityTests {
    @Test func aParticipantWhoseReplayFailsLeavesNothingAndTheOthersStay() async throws {
        let catalog = try StoredDemo.catalog()
        var clinic = try DemoClinic.generate(protocols: catalog.protocols)
        // The last participant with observations gets, after everything else of theirs, a second observation
        // with the id of their last one: refused as a duplicate only when the replay reaches it, after the
        // participant, the enrolment, the visits and every other record of theirs were written.
        let victimIndex = try #require(clinic.participants.lastIndex { !$0.record.observations.isEmpty })
        var victim = clinic.participants[victimIndex]
        var duplicate = try #require(victim.record.observations.max { $0.effective < $1.effective })
        duplicate.effective = Date(timeIntervalSince1970: 4_102_444_800)   // 2100-01-01: after every other step
        victim.record.observations.append(duplicate)
        clinic.participants[victimIndex] = victim
        let before = Array(clinic.participants[..<victimIndex])

        let storage = try await StoredDemo.emptyDatabase()
        defer { Task { try? await storage.shutdown() } }
        try await storage.relaxDurabilityForThrowawayLoad()
        await #expect(throws: (any Error).self) {
            _ = try await DemoSeeder(repositories: storage.repositories, instance: storage.instance, catalog: catalog).seed(clinic)
        }
        let repos = storage.repositories

        // Nothing of the victim: not the records written before the refusal, nor their audit entries.
        let id = victim.participant.id
        await #expect(throws: (any Error).self) { _ = try await repos.participants.get(id) }
        #expect(try await repos.enrolments.list(participant: id).isEmpty)
        #expect(try await repos.observations.list(participant: id).isEmpty)
        #expect(try await repos.audit.history(table: "participants", recordID: id.rawValue).isEmpty)
        #expect(try await repos.audit.history(table: "enrolments", recordID: victim.enrolment.id.rawValue).isEmpty)
        if let visit = victim.visits.first {
            #expect(try await repos.audit.history(table: "visits", recordID: visit.id.rawValue).isEmpty)
        }

        // Everyone before the victim is there whole, and the trail verifies.
        #expect(!before.isEmpty)
        for p in before {
            #expect(try await repos.participants.get(p.participant.id).value.mrn == p.participant.mrn)
            #expect(try await repos.observations.list(participant: p.participant.id).count == p.record.observations.count)
        }
        guard case .intact = try await repos.audit.verify() else {
            Issue.record("the audit chain is broken after a participant's replay was rolled back")
            return
        }
    }
}
