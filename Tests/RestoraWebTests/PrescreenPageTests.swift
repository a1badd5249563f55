import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// The public pre-screening pages and the clinic's list (docs/prescreening.md, docs/web-app.md): the real
/// application over in-memory SQLite, with the per-browser form cookie and `_csrf` taken from the GET page.
@Suite("Pre-screening pages")
struct PrescreenPageTests {
    static let fitting: [(String, String)] = [
        ("age", "35"), ("male", "yes"), ("diagnosis", "yes"), ("two-analyses", "yes"), ("blockage", "no"), ("pituitary", "no"),
        ("steroids", "no"), ("drugs", "no"), ("drinks", "1"), ("vitamin-a", "no"), ("recent-isotretinoin", "no"),
        ("phenytoin-tetracycline", "no"), ("mental-illness", "no"), ("low-mood", "no"), ("blood-fats", "no"), ("liver", "not-sure"),
        ("bowel-bone", "no"), ("other-trial", "no"), ("trying", "yes"),
    ]

    struct Page {
        var status: HTTPResponse.Status
        var location: String?
        var body: String
    }

    /// A browser's first visit: the form cookie it was given and the anti-forgery token of the page.
    func open(_ client: some TestClientProtocol) async throws -> (cookie: String, csrf: String) {
        try await client.execute(uri: "/prescreen", method: .get) { r in
            let body = String(buffer: r.body)
            let cookie = try #require(r.headers[.setCookie]?.split(separator: ";").first.map(String.init))
            #expect(cookie.hasPrefix("restora_form="))
            return (cookie, try #require(Self.hidden("_csrf", in: body)))
        }
    }

    static func hidden(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    static func encode(_ fields: [(String, String)]) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        return fields.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
    }

    func post(_ client: some TestClientProtocol, _ path: String, cookie: String?, _ fields: [(String, String)]) async throws -> Page {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let cookie { headers[.cookie] = cookie }
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: Self.encode(fields))) { r in
            Page(status: r.status, location: r.headers[.location], body: String(buffer: r.body))
        }
    }

    func get(_ client: some TestClientProtocol, _ path: String, cookie: String? = nil) async throws -> Page {
        var headers = HTTPFields()
        if let cookie { headers[.cookie] = cookie }
        return try await client.execute(uri: path, method: .get, headers: headers) { r in
            Page(status: r.status, location: r.headers[.location], body: String(buffer: r.body))
        }
    }

    func session(_ h: WebHarness, _ role: UserRole) -> String { "restora_session=\(h.tokens[role]!)" }

    func candidates(_ h: WebHarness) async throws -> [Versioned<PrescreenCandidate>] {
        try await h.database.repositories.prescreenCandidates.list(programs: nil)
    }

    /// Answers the questionnaire and returns the result page's contact-form fields (csrf, nonce, answers).
    func result(_ client: some TestClientProtocol, cookie: String, csrf: String) async throws -> (Page, [(String, String)]) {
        let page = try await post(client, "/prescreen", cookie: cookie, [("_csrf", csrf)] + Self.fitting)
        let nonce = try #require(Self.hidden("_nonce", in: page.body))
        return (page, [("_csrf", csrf), ("_nonce", nonce)] + Self.fitting)
    }

    @Test("the questionnaire is public: labelled questions, radio groups in fieldsets, the form cookie set")
    func questionnairePage() async throws {
        try await WebHarness.with { _, client in
            let page = try await get(client, "/prescreen")
            #expect(page.status == .ok)
            #expect(page.body.contains("id=\"prescreen-form\""))
            #expect(page.body.contains("id=\"prescreen-submit\""))
            #expect(page.body.contains("<fieldset id=\"male\""))
            #expect(page.body.contains("<legend>Are you a man?"))
            #expect(page.body.contains("<label for=\"age\">How old are you?"))
            #expect(!page.body.contains("<script"))
            _ = try await open(client)
        }
    }

    @Test("answering the questionnaire shows the result and stores nothing")
    func resultStoresNothing() async throws {
        try await WebHarness.with { h, client in
            let (cookie, csrf) = try await open(client)
            let (page, _) = try await result(client, cookie: cookie, csrf: csrf)
            #expect(page.status == .ok)
            for id in ["section id=\"prescreen-result\"", "ul id=\"fits\"", "ul id=\"rules-out\"", "ul id=\"needs-visit\"",
                       "form id=\"contact-form\"", "id=\"contact-submit\"", "name=\"consent\"", "name=\"contact\"", "name=\"name\""] {
                #expect(page.body.contains(id), "\(id)")
            }
            // The answer "not sure" about the liver went to the visit list; the answers ride along hidden.
            #expect(page.body.contains("data-question=\"liver\">Liver blood tests"))
            #expect(page.body.contains("name=\"liver\" value=\"not-sure\""))
            #expect(try await candidates(h).isEmpty)
        }
    }

    @Test("missing answers come back with messages next to the fields and the typed values kept")
    func missingAnswers() async throws {
        try await WebHarness.with { h, client in
            let (cookie, csrf) = try await open(client)
            let answers = Self.fitting.filter { $0.0 != "age" && $0.0 != "male" }
            let page = try await post(client, "/prescreen", cookie: cookie, [("_csrf", csrf)] + answers)
            #expect(page.status == .unprocessableContent)
            #expect(page.body.contains("id=\"age-error\" class=\"field-error\""))
            #expect(page.body.contains("id=\"male-error\" class=\"field-error\""))
            #expect(page.body.contains("aria-invalid=\"true\""))
            #expect(page.body.contains("id=\"drinks\" name=\"drinks\" type=\"text\" inputmode=\"numeric\" value=\"1\""))
            #expect(page.body.contains("id=\"liver-not-sure\" name=\"liver\" type=\"radio\" value=\"not-sure\" checked"))
            #expect(try await candidates(h).isEmpty)
        }
    }

    @Test("contact details with consent store one candidate, also when the form is sent twice")
    func contactStoresOnce() async throws {
        try await WebHarness.with { h, client in
            let (cookie, csrf) = try await open(client)
            let (_, fields) = try await result(client, cookie: cookie, csrf: csrf)
            let contact = fields + [("name", "Luis Garcia"), ("contact", "luis@example.org"), ("consent", "yes")]
            let first = try await post(client, "/prescreen/contact", cookie: cookie, contact)
            #expect(first.status == .seeOther)
            #expect(first.location == "/prescreen/thanks")
            let again = try await post(client, "/prescreen/contact", cookie: cookie, contact)
            #expect(again.status == .seeOther)
            let stored = try await candidates(h)
            #expect(stored.count == 1)
            let candidate = try #require(stored.first?.value)
            #expect(candidate.contactName == "Luis Garcia")
            #expect(candidate.contactKind == .email)
            #expect(candidate.programID == "prog-1")
            #expect(candidate.verdict == .needsVisit)
            #expect(candidate.findings.count == Self.fitting.count)
            let history = try await h.database.repositories.audit.history(table: "prescreen_candidates", recordID: candidate.id.rawValue)
            #expect(history.first?.actor == Actor(userID: "public-prescreen", role: "public"))
            let thanks = try await get(client, "/prescreen/thanks", cookie: cookie)
            #expect(thanks.body.contains("id=\"contact-saved\""))
        }
    }

    @Test("without consent nothing is stored: the message is next to the box and the typed values are kept")
    func noConsent() async throws {
        try await WebHarness.with { h, client in
            let (cookie, csrf) = try await open(client)
            let (_, fields) = try await result(client, cookie: cookie, csrf: csrf)
            let page = try await post(client, "/prescreen/contact", cookie: cookie,
                                      fields + [("name", "Luis Garcia"), ("contact", "luis@example.org")])
            #expect(page.status == .unprocessableContent)
            #expect(page.body.contains("id=\"consent-error\" class=\"field-error\""))
            #expect(page.body.contains("value=\"Luis Garcia\""))
            #expect(page.body.contains("value=\"luis@example.org\""))
            #expect(page.body.contains("section id=\"prescreen-result\""))
            #expect(try await candidates(h).isEmpty)
            // A contact that is neither an email nor a phone number is refused beside its field.
            let bad = try await post(client, "/prescreen/contact", cookie: cookie,
                                     fields + [("name", "Luis"), ("contact", "call me"), ("consent", "yes")])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.body.contains("id=\"contact-error\""))
            #expect(try await candidates(h).isEmpty)
        }
    }

    @Test("a forged or missing anti-forgery token is refused with 403 and stores nothing")
    func forged() async throws {
        try await WebHarness.with { h, client in
            let (cookie, csrf) = try await open(client)
            let (_, fields) = try await result(client, cookie: cookie, csrf: csrf)
            let forged = fields.map { $0.0 == "_csrf" ? ("_csrf", "forged-token") : $0 }
                + [("name", "Luis Garcia"), ("contact", "luis@example.org"), ("consent", "yes")]
            let page = try await post(client, "/prescreen/contact", cookie: cookie, forged)
            #expect(page.status == .forbidden)
            #expect(page.body.contains("id=\"error-title\""))
            // Another browser (no form cookie) replaying a real token is refused too.
            let replay = try await post(client, "/prescreen/contact", cookie: nil,
                                        fields + [("name", "Luis Garcia"), ("contact", "luis@example.org"), ("consent", "yes")])
            #expect(replay.status == .forbidden)
            let questionnaire = try await post(client, "/prescreen", cookie: cookie, [("_csrf", "forged-token")] + Self.fitting)
            #expect(questionnaire.status == .forbidden)
            #expect(try await candidates(h).isEmpty)
        }
    }

    @Test("the candidate list needs sign-in, shows candidates to staff, and only writers change the status")
    func clinicList() async throws {
        try await WebHarness.with { h, client in
            let anonymous = try await get(client, "/prescreened")
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.location == "/sign-in?next=/prescreened")

            let (cookie, csrf) = try await open(client)
            let (_, fields) = try await result(client, cookie: cookie, csrf: csrf)
            _ = try await post(client, "/prescreen/contact", cookie: cookie,
                               fields + [("name", "Luis <Garcia>"), ("contact", "+33 6 12 34 56 78"), ("consent", "yes")])
            let candidate = try #require(try await candidates(h).first)

            let coordinator = session(h, .coordinator)
            let list = try await get(client, "/prescreened", cookie: coordinator)
            #expect(list.status == .ok)
            #expect(list.body.contains("table id=\"prescreened-list\""))
            #expect(list.body.contains("Luis &lt;Garcia&gt;"))
            #expect(list.body.contains("+33 6 12 34 56 78"))
            #expect(list.body.contains("Needs a visit"))
            #expect(list.body.contains("class=\"status-form\""))

            let monitor = try await get(client, "/prescreened", cookie: session(h, .monitor))
            #expect(monitor.status == .ok)
            #expect(monitor.body.contains("Luis &lt;Garcia&gt;"))
            #expect(!monitor.body.contains("class=\"status-form\""))

            let path = "/prescreened/\(candidate.value.id.rawValue)/status"
            let monitorToken = try #require(Self.hidden("_csrf", in: monitor.body))
            let refused = try await post(client, path, cookie: session(h, .monitor), [("_csrf", monitorToken), ("status", "closed"), ("version", "1")])
            #expect(refused.status == .forbidden)

            let token = try #require(Self.hidden("_csrf", in: list.body))
            let changed = try await post(client, path, cookie: coordinator, [("_csrf", token), ("status", "contacted"), ("version", "1")])
            #expect(changed.status == .seeOther)
            #expect(try await h.database.repositories.prescreenCandidates.get(candidate.value.id).value.status == .contacted)
        }
    }

    @Test("with two clinics the person chooses one, and staff of another site do not see the candidate")
    func siteScoping() async throws {
        try await WebHarness.with { h, client in
            _ = try await h.database.repositories.programs.create(
                Program(id: "prog-b", protocolID: "isotretinoin-noa", protocolVersion: "2.0", name: "Isotretinoin at Clinic B", siteIDs: ["site-b"]),
                context: WebHarness.setup, idempotencyKey: nil)
            let (cookie, csrf) = try await open(client)
            let (page, fields) = try await result(client, cookie: cookie, csrf: csrf)
            #expect(page.body.contains("select id=\"programID\""))
            let contact = fields + [("name", "Luis"), ("contact", "luis@example.org"), ("consent", "yes")]
            let unchosen = try await post(client, "/prescreen/contact", cookie: cookie, contact)
            #expect(unchosen.status == .unprocessableContent)
            #expect(unchosen.body.contains("id=\"programID-error\""))
            let chosen = try await post(client, "/prescreen/contact", cookie: cookie, contact + [("programID", "prog-b")])
            #expect(chosen.status == .seeOther)
            let siteA = try await get(client, "/prescreened", cookie: session(h, .coordinator))
            #expect(!siteA.body.contains("luis@example.org"))
            let admin = try await get(client, "/prescreened", cookie: session(h, .admin))
            #expect(admin.body.contains("luis@example.org"))
        }
    }
}
