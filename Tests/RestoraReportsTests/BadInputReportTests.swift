import Foundation
import RestoraDomain
import RestoraReports
import Testing

/// Empty programs and programs without events say so instead of printing empty tables or NaN.
@Suite struct BadInputReportTests {
    @Test func emptyProgram() throws {
        let clinic = try ReportFixture.clinic()
        var dataset = try ReportFixture.dataset("isotretinoin-noa", from: clinic)
        dataset.participants = []
        let report = try StudyReport.build(dataset)
        #expect(report.flow.unavailable?.contains("no participants") == true)
        #expect(report.primaryEndpoint.unavailable != nil)
        #expect(report.timeToResponse.unavailable != nil)
        #expect(report.safety.unavailable != nil)
        #expect(report.baseline.unavailable != nil)
        #expect(report.subgroups.allSatisfy { $0.result.unavailable != nil })
        #expect(report.nextTrial.unavailable != nil)
        #expect(report.notes.contains { $0.contains("no participants") })
        let json = try report.jsonString()
        #expect(!json.contains("NaN"))
    }

    @Test func programWithoutResponses() throws {
        let clinic = try ReportFixture.clinic()
        var dataset = try ReportFixture.dataset("isotretinoin-noa", from: clinic)
        let full = try StudyReport.build(dataset)
        #expect(full.primaryEndpoint.content?.responders == 11)
        // Keep only men whose samples never showed motile sperm.
        dataset.participants = try dataset.participants.filter { p in
            let panels = Dictionary(grouping: p.record.observations.filter { $0.specimen?.type == "semen" }) { $0.panelID ?? "" }
            return try panels.values.allSatisfy { try SemenAnalysis(observations: $0).motileSpermInEjaculate != .present }
        }
        let report = try StudyReport.build(dataset)
        let primary = try #require(report.primaryEndpoint.content)
        #expect(primary.responders == 0 && primary.analysed == 19)
        #expect(primary.clopperPearson.lower == 0)
        #expect(report.timeToResponse.unavailable?.contains("no responses") == true)
        #expect(report.predictors.unavailable?.contains("no responders") == true)
        #expect(report.nextTrial.unavailable != nil)
        #expect(report.subgroups.compactMap(\.result.content).allSatisfy { $0.pValue == nil })
        #expect(!(try report.jsonString()).contains("NaN"))
    }
}
