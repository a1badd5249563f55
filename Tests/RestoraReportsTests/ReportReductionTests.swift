import Foundation
import RestoraDemo
import RestoraDomain
@testable import RestoraReports
import Testing

/// The report's dataset reduces each participant to what the report reads as its chunk arrives
/// (`ProgramParticipantData.reducedForReport()`, `StoredProgramData.loadForReport`), so a program of 10^5
/// participants is not held whole (issue #13). The reports must not change by it.
@Suite("Report: participants reduced to what the report reads")
struct ReportReductionTests {
    static let programs = ["isotretinoin-noa", "isotretinoin-rct", "asc-azoospermia", "msc-osteoporosis"]

    static func reduced(_ dataset: ProgramDataset) -> ProgramDataset {
        var reduced = dataset
        reduced.participants = dataset.participants.map { $0.reducedForReport() }
        return reduced
    }

    @Test("every demo program: the same report from reduced participants, under any response rule",
          arguments: programs)
    func sameReport(protocolID: String) throws {
        let whole = try ReportFixture.dataset(protocolID, from: try ReportFixture.clinic())
        #expect(!whole.participants.isEmpty)
        let reduced = Self.reduced(whole)
        // The summary does not depend on the rule: a rule of 1, 2 (the default) or 3 samples reads it alike.
        for samples in 1...3 {
            let rule = ResponseRule(minimumPositiveSamples: samples)
            #expect(try StudyReport.build(reduced, rule: rule) == StudyReport.build(whole, rule: rule), "\(protocolID), rule \(samples)")
        }
        // Reducing again changes nothing.
        #expect(try StudyReport.build(Self.reduced(reduced)) == StudyReport.build(whole))
    }

    @Test("the semen panels, visits, cell products, names and unread history are gone; what the report reads stays")
    func whatIsDropped() throws {
        let clinic = try ReportFixture.clinic()
        for protocolID in Self.programs {
            let whole = try ReportFixture.dataset(protocolID, from: clinic)
            for (before, after) in zip(whole.participants, Self.reduced(whole).participants) {
                #expect(!after.record.observations.contains(where: ReportCodes.isSemen))
                #expect(after.visits.isEmpty && after.cellProducts.isEmpty)
                #expect(after.record.participant.givenName == nil && after.record.participant.diagnoses.isEmpty)
                #expect(after.record.participant.history.allSatisfy { $0.kind == .fracture || $0.kind == .procedure })
                #expect(after.record.medications.allSatisfy { $0.adjunct })
                #expect(after.record.medicationCourses.allSatisfy { AnalysisSet.ongoingCourse($0) && $0.dispensings.isEmpty })
                // Kept whole: the enrolment, the adverse events, the deviations, the DXA scans.
                #expect(after.enrolment == before.enrolment)
                #expect(after.record.adverseEvents == before.record.adverseEvents)
                #expect(after.deviations == before.deviations)
                let dxa = { (p: ProgramParticipantData) in p.record.observations.filter { o in ReportCodes.bmd.contains { o.code.sameConcept(as: $0.1) } } }
                #expect(dxa(after) == dxa(before))
                // A treated participant carries the summary of his semen analyses; one never treated carries none.
                #expect((after.semenSummary != nil) == (before.dayZero != nil))
            }
            if protocolID == "isotretinoin-noa" {
                let semen = whole.participants.reduce(0) { $0 + $1.record.observations.count(where: ReportCodes.isSemen) }
                #expect(semen > 1_000, "the demo program's semen values are what the reduction drops")
            }
        }
    }

    @Test("the small hand-made program: unreadable panels, FSH, volume and histology summarised as the record gives them")
    func smallProgram() throws {
        let definition = try require(try ReportFixture.protocols().first { $0.id == "isotretinoin-noa" })
        let whole = try SmallDataset.make(definition: definition)
        let reduced = Self.reduced(whole)
        #expect(try StudyReport.build(reduced) == StudyReport.build(whole))
        let a = try require(reduced.participants.first?.semenSummary)
        #expect(a.histology == "maturation-arrest")
        #expect(a.baselineFSH == 6.5)
        #expect(a.testicularVolume == 15)
        #expect(a.samplesAfterDayZero.count == 2 && a.samplesAfterDayZero.allSatisfy(\.motileSperm))
        #expect(a.diagnosis == "azoospermia")
        #expect(reduced.participants.last?.semenSummary == nil, "c was never treated")
    }

    @Test("the stored demo: loadForReport gives the report that every observation gives, chunk by chunk")
    func storedDemo() async throws {
        let demo = try await StoredDemo.get()
        for protocolID in Self.programs {
            let program = try await demo.program(protocolID)
            let whole = try await StoredProgramData.load(
                programID: program.id, repositories: demo.storage.repositories, catalog: demo.catalog,
                asOf: DemoClinic.defaultToday, synthetic: true, chunkSize: 7)
            let reduced = try await StoredProgramData.loadForReport(
                programID: program.id, repositories: demo.storage.repositories, catalog: demo.catalog,
                asOf: DemoClinic.defaultToday, synthetic: true, chunkSize: 7)
            #expect(reduced.participants.count == whole.participants.count)
            #expect(reduced.participants.allSatisfy { $0.visits.isEmpty }, "loadForReport reduces as it loads")
            #expect(try StudyReport.build(reduced) == StudyReport.build(whole), "\(protocolID)")
        }
    }
}
