import Foundation
import RestoraDemo
import RestoraDomain
import RestoraReports
import RestoraStorage
import Testing

/// The default clinic plus 21 generated participants (`restora demo --participants 116`) seeded through the
/// repositories: every extra participant is stored and reachable with its enrolment, visits and records,
/// the audit chain verifies, the stored counts are the generator's (so the same seed gives the same
/// database), and the default isotretinoin cohort's report figures are the published ones still.
@Suite struct ScaledDemoSeedTests {
    static let extra = 21

    @Test func extraParticipantsStoredAuditedAndTheDefaultCohortUnchanged() async throws {
        let catalog = try StoredDemo.catalog()
        let clinic = try DemoClinic.generate(protocols: catalog.protocols)
        let scaled = try DemoScaledClinic(base: clinic, protocols: catalog.protocols,
                                          total: clinic.participants.count + Self.extra, seed: 42)
        let storage = try await StoredDemo.emptyDatabase()
        defer { Task { try? await storage.shutdown() } }
        try await storage.relaxDurabilityForThrowawayLoad()
        let summary = try await DemoSeeder(repositories: storage.repositories, instance: storage.instance, catalog: catalog)
            .seed(clinic, scaled: scaled)
        let repos = storage.repositories

        // The stored counts are exactly what the generator made (same seed → same participants → same counts).
        let extras = try (0..<Self.extra).map { try scaled.participant($0) }
        let everyone = clinic.participants + extras
        #expect(summary.participants == everyone.count)
        #expect(summary.observations == everyone.reduce(0) { $0 + $1.record.observations.count })
        #expect(summary.adverseEvents == everyone.reduce(0) { $0 + $1.record.adverseEvents.count })
        #expect(summary.cellProducts == everyone.reduce(0) { $0 + $1.cellProducts.count })

        for p in extras {
            let stored = try await repos.participants.get(p.participant.id)
            #expect(stored.value.mrn == p.participant.mrn)
            let enrolments = try await repos.enrolments.list(participant: p.participant.id).map(\.value)
            #expect(enrolments.map(\.id) == [p.enrolment.id])
            #expect(enrolments.first?.status == p.enrolment.status)
            #expect(try await repos.visits.list(enrolment: p.enrolment.id).count == p.visits.count)
            let observations = try await repos.observations.list(participant: p.participant.id)
            #expect(observations.count == p.record.observations.count)
        }

        guard case let .intact(entries) = try await repos.audit.verify() else {
            Issue.record("the audit chain of the scaled demo is broken")
            return
        }
        #expect(entries > summary.observations)

        // The default cohort's figures (REFERENCE.md A1) from the stored default participants only.
        let program = try #require(try await repos.programs.list().map(\.value).first { $0.protocolID == "isotretinoin-noa" })
        var dataset = try await StoredProgramData.load(programID: program.id, repositories: repos, catalog: catalog,
                                                       asOf: DemoClinic.defaultToday, synthetic: true)
        let defaultIDs = Set(clinic.participants.map(\.participant.id))
        #expect(dataset.participants.count > clinic.participants(protocolID: "isotretinoin-noa").count)
        dataset.participants.removeAll { !defaultIDs.contains($0.record.participant.id) }
        let report = try StudyReport.build(dataset)
        let primary = try #require(report.primaryEndpoint.content)
        #expect(primary.text.hasPrefix("11/30 (36.7%, Clopper–Pearson 95% CI 19.9% to 56.1%)"))
        #expect(try #require(report.timeToResponse.content).respondersByMonth3 == 9)
    }
}
