import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// Issue #14 item 8: a pre-screened candidate becomes a registered participant from the candidates list, by
/// the new-participant form's checks, prefilled from the candidate, and linked to it in the same transaction.
@Suite("Registering a pre-screened candidate")
struct PrescreenRegistrationTests {
    /// One candidate sent through the public questionnaire ("Luis Garcia", program prog-1).
    static func candidate(_ h: WebHarness, _ client: any TestClientProtocol) async throws -> PrescreenCandidate {
        let public_ = PrescreenPageTests()
        let (cookie, csrf) = try await public_.open(client)
        let (_, fields) = try await public_.result(client, cookie: cookie, csrf: csrf)
        let sent = try await public_.post(client, "/prescreen/contact", cookie: cookie,
                                          fields + [("name", "Luis Garcia"), ("contact", "luis@example.org"), ("consent", "yes")])
        #expect(sent.status == .seeOther)
        return try #require(try await h.database.repositories.prescreenCandidates.list(programs: nil).first?.value)
    }

    @Test("the list links the form; the form is prefilled; registering creates the participant and links the candidate, both audited; a second registration is refused")
    func register() async throws {
        try await WebHarness.with { h, client in
            let candidate = try await Self.candidate(h, client)
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let list = try await browser.get("/prescreened")
            #expect(list.html.contains("href=\"/prescreened/\(candidate.id.rawValue)/register\""))
            let uri = "/prescreened/\(candidate.id.rawValue)/register"
            let form = try await browser.get(uri)
            #expect(form.status == .ok)
            #expect(form.value("givenName") == "Luis")
            #expect(form.value("familyName") == "Garcia")
            #expect(form.html.contains("<option value=\"male\" selected"))
            let before = try await h.count("participants")
            // The new-participant form's own refusals apply: a future birth date, next to the field, nothing written.
            let (_, refused) = try await browser.submit(uri, [("siteID", "site-a"), ("mrn", "A-777"), ("givenName", "Luis"),
                                                              ("familyName", "Garcia"), ("sex", "male"), ("birthDate", "2030-01-01")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.fieldError("birthDate") != nil)
            #expect(try await h.count("participants") == before)
            #expect(try await h.database.repositories.prescreenCandidates.get(candidate.id).value.participantID == nil)
            let (_, done) = try await browser.submit(uri, [("siteID", "site-a"), ("mrn", "A-777"), ("givenName", "Luis"),
                                                           ("familyName", "Garcia"), ("sex", "male"), ("birthDate", "1990-04-02")])
            #expect(done.status == .seeOther)
            let participantID = try #require(done.location.map { String($0.dropFirst("/participants/".count)) })
            let participant = try await h.database.repositories.participants.get(Identifier(participantID)).value
            #expect(participant.mrn == "A-777" && participant.givenName == "Luis" && participant.sex == .male)
            let linked = try await h.database.repositories.prescreenCandidates.get(candidate.id).value
            #expect(linked.participantID?.rawValue == participantID)
            let trail = try await h.database.repositories.audit.history(table: "prescreen_candidates", recordID: candidate.id.rawValue)
            #expect(trail.count == 2 && trail.last?.actor.userID == "u-web-coordinator")
            // Registered once: the form now leads to the participant, a second POST writes nothing.
            #expect(try await browser.get(uri).location == "/participants/\(participantID)")
            let listed = try await browser.get("/prescreened")
            #expect(listed.html.contains("href=\"/participants/\(participantID)\""))
            let again = try await browser.post(uri, [("_csrf", form.value("_csrf") ?? ""), ("_nonce", "another"), ("siteID", "site-a"),
                                                     ("mrn", "A-778"), ("sex", "male"), ("birthDate", "1990-04-02")])
            #expect(again.status == .unprocessableContent)
            #expect(try await h.count("participants") == before + 1)
        }
    }

    @Test("a monitor cannot register a candidate (403); a user of another site does not see it (404); nothing is written")
    func refusals() async throws {
        try await WebHarness.with { h, client in
            let candidate = try await Self.candidate(h, client)
            let uri = "/prescreened/\(candidate.id.rawValue)/register"
            var monitor = try await WebBrowser.signedIn(h, client, as: .monitor)
            #expect(try await monitor.get(uri).status == .forbidden)
            let before = try await h.count("participants")
            // A coordinator of a site outside the program (a new site, not in prog-1).
            _ = try await h.database.repositories.sites.create(Site(id: "site-c", code: "C", name: "Clinic C"), context: WebHarness.setup, idempotencyKey: nil)
            _ = try await h.database.repositories.users.create(
                UserAccount(id: "u-c", username: "coord-c", role: .coordinator, siteIDs: ["site-c"]), password: WebBrowser.password, context: WebHarness.setup)
            var other = WebBrowser(client)
            let signIn = try await other.get("/sign-in")
            _ = try await other.post("/sign-in", [("_csrf", signIn.value("_csrf") ?? ""), ("next", "/dashboard"), ("username", "coord-c"),
                                                  ("password", WebBrowser.password)])
            #expect(try await other.get(uri).status == .notFound)
            #expect(try await h.count("participants") == before)
            #expect(try await h.database.repositories.prescreenCandidates.get(candidate.id).value.participantID == nil)
        }
    }
}
