import RestoraDomain
import RestoraReports
import Testing

/// The stem-cell programs' reports, recomputed against the records where the figure is simple to recount.
@Suite struct CellTherapyReportTests {
    @Test func stemCellAzoospermia() throws {
        let clinic = try ReportFixture.clinic()
        let dataset = try ReportFixture.dataset("asc-azoospermia", from: clinic)
        let report = try StudyReport.build(dataset)
        let flow = try #require(report.flow.content)
        #expect(flow.withdrawn == 1 && flow.notTreated == 1)
        #expect(flow.analysed == dataset.participants.filter { $0.dayZero != nil }.count)
        let primary = try #require(report.primaryEndpoint.content)
        #expect(primary.responders == 4 && primary.analysed == 19)
        // No histology in this program: those subgroups say so instead of printing an empty table.
        #expect(report.subgroups.first { $0.factor == "testicular histology" }?.result.unavailable != nil)
        #expect(report.predictors.notes.contains { $0.contains("Maturation arrest") } || report.predictors.unavailable != nil)
        #expect(!report.boneDensity.isAvailable)
    }

    @Test func osteoporosisBoneDensity() throws {
        let clinic = try ReportFixture.clinic()
        let dataset = try ReportFixture.dataset("msc-osteoporosis", from: clinic)
        let report = try StudyReport.build(dataset)
        #expect(report.primaryEndpoint.unavailable?.contains("no responder definition") == true)
        let bone = try #require(report.boneDensity.content)
        #expect(bone.sites.map(\.site) == ["lumbar spine", "femoral neck", "total hip"])
        let spine = try #require(bone.sites.first)
        #expect(spine.n == 40)
        // Recount the lumbar-spine gains with the domain's LSC rule.
        var gains = 0
        for p in dataset.participants {
            guard let start = p.dayZero else { continue }
            let scans = p.record.observations.filter { $0.code.code == "24966-4" }.sorted { $0.effective < $1.effective }
            guard let before = scans.last(where: { $0.effectiveDate <= start })?.value.number,
                  let after = scans.last(where: { $0.effectiveDate > start })?.value.number else { continue }
            if try LeastSignificantChange.assess(site: .lumbarSpine, previousGPerCm2: before, currentGPerCm2: after).verdict == .significantGain {
                gains += 1
            }
        }
        #expect(spine.significantGains == gains && gains > 0)
        #expect(spine.precisionSource.contains("REFERENCE.md C3"))
        #expect(bone.participantsWithNewFracture == 3)
        #expect(bone.participantsOnAdjunctTherapy > 0)
        #expect(report.baseline.content?.rows.contains { $0.label.hasPrefix("Lowest T-score") } == true)
    }
}
