import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// The adverse-event pages (docs/safety.md): the dashboard's open clocks with overdue unmissable, the event
/// page with its clock, draft and investigator forms, the printable draft, the term step narrowing the grades;
/// the wrong role is 403 and another site's event 404, with nothing written. Today is 2026-01-01.
@Suite("Adverse-event pages: clocks, draft, submissions")
struct AdverseEventPagesTests {
    /// A life-threatening, unexpected, suspected event known on 2025-12-22: due 2025-12-29, overdue by 3 days.
    static func overdueEvent(_ h: WebHarness, _ client: any TestClientProtocol) async throws -> String {
        let json = #"{"term":"Suicide attempt","grade":4,"seriousness":["life-threatening"],"onset":"2025-12-20","sponsorAwareOn":"2025-12-22","relatedness":"possible"}"#
        return try await client.execute(uri: "/api/v1/participants/p-a/adverse-events", method: .post, headers: h.headers(.investigator),
                                        body: ByteBuffer(json: json)) { r in
            #expect(r.status == .created)
            return try decode(RecordJSON.self, r.body).id
        }
    }

    @Test("the dashboard lists the open clock, overdue in red with an alert; the event page shows it with the draft link")
    func overdueIsUnmissable() async throws {
        try await WebHarness.with { h, client in
            let id = try await Self.overdueEvent(h, client)
            var investigator = try await WebBrowser.signedIn(h, client, as: .investigator)
            let dashboard = try await investigator.get("/dashboard")
            #expect(dashboard.status == .ok)
            #expect(dashboard.html.contains(#"<p class="clock-overdue-banner" role="alert">1 expedited report is OVERDUE</p>"#))
            #expect(dashboard.html.contains(#"<tr class="reporting-clock-row clock-overdue">"#))
            #expect(dashboard.html.contains("OVERDUE by 3"))
            #expect(dashboard.html.contains("href=\"/adverse-events/\(id)\""))
            let page = try await investigator.get("/adverse-events/\(id)")
            #expect(page.status == .ok)
            #expect(page.html.contains(#"role="alert""#) && page.html.contains("7-day IND safety report: OVERDUE by 3 days"))
            #expect(page.html.contains("href=\"/adverse-events/\(id)/report-draft\""))
            #expect(page.html.contains(#"<form id="submission-form""#) && page.html.contains(#"<form id="causality-form""#))
            let draft = try await investigator.get("/adverse-events/\(id)/report-draft")
            #expect(draft.status == .ok)
            #expect(draft.html.contains(#"<table id="report-draft-fields">"#) && draft.html.contains("10042464"))
            #expect(!draft.html.contains("A-001") && !draft.html.contains("Lopez"), "no MRN, no name on the draft")
            let participant = try await investigator.get("/participants/p-a")
            #expect(participant.html.contains("OVERDUE 3 d (due 2025-12-29)"))
        }
    }

    @Test("only an investigator submits or assesses causality (403, nothing written); a refused date answers 422 next to it; a submission stops the clock")
    func submissionsAndRoles() async throws {
        try await WebHarness.with { h, client in
            let id = try await Self.overdueEvent(h, client)
            let events = h.database.repositories.adverseEvents
            var coordinator = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let seen = try await coordinator.get("/adverse-events/\(id)")
            #expect(seen.status == .ok && !seen.html.contains(#"<form id="submission-form""#))
            let csrf = seen.value("_csrf") ?? ""
            let refused = try await coordinator.post("/adverse-events/\(id)/submissions",
                                                     [("_csrf", csrf), ("version", "1"), ("kind", "initial"), ("submittedOn", "2026-01-01"), ("reference", "SR-1")])
            #expect(refused.status == .forbidden)
            let causality = try await coordinator.post("/adverse-events/\(id)/causality", [("_csrf", csrf), ("version", "1"), ("relatedness", "not-related")])
            #expect(causality.status == .forbidden)
            #expect(try await events.get(Identifier(id)).version == 1)

            var investigator = try await WebBrowser.signedIn(h, client, as: .investigator)
            let page = try await investigator.get("/adverse-events/\(id)")
            let token = page.value("_csrf") ?? ""
            let badDate = try await investigator.post("/adverse-events/\(id)/submissions",
                                                      [("_csrf", token), ("version", "1"), ("kind", "initial"), ("submittedOn", "soon"), ("reference", "SR-1")])
            #expect(badDate.status == .unprocessableContent)
            #expect(badDate.fieldError("submittedOn") != nil)
            #expect(try await events.get(Identifier(id)).version == 1)
            let done = try await investigator.post("/adverse-events/\(id)/submissions",
                                                   [("_csrf", token), ("version", "1"), ("kind", "initial"), ("submittedOn", "2026-01-01"), ("reference", "SR-1")])
            #expect(done.status == .seeOther)
            let stored = try await events.get(Identifier(id)).value
            #expect(stored.initialReport?.submittedBy == "u-web-investigator" && stored.reportDueOn == nil)
            let dashboard = try await investigator.get("/dashboard")
            #expect(!dashboard.html.contains("clock-overdue") && dashboard.html.contains("No expedited report is due."))
        }
    }

    @Test("another site's event is 404 on every page; the term step narrows the grade list to the term's grades")
    func otherSiteAndTermStep() async throws {
        try await WebHarness.with { h, client in
            _ = try await h.database.repositories.adverseEvents.create(
                AdverseEvent(id: "ae-b", participantID: "p-b", term: "Dry skin", grade: 1, relatedness: .possible,
                             onset: CalendarDate("2025-12-20")!, meddraCode: "10013786"),
                context: WebHarness.setup, idempotencyKey: nil)
            var investigator = try await WebBrowser.signedIn(h, client, as: .investigator)
            #expect(try await investigator.get("/adverse-events/ae-b").status == .notFound)
            #expect(try await investigator.get("/adverse-events/ae-b/report-draft").status == .notFound)
            let csrf = try await investigator.get("/dashboard").value("_csrf") ?? ""
            let post = try await investigator.post("/adverse-events/ae-b/causality", [("_csrf", csrf), ("version", "1"), ("relatedness", "definite")])
            #expect(post.status == .notFound)
            #expect(try await h.database.repositories.adverseEvents.get("ae-b").version == 1)

            let form = try await investigator.get("/participants/p-a/adverse-events/new?meddraCode=10013786")
            #expect(form.status == .ok)
            #expect(form.html.contains(#"<form id="ctcae-term-step" method="get""#))
            #expect(form.html.contains("CTCAE grade (Dry skin: grades 1–3)"))
            #expect(form.html.contains(#"<option value="3">Grade 3</option>"#) && !form.html.contains(#"<option value="4">Grade 4</option>"#))
            // The chosen term's NCI criteria are listed under the grade picker (docs/safety.md "Term list").
            #expect(form.html.contains(#"<dl id="grade-criteria" class="hint">"#))
            #expect(form.html.contains("<dt>Grade 3</dt><dd>Covering &gt;30% BSA and associated with pruritus; limiting self care ADL</dd>"))
            #expect(!form.html.contains("<dt>Grade 4</dt>"))
            #expect(form.html.contains(#"name="relatedness""#), "the investigator assesses causality on the form")
        }
    }
}
