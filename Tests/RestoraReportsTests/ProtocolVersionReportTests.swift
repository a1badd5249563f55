import Foundation
import RestoraDomain
@testable import RestoraReports
import Testing

/// The report says who is on which protocol version (docs/amendments.md), in Markdown, HTML and JSON.
@Suite struct ProtocolVersionReportTests {
    static func definition() throws -> ProtocolDefinition {
        try #require(try ReportFixture.protocols().first { $0.id == "isotretinoin-noa" })
    }

    @Test func participantsByVersionInEveryRendering() throws {
        var dataset = try SmallDataset.make(definition: try Self.definition())
        dataset.participants[0].enrolment.protocolVersion = "1.1"
        dataset.participants[1].enrolment.protocolVersion = "1.0"
        dataset.participants[2].enrolment.protocolVersion = "1.0"
        let report = try StudyReport.build(dataset)
        #expect(report.program.versions == [.init(version: "1.0", participants: 2), .init(version: "1.1", participants: 1)])
        let markdown = MarkdownRenderer.render(report)
        #expect(markdown.contains("| Version | Participants |\n| --- | --- |\n| v1.0 | 2 |\n| v1.1 | 1 |"), "\(markdown.prefix(600))")
        let html = HTMLRenderer.render(report)
        #expect(html.contains("<tr><td>v1.0</td><td class=\"num\">2</td></tr><tr><td>v1.1</td><td class=\"num\">1</td></tr>"))
        let json = try report.jsonString()
        #expect(json.contains("\"versions\" : ["), "\(json.prefix(400))")
    }

    @Test func everyoneOnTheReportsVersionPrintsNoTable() throws {
        let report = try StudyReport.build(try SmallDataset.make(definition: try Self.definition()))
        #expect(report.program.versions?.count == 1 && !report.program.showsVersions)
        #expect(!MarkdownRenderer.render(report).contains("Participants by protocol version"))
    }
}
