import Foundation
import RestoraDemo
import RestoraDomain
@testable import RestoraReports
import Testing

/// Issue #14 item 5: the osteoporosis report read "On adjunct therapy: 0" although the demo generates HRT and
/// bisphosphonate adjuncts. The seeder now records them as concomitant medications (ScreeningInputsEntry) and the
/// report loads them per chunk; the stored report counts exactly the generated adjuncts.
@Suite struct AdjunctTherapyReportTests {
    @Test("the stored demo's osteoporosis report counts the adjuncts the generator recorded, by class in the baseline table")
    func adjunctsCounted() async throws {
        let demo = try await StoredDemo.get()
        let program = try await demo.program("msc-osteoporosis")
        let dataset = try await StoredProgramData.load(programID: program.id, repositories: demo.storage.repositories, catalog: demo.catalog,
                                                       asOf: DemoClinic.defaultToday, synthetic: true)
        let report = try StudyReport.build(dataset)
        let counted = try #require(report.boneDensity.content?.participantsOnAdjunctTherapy)
        #expect(counted > 0)
        // The generator's own records: every analysed participant with an adjunct.
        let clinic = try DemoClinic.generate(protocols: demo.catalog.protocols)
        let generated = Set(clinic.participants.filter { $0.record.medications.contains(where: \.adjunct) }.map(\.participant.id))
        let stored = Set(dataset.participants.filter { $0.record.medications.contains(where: \.adjunct) }.map(\.record.participant.id))
        #expect(stored == generated.intersection(Set(dataset.participants.map(\.record.participant.id))))
        #expect(counted <= stored.count)
        let text = try #require(MarkdownRenderer.render(report).components(separatedBy: "\n").first { $0.contains("On adjunct therapy:") })
        #expect(!text.contains("On adjunct therapy: 0."))
        #expect(report.baseline.content?.rows.contains { $0.label == "Adjunct therapy: bisphosphonate" } == true)
    }
}
