import Foundation
import HTTPTypes
@testable import RestoraWeb
import Testing

/// The typed route list (`APIRoute`) is the API: each route is documented in the OpenAPI document the server
/// serves, none is listed twice, links fill the parameters in, and controllers register routes from the
/// list rather than path literals.
@Suite("Typed API routes")
struct APIRouteTests {
    @Test("every route of the list is in the served OpenAPI document, once")
    func documented() async throws {
        let doc = try await OpenAPIDocumentTests.served()
        let documented = Set(OpenAPIDocumentTests.operations(doc).map { "\($0.0) \($0.1)" })
        for route in APIRoute.all {
            #expect(documented.contains(route.description), "\(route) is not in openapi.json")
        }
        #expect(Set(APIRoute.all).count == APIRoute.all.count)
    }

    @Test("a link fills the parameters in order and escapes them; the OpenAPI spelling uses braces")
    func links() {
        #expect(APIRoute.recordAudit.path("observations", "o 1") == "/api/v1/audit/observations/o%201")
        #expect(APIRoute.participant.path("p/1") == "/api/v1/participants/p%2F1")
        #expect(APIRoute.createObservation.openAPIPath == "/participants/{id}/observations")
        #expect(APIRoute.closeQuery.description == "POST /queries/{id}/close")
    }

    @Test("controllers register routes of the list, not path literals")
    func noLiteralRoutes() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/RestoraWeb/Controllers")
        let literal = try NSRegularExpression(pattern: #"\b(group|router|api)\.(get|post|put|patch|delete)\(""#)
        var offenders: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            if literal.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil { offenders.append(name) }
        }
        #expect(offenders.sorted() == Self.notYetConverted, "controllers registering path literals: \(offenders.sorted())")
    }

    @Test("pages register routes of the page list (PageRoute), not path literals")
    func noLiteralPageRoutes() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/RestoraWeb/Pages")
        let literal = try NSRegularExpression(pattern: #"\b(pages|router)\.(get|post|put|patch|delete)\(""#)
        var offenders: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            if literal.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil { offenders.append(name) }
        }
        #expect(offenders.isEmpty, "pages registering path literals: \(offenders.sorted())")
        #expect(PageRoute.participant.path("p 1") == "/participants/p%201")
        #expect(PageRoute.recordVisit.path("e-1") == "/enrolments/e-1/visits/new")
        #expect(PageRoute.root.path() == "/")
    }

    /// Controllers still registering literals (converted when their issue-14 work lands); must shrink to none.
    static let notYetConverted: [String] = []
}
