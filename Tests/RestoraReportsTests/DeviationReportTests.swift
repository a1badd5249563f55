import Foundation
import RestoraDomain
import RestoraReports
import RestoraStorage
import Testing

/// Protocol deviations in the study report (issue #14): counted by category, the enrolled participants with
/// a deviation in the flow table and the flow diagram, in every rendering; loaded from storage with the
/// enrolment they were signed on.
@Suite struct DeviationReportTests {
    static func deviation(_ id: String, _ person: String, _ category: ProtocolDeviation.Category) -> ProtocolDeviation {
        ProtocolDeviation(
            id: Identifier(id), participantID: Identifier(person), enrolmentID: Identifier("\(person)-e"), category: category,
            rule: "eligibility gate: an eligible screening verdict on protocol isotretinoin-noa v1.0", field: "to", reason: "judged eligible",
            recordKind: "enrolments", recordID: "\(person)-e", protocolID: "isotretinoin-noa", protocolVersion: "1.0",
            signedBy: Actor(userID: "u-inv", role: "investigator"), signedAt: SmallDataset.day("2024-12-15").startOfDayUTC)
    }

    static func dataset() throws -> ProgramDataset {
        let definition = try require(try ReportFixture.protocols().first { $0.id == "isotretinoin-noa" })
        var dataset = try SmallDataset.make(definition: definition)
        // a (enrolled): an eligibility deviation and a visit-schedule one; c (screen failed): an "other" one.
        dataset.participants[0].deviations = [deviation("d1", "a", .eligibility), deviation("d2", "a", .visitSchedule)]
        dataset.participants[2].deviations = [deviation("d3", "c", .other)]
        return dataset
    }

    @Test func countedByCategoryInTheFlowAndEveryRendering() throws {
        let report = try StudyReport.build(try Self.dataset())
        let flow = try #require(report.flow.content)
        #expect(flow.enrolledWithDeviation == 1)
        #expect(flow.participantsWithDeviation == 2)
        #expect(flow.totalDeviations == 3)
        #expect(flow.deviations.map { [$0.category, $0.label, "\($0.deviations)", "\($0.participants)"] } == [
            ["eligibility", "Eligibility", "1", "1"], ["visit-schedule", "Visit schedule", "1", "1"], ["other", "Other", "1", "1"],
        ])
        let markdown = MarkdownRenderer.render(report)
        #expect(markdown.contains("## Protocol deviations"))
        #expect(markdown.contains("| Visit schedule | 1 | 1 |"))
        #expect(markdown.contains("| All categories | 3 | 2 |"))
        #expect(markdown.contains("| Enrolled with a protocol deviation | 1 |"))
        #expect(markdown.contains("Enrolled with a protocol deviation: 1 of 2."))
        #expect(FlowDiagramSVG.render(report.flow).contains("Enrolled (n = 2; with a deviation: 1)"))
        #expect(HTMLRenderer.render(report).contains("Protocol deviations"))
        #expect(try report.jsonString().contains("\"enrolledWithDeviation\" : 1"))
    }

    @Test func noDeviationsSaysSo() throws {
        let definition = try require(try ReportFixture.protocols().first { $0.id == "isotretinoin-noa" })
        let report = try StudyReport.build(try SmallDataset.make(definition: definition))
        #expect(try #require(report.flow.content).deviations.isEmpty)
        #expect(MarkdownRenderer.render(report).contains("No protocol deviations recorded."))
        #expect(FlowDiagramSVG.render(report.flow).contains("Enrolled (n = 2)"))
    }

    @Test func storedDeviationsLoadWithTheirEnrolment() async throws {
        let storage = try await StoredDemo.emptyDatabase()
        do {
            try await loadStored(storage)
            try await storage.shutdown()
        } catch {
            try? await storage.shutdown()
            throw error
        }
    }

    func loadStored(_ storage: StorageDatabase) async throws {
        let r = storage.repositories
        let setup = AuditContext(actor: Actor(userID: "setup", role: "admin"), requestID: "setup")
        let catalog = try StoredDemo.catalog()
        let definition = try catalog.definition(id: "isotretinoin-noa")
        _ = try await r.sites.create(Site(id: "site", code: "S", name: "Site"), context: setup, idempotencyKey: nil)
        let other = try catalog.definition(id: "msc-osteoporosis")
        for (program, d) in [("p1", definition), ("p2", other)] {
            _ = try await r.programs.create(Program(id: Identifier(program), protocolID: d.id, protocolVersion: d.version,
                                                    name: program, siteIDs: ["site"]), context: setup, idempotencyKey: nil)
        }
        _ = try await r.participants.create(SmallDataset.person("a", born: "1990-03-01"), context: setup, idempotencyKey: nil)
        // One man in two programs: the deviation of his p2 enrolment is not counted in p1's report.
        for (enrolment, program) in [("a-e", "p1"), ("a-e2", "p2")] {
            _ = try await r.enrolments.create(Enrolment(id: Identifier(enrolment), participantID: "a", programID: Identifier(program), siteID: "site"),
                                              context: setup, idempotencyKey: nil)
        }
        var elsewhere = Self.deviation("d9", "a", .treatment)
        elsewhere.enrolmentID = "a-e2"
        for d in [Self.deviation("d1", "a", .eligibility), elsewhere] {
            _ = try await r.deviations.create(d, context: setup, idempotencyKey: nil)
        }
        let dataset = try await StoredProgramData.load(programID: "p1", repositories: r, catalog: catalog,
                                                        asOf: SmallDataset.day("2025-04-01"), synthetic: false)
        #expect(dataset.participants.map { $0.deviations.map(\.id.rawValue) } == [["d1"]])
        let flow = try #require(try StudyReport.build(dataset).flow.content)
        #expect(flow.deviations.map(\.category) == ["eligibility"])
        #expect(flow.enrolledWithDeviation == 0)
    }
}
