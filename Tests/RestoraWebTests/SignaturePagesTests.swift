import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// The web door of electronic signatures (issue #16 item 3): 21 CFR 11.200(a)(1) — the first signing in a session
/// needs the user name and the password, later ones the password — and 11.50(b): the participant page shows the
/// printed name, the UTC time and the meaning, and an invalidated signature asks for a new one.
@Suite("Electronic signatures in the web app")
struct SignaturePagesTests {
    /// An investigator of site A with a printed name, signed in through the sign-in form.
    static func investigator(_ h: WebHarness, _ client: any TestClientProtocol) async throws -> WebBrowser {
        _ = try await h.database.repositories.users.create(
            UserAccount(id: "u-web-signer", username: "web-signer", role: .investigator, siteIDs: ["site-a"], fullName: "Dr Ines Varga"),
            password: WebBrowser.password, context: WebHarness.setup)
        var browser = WebBrowser(client)
        let form = try await browser.get("/sign-in")
        let signIn = try await browser.post("/sign-in", [
            ("_csrf", form.value("_csrf") ?? ""), ("next", "/dashboard"), ("username", "web-signer"), ("password", WebBrowser.password),
        ])
        #expect(signIn.status == .seeOther)
        return browser
    }

    @Test("first signing asks user name and password, the second only the password; a wrong password is refused on the page, nothing signed")
    func sessionReauthentication() async throws {
        try await WebHarness.with { h, client in
            var browser = try await Self.investigator(h, client)
            let enrolment = try await VisitAPITests.onTreatment(h, day0: CalendarDate("2025-10-01")!)
            let visit = try await h.database.repositories.visits.create(
                Visit(id: "v-sign", enrolmentID: enrolment, visitKey: "month-1", plannedDay: 30, windowBefore: 7, windowAfter: 7),
                context: WebHarness.setup, idempotencyKey: nil)
            let casebookPath = "/signatures/enrolments/\(enrolment.rawValue)"
            let first = try await browser.get(casebookPath)
            #expect(first.status == .ok)
            #expect(first.html.contains("id=\"first-signing\"") && first.html.contains("name=\"username\""))
            // The password without the user name on the first signing: refused, nothing signed.
            let missing = try await browser.post(casebookPath, [("_csrf", first.value("_csrf") ?? ""), ("meaning", "approval"), ("password", WebBrowser.password)])
            #expect(missing.status == .unprocessableContent)
            #expect(missing.fieldError("username") != nil)
            // A wrong password: refused, the password not echoed back.
            let wrong = try await browser.post(casebookPath, [("_csrf", first.value("_csrf") ?? ""), ("meaning", "approval"),
                                                              ("username", "web-signer"), ("password", "wrong wrong wrong")])
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.fieldError("password")?.contains("not correct") == true)
            #expect(!wrong.html.contains("wrong wrong wrong"))
            #expect(try await h.database.repositories.signatures.list(participant: "p-a").isEmpty)
            // User name and password: signed; back to the participant page.
            let signed = try await browser.post(casebookPath, [("_csrf", first.value("_csrf") ?? ""), ("meaning", "approval"),
                                                               ("username", "web-signer"), ("password", WebBrowser.password)])
            #expect(signed.status == .seeOther)
            // The second signing of the session asks for the password only.
            let second = try await browser.get("/signatures/visits/\(visit.value.id.rawValue)")
            #expect(!second.html.contains("name=\"username\""))
            let visitSigned = try await browser.post("/signatures/visits/\(visit.value.id.rawValue)",
                                                     [("_csrf", second.value("_csrf") ?? ""), ("meaning", "review"), ("password", WebBrowser.password)])
            #expect(visitSigned.status == .seeOther)
            // The participant page shows both, with printed name, UTC time and meaning.
            let page = try await browser.get("/participants/p-a")
            #expect(page.html.contains("Dr Ines Varga"))
            #expect(page.html.contains("2026-01-01 00:00 UTC"))
            #expect(page.html.contains("approval: I approve this record") && page.html.contains("review: I have reviewed this record"))
            #expect(!page.html.contains("A new signature is needed"))
            // A correction of the visit invalidates its signature and the casebook's: the page asks for new ones.
            var changed = visit.value
            changed.note = "seen by the nurse"
            _ = try await h.database.repositories.visits.update(changed, expectedVersion: 1, context: AuditContext(actor: WebHarness.setup.actor, requestID: "x", reason: "note added"))
            let after = try await browser.get("/participants/p-a")
            #expect(after.html.contains("INVALIDATED"))
            #expect(after.html.contains("A new signature is needed"))
        }
    }

    @Test("a coordinator sees the signatures but no form; another site's record is 404")
    func roleAndSite() async throws {
        try await WebHarness.with { h, client in
            var coordinator = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let enrolment = try await VisitAPITests.onTreatment(h, day0: CalendarDate("2025-10-01")!)
            let page = try await coordinator.get("/signatures/enrolments/\(enrolment.rawValue)")
            #expect(page.status == .ok)
            #expect(!page.html.contains("id=\"sign-form\""))
            let refused = try await coordinator.post("/signatures/enrolments/\(enrolment.rawValue)",
                                                     [("_csrf", page.value("_csrf") ?? ""), ("meaning", "approval"), ("password", "whatever it is")])
            #expect(refused.status == .forbidden)
            _ = try await h.database.repositories.enrolments.create(
                Enrolment(id: "e-b", participantID: "p-b", programID: "prog-1", siteID: "site-b"), context: WebHarness.setup, idempotencyKey: nil)
            #expect(try await coordinator.get("/signatures/enrolments/e-b").status == .notFound)
            #expect(try await coordinator.get("/signatures/nonsense/e-b").status == .notFound)
        }
    }
}
