import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// A signed-in browser for the HTML pages: keeps the cookies, reads `_csrf` from the pages it gets.
struct PagesSession {
    var cookies: [String: String] = [:]

    var cookieHeader: String { cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }

    mutating func remember(_ response: TestResponse) {
        for header in response.headers[values: .setCookie] {
            guard let pair = header.split(separator: ";").first else { continue }
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { cookies[String(parts[0])] = String(parts[1]) } else if parts.count == 1 { cookies[String(parts[0])] = nil }
            if header.contains("Max-Age=0") { cookies[String(parts[0])] = nil }
        }
    }

    mutating func get(_ client: some TestClientProtocol, _ uri: String) async throws -> (HTTPResponse.Status, String, String?) {
        let response = try await client.execute(uri: uri, method: .get, headers: cookies.isEmpty ? [:] : [.cookie: cookieHeader], body: nil)
        remember(response)
        return (response.status, String(buffer: response.body), response.headers[.location])
    }

    mutating func post(_ client: some TestClientProtocol, _ uri: String, _ fields: [(String, String)]) async throws -> (HTTPResponse.Status, String, String?) {
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        let response = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
        remember(response)
        return (response.status, String(buffer: response.body), response.headers[.location])
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-", "_", "."])) ?? text
    }

    static func csrf(in page: String) -> String? {
        guard let range = page.range(of: #"name="_csrf" value=""#) else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    /// Signs in through the sign-in form and returns the session.
    static func signIn(_ client: some TestClientProtocol, username: String, password: String) async throws -> PagesSession {
        var session = PagesSession()
        let (_, page, _) = try await session.get(client, "/sign-in")
        let token = try #require(Self.csrf(in: page))
        let (status, _, location) = try await session.post(client, "/sign-in", [("_csrf", token), ("username", username), ("password", password), ("next", "/dashboard")])
        #expect(status == .seeOther)
        #expect(location == "/dashboard")
        return session
    }
}

@Suite("Clinic pages")
struct ClinicPagesTests {
    static let password = "a-long-enough-password"

    func addUser(_ h: WebHarness, _ name: String, _ role: UserRole, site: String) async throws {
        _ = try await h.database.repositories.users.create(
            UserAccount(id: Identifier("web-\(name)"), username: name, role: role, siteIDs: [Identifier(site)]), password: Self.password, context: WebHarness.setup)
    }

    @Test("pages need a session: the dashboard sends a visitor to sign-in, a wrong password says so, the right one lands on the dashboard")
    func signInFlow() async throws {
        try await WebHarness.with { h, client in
            try await addUser(h, "ines", .investigator, site: "site-a")
            var visitor = PagesSession()
            let (status, _, location) = try await visitor.get(client, "/dashboard")
            #expect(status == .seeOther)
            #expect(location == "/sign-in?next=/dashboard")
            let (_, page, _) = try await visitor.get(client, "/sign-in")
            let (wrong, body, _) = try await visitor.post(client, "/sign-in", [("_csrf", PagesSession.csrf(in: page) ?? ""), ("username", "ines"), ("password", "nope")])
            #expect(wrong == .unauthorized)
            #expect(body.contains(#"id="sign-in-error""#))
            #expect(!visitor.cookies.keys.contains("restora_session"))
            var session = try await PagesSession.signIn(client, username: "ines", password: Self.password)
            let (ok, dashboard, _) = try await session.get(client, "/dashboard")
            #expect(ok == .ok)
            for id in ["status-counts", "open-alerts", "visits-due", "recent-adverse-events", "enrolment-chart"] {
                #expect(dashboard.contains(#"<section id="\#(id)""#))
            }
            #expect(dashboard.contains(#"class="report-link""#))
        }
    }

    @Test("a form without the right anti-forgery token is refused with a 403 page and changes nothing")
    func forgedForm() async throws {
        try await WebHarness.with { h, client in
            try await addUser(h, "ines", .investigator, site: "site-a")
            var session = try await PagesSession.signIn(client, username: "ines", password: Self.password)
            let before = try await h.count("participants")
            let (status, page, _) = try await session.post(client, "/participants/new", [
                ("_csrf", "forged"), ("siteID", "site-a"), ("mrn", "A-900"), ("sex", "male"), ("birthDate", "1990-01-01"),
            ])
            #expect(status == .forbidden)
            #expect(page.contains(#"id="error-title""#))
            #expect(try await h.count("participants") == before)
        }
    }

    @Test("registering a participant: impossible values come back next to their fields with what was typed; a double submit stores one")
    func newParticipant() async throws {
        try await WebHarness.with { h, client in
            try await addUser(h, "ines", .investigator, site: "site-a")
            var session = try await PagesSession.signIn(client, username: "ines", password: Self.password)
            let (_, form, _) = try await session.get(client, "/participants/new")
            let csrf = try #require(PagesSession.csrf(in: form))
            let before = try await h.count("participants")
            let (refused, page, _) = try await session.post(client, "/participants/new", [
                ("_csrf", csrf), ("_nonce", "n-1"), ("siteID", "site-a"), ("mrn", ""), ("givenName", "Zoë <b>"), ("sex", "male"), ("birthDate", "2999-02-30"),
            ])
            #expect(refused == .unprocessableContent)
            #expect(page.contains(#"<p id="mrn-error" class="field-error">"#))
            #expect(page.contains(#"<p id="birthDate-error" class="field-error">Enter the date as YYYY-MM-DD"#))
            #expect(page.contains(#"value="Zoë &lt;b&gt;""#))
            #expect(page.contains(#"value="2999-02-30""#))
            #expect(try await h.count("participants") == before)
            let fields = [("_csrf", csrf), ("_nonce", "n-2"), ("siteID", "site-a"), ("mrn", "A-777"), ("givenName", "Omar"), ("sex", "male"), ("birthDate", "1990-04-02")]
            let (first, _, location) = try await session.post(client, "/participants/new", fields)
            let (second, _, again) = try await session.post(client, "/participants/new", fields)
            #expect(first == .seeOther)
            #expect(second == .seeOther)
            #expect(location == again)
            #expect(try await h.count("participants") == before + 1)
            let (shown, participant, _) = try await session.get(client, try #require(location))
            #expect(shown == .ok)
            #expect(participant.contains("Omar (MRN A-777)"))
            let (_, list, _) = try await session.get(client, "/participants?q=omar")
            #expect(list.contains("A-777"))
            #expect(!list.contains("A-001"))
        }
    }

    @Test("a coordinator of site A gets the 404 page for a site-B participant, and a monitor cannot open the registration form")
    func siteAndRole() async throws {
        try await WebHarness.with { h, client in
            try await addUser(h, "cora", .coordinator, site: "site-a")
            try await addUser(h, "moni", .monitor, site: "site-a")
            var coordinator = try await PagesSession.signIn(client, username: "cora", password: Self.password)
            let (status, page, _) = try await coordinator.get(client, "/participants/p-b")
            #expect(status == .notFound)
            #expect(page.contains(#"<h1 id="error-title">Not found</h1>"#))
            let (own, _, _) = try await coordinator.get(client, "/participants/p-a")
            #expect(own == .ok)
            var monitor = try await PagesSession.signIn(client, username: "moni", password: Self.password)
            let (forbidden, _, _) = try await monitor.get(client, "/participants/new")
            #expect(forbidden == .forbidden)
        }
    }

    @Test("enrol, screen and move an enrolment: only allowed steps; the eligibility gate refuses next to the field, an investigator's deviation lets it through and is listed")
    func enrolmentFlow() async throws {
        try await WebHarness.with { h, client in
            try await addUser(h, "ines", .investigator, site: "site-a")
            try await addUser(h, "cora", .coordinator, site: "site-a")
            var session = try await PagesSession.signIn(client, username: "ines", password: Self.password)
            let (_, form, _) = try await session.get(client, "/participants/p-a/enrolments/new")
            let csrf = try #require(PagesSession.csrf(in: form))
            let (enrolled, _, _) = try await session.post(client, "/participants/p-a/enrolments/new", [("_csrf", csrf), ("_nonce", "e-1"), ("programID", "prog-1")])
            #expect(enrolled == .seeOther)
            let enrolment = try #require(try await h.database.repositories.enrolments.list(participant: "p-a").first?.value)
            let path = "/enrolments/\(enrolment.id.rawValue)"
            let (skip, _, _) = try await session.post(client, path + "/transition", [("_csrf", csrf), ("to", "enrolled"), ("on", "2025-12-30")])
            #expect(skip == .unprocessableContent)
            let (moved, _, _) = try await session.post(client, path + "/transition", [("_csrf", csrf), ("to", "screening"), ("on", "2025-12-30")])
            #expect(moved == .seeOther)
            let (screened, _, _) = try await session.post(client, path + "/screen", [("_csrf", csrf), ("_nonce", "s-1"), ("on", "2025-12-30")])
            #expect(screened == .seeOther)
            #expect(try await h.database.repositories.screenings.list(participant: "p-a").first?.value.verdict != .eligible)
            let (gated, page, _) = try await session.post(client, path + "/transition", [("_csrf", csrf), ("to", "eligible"), ("on", "2025-12-31"),
                                                                                           ("reason", "Medication history reviewed at the visit")])
            #expect(gated == .unprocessableContent)
            // Refused on the participant page itself, next to the step field, naming the rule, with the input kept.
            let id = enrolment.id.rawValue
            #expect(page.contains("<p id=\"to-\(id)-error\" class=\"field-error\">Declaring the participant eligible needs an eligible screening"))
            #expect(page.contains("protocol rule: eligibility gate: an eligible screening verdict on protocol isotretinoin-noa"))
            #expect(page.contains("aria-describedby=\"to-\(id)-error\""))
            #expect(page.contains("<option value=\"eligible\" selected"))
            #expect(page.contains("value=\"2025-12-31\""))
            #expect(page.contains("value=\"Medication history reviewed at the visit\""))
            #expect(page.contains("id=\"demographics\""))
            // The investigator is offered the deviation fields, in words.
            #expect(page.contains("To go ahead anyway, record it as a protocol deviation below"))
            #expect(page.contains("Record as protocol deviation"))
            #expect(page.contains("<option value=\"visit-schedule\">Visit schedule</option>"))
            let (future, futurePage, _) = try await session.post(client, path + "/transition", [("_csrf", csrf), ("to", "eligible"), ("on", "2027-01-01"), ("reason", "x")])
            #expect(future == .unprocessableContent)
            #expect(futurePage.contains("<p id=\"on-\(id)-error\" class=\"field-error\">The date 2027-01-01 is in the future"))
            #expect(try await h.database.repositories.enrolments.get(enrolment.id).value.status == .screening)
            // A coordinator is not offered the fields, and a deviation sent anyway is refused.
            var coordinator = try await PagesSession.signIn(client, username: "cora", password: Self.password)
            let (_, coordinatorPage, _) = try await coordinator.get(client, "/participants/p-a")
            #expect(!coordinatorPage.contains("Record as protocol deviation"))
            let (_, coordinatorRefusal, _) = try await coordinator.post(client, path + "/transition", [
                ("_csrf", try #require(PagesSession.csrf(in: coordinatorPage))), ("to", "eligible"), ("on", "2025-12-31")])
            #expect(coordinatorRefusal.contains("Only an investigator may let this step through as a protocol deviation."))
            let coordinatorCSRF = try #require(PagesSession.csrf(in: coordinatorPage))
            let (unsigned, _, _) = try await coordinator.post(client, path + "/transition", [
                ("_csrf", coordinatorCSRF), ("to", "eligible"), ("on", "2025-12-31"), ("deviationCategory", "eligibility"), ("deviationReason", "fine")])
            #expect(unsigned == .forbidden)
            #expect(try await h.database.repositories.deviations.list(participant: "p-a").isEmpty)
            let (signed, _, _) = try await session.post(client, path + "/transition", [
                ("_csrf", csrf), ("to", "eligible"), ("on", "2025-12-31"), ("reason", "Medication history reviewed at the visit"),
                ("deviationCategory", "eligibility"), ("deviationReason", "PHQ-9 done on paper; judged eligible")])
            #expect(signed == .seeOther)
            let stored = try await h.database.repositories.enrolments.get(enrolment.id).value
            #expect(stored.status == .eligible)
            #expect(stored.transitions.last?.reason == "Medication history reviewed at the visit")
            let deviations = try await h.database.repositories.deviations.list(participant: "p-a").map(\.value)
            #expect(deviations.map(\.category) == [.eligibility])
            #expect(deviations.first?.signedBy.userID == "web-ines")
            let (_, participant, _) = try await session.get(client, "/participants/p-a")
            #expect(participant.contains(#"<section id="eligibility""#))
            #expect(participant.contains("Isotretinoin: Eligible"))
            #expect(participant.contains(#"<section id="deviations""#))
            #expect(participant.contains("PHQ-9 done on paper; judged eligible"))
            #expect(participant.contains("<td>Eligibility</td>"))
            #expect(participant.contains("2026-01-01 00:00 UTC"))
        }
    }

    @Test("the HTML builder escapes text and attributes; only Restora's own SVG goes in as markup")
    func escaping() {
        let node = el("p", ["title": #"a "quoted" <value>"#]) { "<script>alert(1)</script> & more" }
        #expect(node.render() == #"<p title="a &quot;quoted&quot; &lt;value&gt;">&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</p>"#)
        #expect(Node.trusted("<svg/>").render() == "<svg/>")
        #expect(el("input", ["name": "x", "value": nil]).render() == #"<input name="x">"#)
    }

    @Test("after sign-in only a local path is followed")
    func safeNext() {
        #expect(WebPath.safeNext("/participants/p-a") == "/participants/p-a")
        #expect(WebPath.safeNext("//evil.example/x") == "/dashboard")
        #expect(WebPath.safeNext("https://evil.example") == "/dashboard")
        #expect(WebPath.safeNext(nil) == "/dashboard")
    }
}
