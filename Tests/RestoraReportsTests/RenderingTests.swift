import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import RestoraReports
import Testing

/// Well-formed SVG (parsed with Foundation's XMLParser) and Markdown/HTML renderings.
@Suite struct RenderingTests {
    final class ErrorCollector: NSObject, XMLParserDelegate, @unchecked Sendable {
        var error: Error?
        var elements = 0
        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { error = parseError }
        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) { elements += 1 }
    }

    static func parse(_ xml: String) -> (ok: Bool, elements: Int, error: String?) {
        let parser = XMLParser(data: Data(xml.utf8))
        let collector = ErrorCollector()
        parser.delegate = collector
        let ok = parser.parse()
        return (ok && collector.error == nil, collector.elements, collector.error.map { "\($0)" })
    }

    @Test func demoSVGsAreWellFormed() throws {
        for id in ["isotretinoin-noa", "asc-azoospermia", "msc-osteoporosis"] {
            let report = try ReportFixture.report(id)
            for svg in [FlowDiagramSVG.render(report.flow), IncidenceCurveSVG.render(report.timeToResponse)] {
                let result = Self.parse(svg)
                #expect(result.ok, "\(id): \(result.error ?? "")")
                #expect(result.elements > 2)
                #expect(!svg.contains("NaN"))
            }
        }
    }

    @Test func unavailableSVGsAreWellFormedToo() throws {
        let definition = try require(try ReportFixture.protocols().first { $0.id == "isotretinoin-noa" })
        var dataset = try SmallDataset.make(definition: definition)
        dataset.participants = []
        let report = try StudyReport.build(dataset)
        let flow = FlowDiagramSVG.render(report.flow)
        #expect(Self.parse(flow).ok)
        #expect(flow.contains("no participants"))
        #expect(Self.parse(IncidenceCurveSVG.render(report.timeToResponse)).ok)
    }

    @Test func htmlIsSelfContained() throws {
        let html = HTMLRenderer.render(try ReportFixture.report("isotretinoin-noa"))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") || html.components(separatedBy: "http://").count - 1 == html.components(separatedBy: "xmlns=\"http://www.w3.org/2000/svg\"").count - 1)
        #expect(!html.contains("https://"))
        #expect(html.contains("<svg"))
        #expect(html.contains("SYNTHETIC DEMO DATA"))
        #expect(html.contains("11/30 (36.7%, Clopper–Pearson 95% CI 19.9% to 56.1%)"))
    }

    @Test func markdownOfTheDemoShowsTheHeadlineFigures() throws {
        let markdown = MarkdownRenderer.render(try ReportFixture.report("isotretinoin-noa"))
        #expect(markdown.contains("11/30 (36.7%, Clopper–Pearson 95% CI 19.9% to 56.1%)"))
        #expect(markdown.contains("9 of 11 responders (81.8%) responded by month 3"))
    }
}
