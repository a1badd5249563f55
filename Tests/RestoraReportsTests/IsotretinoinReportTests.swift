import Foundation
import RestoraDemo
import RestoraDomain
import RestoraReports
import Testing

/// The demo isotretinoin program's report (issue 6 item 3), checked against numbers recomputed here from
/// the records with the domain's response rule, and against the published figures (REFERENCE.md A1).
@Suite struct IsotretinoinReportTests {
    let report: StudyReport
    let dataset: ProgramDataset

    init() throws {
        let clinic = try ReportFixture.clinic()
        dataset = try ReportFixture.dataset("isotretinoin-noa", from: clinic)
        report = try StudyReport.build(dataset)
    }

    /// Responders counted directly: motile sperm (domain rule) on ≥2 on-treatment semen panels.
    func recomputedResponders() throws -> (responders: Int, n: Int, byMonth3: Int) {
        var responders = 0, n = 0, early = 0
        // The men whose treatment period is over (the 4 still on treatment on the demo's today are not analysed yet).
        for p in dataset.participants where p.reached(.onTreatment) && p.enrolment.status != .onTreatment {
            n += 1
            let start = try #require(p.dayZero)
            let panels = Dictionary(grouping: p.record.observations.filter { $0.specimen?.type == "semen" }) { $0.panelID ?? "" }
            let positive = try panels.values.compactMap { obs -> (CalendarDate, Int)? in
                let analysis = try SemenAnalysis(observations: obs)
                guard obs[0].effectiveDate > start, analysis.motileSpermInEjaculate == .present else { return nil }
                let planned = p.visits.first { $0.id == obs[0].visitID }?.plannedDay ?? start.days(until: obs[0].effectiveDate)
                return (obs[0].effectiveDate, planned)
            }.sorted { $0.0 < $1.0 }
            if positive.count >= 2 {
                responders += 1
                if positive[0].1 <= 91 { early += 1 }
            }
        }
        return (responders, n, early)
    }

    @Test func jsonShowsElevenOfThirtyWithExactInterval() throws {
        let decoded = try JSONDecoder().decode(StudyReport.self, from: try report.jsonData())
        let primary = try #require(decoded.primaryEndpoint.content)
        let expected = try recomputedResponders()
        #expect(primary.responders == expected.responders)
        #expect(primary.analysed == expected.n)
        #expect(primary.responders == 11 && primary.analysed == 30)
        #expect(primary.text.hasPrefix("11/30 (36.7%, Clopper–Pearson 95% CI 19.9% to 56.1%)"))
        #expect(abs(primary.clopperPearson.lower - 0.1993) < 0.0005)
        #expect(abs(primary.clopperPearson.upper - 0.5614) < 0.0005)
        #expect(primary.wilson.lower > primary.clopperPearson.lower)
    }

    @Test func nineOfElevenByMonthThree() throws {
        let time = try #require(report.timeToResponse.content)
        let expected = try recomputedResponders()
        #expect(time.respondersByMonth3 == expected.byMonth3)
        #expect(time.respondersByMonth3 == 9)
        #expect(time.respondersByMonth3Text == "9 of 11 responders (81.8%)")
        let month3 = try #require(time.landmarks.first { $0.months == 3 })
        #expect(abs(month3.incidence - 9.0 / 30) < 1e-9)
        let month6 = try #require(time.landmarks.first { $0.months == 6 })
        #expect(month6.respondersSoFar >= 10)
        #expect(time.numbersAtRisk.first?.atRisk == 30)
    }

    @Test func flowSubgroupsSafetyAndPlanner() throws {
        let flow = try #require(report.flow.content)
        #expect(flow.enrolled == 34 && flow.completed == 30 && flow.withdrawn == 0 && flow.analysed == 30)
        #expect(flow.treated == 34 && flow.ongoing == 4)
        #expect(report.notes.contains { $0.hasPrefix("4 participants are still on treatment and not analysed yet") })
        #expect(flow.screenFailed == 2 && flow.notScreened == 1)
        let histology = try #require(report.subgroups.first { $0.factor == "maturation arrest vs other histology" }?.result.content)
        let arrest = try #require(histology.groups.first { $0.label == "maturation arrest" })
        #expect(arrest.responders == 6 && arrest.n == 11)
        #expect(histology.pValue != nil)
        let diagnosis = try #require(report.subgroups.first?.result.content)
        #expect(diagnosis.groups.map(\.n).sorted() == [4, 26])
        let safety = try #require(report.safety.content)
        let counts = Dictionary(uniqueKeysWithValues: safety.rows.map { ($0.term, $0.participants) })
        #expect(counts["Dry skin"] == 30 && counts["Irritability"] == 14)
        #expect(counts["Cholesterol high"] == 5 && counts["Rash maculo-papular"] == 4)
        #expect(safety.discontinuedForAdverseEvent == 0)
        #expect(report.predictors.content?.predictors.count == 3)
        #expect(report.predictors.content?.caution.contains("imprecise") == true)
        #expect(report.nextTrial.content?.simon != nil && report.nextTrial.content?.randomized != nil)
        #expect(!report.boneDensity.isAvailable)
    }

    @Test func jsonHasNoNaNAndIsLabelledSynthetic() throws {
        let text = try report.jsonString()
        #expect(!text.contains("NaN"))
        #expect(text.contains("SYNTHETIC DEMO DATA"))
    }
}
