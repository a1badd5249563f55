import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// Source data verification through the API and the participant page (issue #16 item 5, docs/sdv.md): only a
/// monitor, a data manager or an admin marks (site staff 403, whatever they send); a field, a record or a whole
/// visit; bad input 422 naming the field with nothing written; another site 404; a later change of the record
/// shows "changed since verified" and lowers the progress, per participant and per site.
@Suite("Source data verification")
struct SDVAPITests {
    struct StatusJSON {
        struct Progress: Decodable, Equatable { var total: Int; var verified: Int; var changed: Int; var percent: Int }
        struct Record: Decodable { var recordKind: String; var recordID: String; var state: String; var fields: [Field] }
        struct Field: Decodable { var field: String }
        struct Summary: Decodable { var participantID: String; var progress: Progress; var openQueries: Int; var answeredQueries: Int }
        var progress: Progress
        var records: [Record]
        func state(_ id: String) -> String? { records.first { $0.recordID == id }?.state }
    }

    struct SiteJSON: Decodable { var siteID: String; var progress: StatusJSON.Progress; var openQueries: Int; var answeredQueries: Int }

    static func seed(_ h: WebHarness) async throws {
        let repos = h.database.repositories
        _ = try await repos.enrolments.create(Enrolment(id: "e-1", participantID: "p-a", programID: "prog-1", siteID: "site-a"),
                                              context: WebHarness.setup, idempotencyKey: nil)
        _ = try await repos.visits.create(Visit(id: "v-1", enrolmentID: "e-1", visitKey: "month-3", plannedDay: 91, windowBefore: 7, windowAfter: 7,
                                                actualDate: CalendarDate("2025-12-30"), status: .completed),
                                          context: WebHarness.setup, idempotencyKey: nil)
        for (id, visit) in [("o-1", "v-1"), ("o-2", nil as String?)] {
            _ = try await repos.observations.create(
                Observation(id: Identifier(id), participantID: "p-a", enrolmentID: "e-1", visitID: visit.map { Identifier($0) }, code: Coding(.loinc, "2571-8"),
                            value: .quantity(Quantity(150, "mg/dL")), effective: WebHarness.now.addingTimeInterval(-86_400)),
                context: WebHarness.setup, idempotencyKey: nil)
        }
    }

    /// The records' states (`GET /participants/{id}/sdv`) and the progress (`GET /sdv/participants/{id}`).
    static func status(_ client: some TestClientProtocol, _ h: WebHarness) async throws -> StatusJSON {
        let records = try await client.execute(uri: "/api/v1/participants/p-a/sdv", method: .get, headers: h.headers(.coordinator)) { r in
            #expect(r.status == .ok)
            return try decode([StatusJSON.Record].self, r.body)
        }
        let summary = try await client.execute(uri: "/api/v1/sdv/participants/p-a", method: .get, headers: h.headers(.coordinator)) { r in
            #expect(r.status == .ok)
            return try decode(StatusJSON.Summary.self, r.body)
        }
        return StatusJSON(progress: summary.progress, records: records)
    }

    static func verify(_ client: some TestClientProtocol, _ h: WebHarness, _ role: UserRole, _ body: String, participant: String = "p-a") async throws -> (HTTPResponse.Status, String?) {
        try await client.execute(uri: "/api/v1/participants/\(participant)/sdv", method: .post, headers: h.headers(role), body: ByteBuffer(json: body)) { r in
            (r.status, decoded(ErrorJSON.self, r.body)?.error.details["path"])
        }
    }

    @Test("site staff cannot mark (403); bad input is 422 naming the field; another site is 404; nothing is written")
    func refusals() async throws {
        try await WebHarness.with { h, client in
            try await Self.seed(h)
            let record = #"{"recordKind":"observations","recordID":"o-1"}"#
            for role in [UserRole.coordinator, .investigator, .auditor] {
                #expect(try await Self.verify(client, h, role, record).0 == .forbidden, "\(role)")
            }
            #expect(try await Self.verify(client, h, .monitor, record, participant: "p-b").0 == .notFound)
            let bad: [(String, String)] = [
                (#"{"recordKind":"participants","recordID":"p-a"}"#, "recordKind"),
                (#"{"recordKind":"observations","recordID":"o-404"}"#, "recordID"),
                (#"{"recordKind":"observations"}"#, "recordID"),
                (#"{"recordID":"o-1"}"#, "recordKind"),
                (#"{"recordKind":"observations","recordID":"o-1","field":"colour"}"#, "field"),
                (#"{"recordKind":"observations","recordID":"o-1","visitID":"v-1"}"#, "visitID"),
                (#"{"visitID":"v-404"}"#, "visitID"),
                (#"{}"#, "recordKind"),
            ]
            for (body, field) in bad {
                let answer = try await Self.verify(client, h, .monitor, body)
                #expect(answer.0 == .unprocessableContent, "\(body)")
                #expect(answer.1 == field, "\(body)")
            }
            try await client.execute(uri: "/api/v1/participants/p-a/sdv", method: .post, headers: h.headers(.monitor), body: ByteBuffer(json: "{not json")) { r in
                #expect(r.status == .badRequest)
            }
            #expect(try await h.database.repositories.sourceVerifications.list(participant: "p-a").isEmpty)
            try await client.execute(uri: "/api/v1/participants/p-b/sdv", method: .get, headers: h.headers(.monitor)) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "/api/v1/sdv/participants/p-b", method: .get, headers: h.headers(.monitor)) { r in #expect(r.status == .notFound) }
        }
    }

    @Test("a record, a field and a whole visit are verified; a later change resets the record, per participant and per site")
    func verifyAndReset() async throws {
        try await WebHarness.with { h, client in
            try await Self.seed(h)
            var status = try await Self.status(client, h)
            // enrolment e-1, visit v-1, observations o-1 (at v-1) and o-2
            #expect(status.progress == .init(total: 4, verified: 0, changed: 0, percent: 0))
            #expect(try await Self.verify(client, h, .monitor, #"{"recordKind":"observations","recordID":"o-2","field":"value"}"#).0 == .created)
            #expect(try await Self.verify(client, h, .dataManager, #"{"visitID":"v-1","note":"checked against the clinic chart"}"#).0 == .created)
            status = try await Self.status(client, h)
            #expect(status.progress == .init(total: 4, verified: 2, changed: 0, percent: 50))
            #expect(status.state("v-1") == "verified" && status.state("o-1") == "verified")
            #expect(status.state("o-2") == "not-verified")
            #expect(status.records.first { $0.recordID == "o-2" }?.fields.map(\.field) == ["value"])

            // The site corrects o-1 through the API: verification of o-1 is reset.
            try await client.execute(uri: "/api/v1/observations/o-1", method: .get, headers: h.headers(.coordinator)) { _ in }
            var corrected = try await h.database.repositories.observations.get("o-1").value
            corrected.value = .quantity(Quantity(160, "mg/dL"))
            _ = try await h.database.repositories.observations.update(
                corrected, expectedVersion: 1, context: AuditContext(actor: Actor(userID: "u-coordinator", role: "coordinator"), requestID: "r", reason: "typo"))
            status = try await Self.status(client, h)
            #expect(status.state("o-1") == "changed-since-verified")
            #expect(status.progress == .init(total: 4, verified: 1, changed: 1, percent: 25))
            let sites = try await client.execute(uri: "/api/v1/sdv/progress", method: .get, headers: h.headers(.monitor)) { r in
                #expect(r.status == .ok)
                return try decode([SiteJSON].self, r.body)
            }
            #expect(sites.map(\.siteID) == ["site-a"])
            #expect(sites.first?.progress == .init(total: 4, verified: 1, changed: 1, percent: 25))
            // Verified again at the new version.
            #expect(try await Self.verify(client, h, .admin, #"{"recordKind":"observations","recordID":"o-1"}"#).0 == .created)
            #expect(try await Self.status(client, h).state("o-1") == "verified")
        }
    }

    @Test("the participant page: a monitor raises a query and verifies a record there, the site answers there; a coordinator's SDV post is 403")
    func participantPage() async throws {
        try await WebHarness.with { h, client in
            try await Self.seed(h)
            var monitor = try await WebBrowser.signedIn(h, client, as: .monitor)
            var page = try await monitor.get("/participants/p-a")
            #expect(page.status == .ok)
            #expect(page.html.contains("id=\"raise-query\"") && page.html.contains("id=\"sdv-records\""))
            #expect(page.html.contains("0 of 4 records source-verified"))
            let csrf = page.value("_csrf") ?? ""
            // A blank question: 422 with the form again, nothing written.
            let refused = try await monitor.post("/participants/p-a/queries", [("_csrf", csrf), ("record", "observations/o-1"), ("field", "value"), ("question", " ")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.html.contains("id=\"raise-query\""))
            #expect(try await h.database.repositories.queries.list(participant: "p-a").isEmpty)
            let raised = try await monitor.post("/participants/p-a/queries", [("_csrf", csrf), ("record", "observations/o-1"), ("field", "value"), ("question", "Unit?")])
            #expect(raised.status == .seeOther)
            let verified = try await monitor.post("/participants/p-a/sdv", [("_csrf", csrf), ("recordKind", "observations"), ("recordID", "o-2")])
            #expect(verified.status == .seeOther)
            page = try await monitor.get("/participants/p-a")
            #expect(page.html.contains("1 of 4 records source-verified (25 %)"))

            var coordinator = try await WebBrowser.signedIn(h, client, as: .coordinator)
            page = try await coordinator.get("/participants/p-a")
            #expect(!page.html.contains("id=\"raise-query\"") && !page.html.contains("verify-record-form"))
            let query = try #require(try await h.database.repositories.queries.list(participant: "p-a").first)
            let ccsrf = page.value("_csrf") ?? ""
            #expect(try await coordinator.post("/participants/p-a/sdv", [("_csrf", ccsrf), ("recordKind", "observations"), ("recordID", "o-1")]).status == .forbidden)
            let answered = try await coordinator.post("/queries/\(query.value.id.rawValue)/answer", [("_csrf", ccsrf), ("version", "1"), ("answer", "mg/dL")])
            #expect(answered.status == .seeOther)
            page = try await monitor.get("/participants/p-a")
            #expect(page.html.contains("answered by u-web-coordinator (coordinator) on 2026-01-01: mg/dL"))
            #expect(page.html.contains("reopen-form"))
            // The dashboard: the site's answered query and its SDV progress.
            let dashboard = try await monitor.get("/dashboard")
            #expect(dashboard.html.contains("id=\"site-queries-sdv\""))
            #expect(dashboard.html.contains("1 of 4 records source-verified"))
        }
    }
}
