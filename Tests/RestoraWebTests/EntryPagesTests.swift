import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

@Suite("Data-entry pages: semen, labs, DXA, adverse events")
struct EntryPagesTests {
    static let semen = "/participants/p-a/semen/new"
    static let labs = "/participants/p-a/labs/new"

    static let validSemen = [
        ("effective", "2025-12-30"), ("volume", "2.5"), ("concentration", "12"), ("totalMotility", "45"),
        ("progressiveMotility", "30"), ("normalForms", "4"), ("enrolmentID", ""),
    ]

    static func lab(_ test: String, _ value: String, _ unit: String) -> [(String, String)] {
        [("test", test), ("value", value), ("unit", unit), ("effective", "2025-12-30"), ("enrolmentID", "")]
    }

    static func observations(_ h: WebHarness, _ participant: String = "p-a") async throws -> [Observation] {
        try await h.database.repositories.observations.list(participant: Identifier(participant)).map(\.value)
    }

    @Test("a valid semen analysis stores one observation per value, sharing a panel and the specimen, then goes to the participant")
    func validSemenAnalysis() async throws {
        try await WebHarness.with { h, client in
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let (form, result) = try await browser.submit(Self.semen, Self.validSemen)
            #expect(form.status == .ok)
            #expect(form.html.contains("<form id=\"semen-form\""))
            #expect(form.html.contains("id=\"save\""))
            #expect(result.status == .seeOther)
            #expect(result.location == "/participants/p-a")
            let stored = try await Self.observations(h)
            #expect(stored.count == 6)  // five values and the classification (issue #14)
            #expect(stored.filter { $0.code.sameConcept(as: ClinicalCodes.semenClassification) }.count == 1)
            #expect(Set(stored.compactMap(\.panelID)).count == 1)
            #expect(stored.allSatisfy { $0.specimen?.type == "semen" && $0.effectiveDate == CalendarDate("2025-12-30") })
            let motility = stored.first { $0.code.sameConcept(as: ClinicalCodes.totalMotility) }?.value.quantity
            #expect(motility == Quantity(45, "%"))
            #expect(stored.first { $0.code.sameConcept(as: ClinicalCodes.spermConcentration) }?.value.quantity?.unit == "10*6/mL")
        }
    }

    @Test("impossible motility is refused next to the field with the typed value kept, and nothing is stored")
    func impossibleMotility() async throws {
        try await WebHarness.with { h, client in
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            var fields = Self.validSemen.filter { $0.0 != "totalMotility" }
            fields.append(("totalMotility", "120"))
            let (_, result) = try await browser.submit(Self.semen, fields)
            #expect(result.status == .unprocessableContent)
            #expect(result.fieldError("totalMotility") == "Must be 0–100 %; got 120")
            let block = try #require(result.fieldBlock("totalMotility"))
            #expect(block.contains("value=\"120\""))
            #expect(block.contains("aria-invalid=\"true\""))
            #expect(block.contains("totalMotility-error"))
            #expect(result.value("volume") == "2.5")
            #expect(try await Self.observations(h).isEmpty)

            // Progressive above total: refused next to progressive motility.
            var crossed = Self.validSemen.filter { $0.0 != "progressiveMotility" }
            crossed.append(("progressiveMotility", "60"))
            let (_, second) = try await browser.submit(Self.semen, crossed)
            #expect(second.status == .unprocessableContent)
            #expect(second.fieldError("progressiveMotility")?.contains("cannot be above total motility") == true)
            // A date in the future and a negative volume.
            let (_, third) = try await browser.submit(Self.semen, [("effective", "2026-02-01"), ("volume", "-1")])
            #expect(third.fieldError("effective")?.contains("in the future") == true)
            #expect(third.fieldError("volume") == "Must be 0–20 mL; got -1")
            #expect(try await Self.observations(h).isEmpty)
        }
    }

    @Test("a triglyceride in U/L is refused next to the unit; nothing is stored")
    func wrongUnitForTriglycerides() async throws {
        try await WebHarness.with { h, client in
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let (form, result) = try await browser.submit(Self.labs, Self.lab("triglycerides", "180", "U/L"))
            #expect(form.html.contains("<form id=\"lab-form\""))
            #expect(result.status == .unprocessableContent)
            #expect(result.fieldError("unit") == "Triglycerides is entered in mg/dL or mmol/L, not U/L")
            #expect(result.value("value") == "180")
            #expect(result.html.contains("<option value=\"U/L\" selected>"))
            #expect(try await Self.observations(h).isEmpty)
        }
    }

    @Test("a grade 3 triglyceride (600 mg/dL) of a participant in the isotretinoin program raises an open safety alert")
    func gradeThreeTriglycerideRaisesAlert() async throws {
        try await WebHarness.with { h, client in
            _ = try await SafetyRulesAPITests.enrol(h, client)
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let (_, result) = try await browser.submit(Self.labs, Self.lab("triglycerides", "600", "mg/dL"))
            #expect(result.status == .seeOther)
            let alerts = try await h.database.repositories.safetyAlerts.listOpen(sites: nil)
            #expect(alerts.count == 1)
            #expect(alerts.first?.value.ruleID == "tg-grade3-hold")
            #expect(alerts.first?.value.status == .open)
            let stored = try await Self.observations(h)
            #expect(stored.count == 1)
            #expect(alerts.first?.value.observationID == stored.first?.id)
        }
    }

    @Test("ALT with the laboratory's ULN is graded against the first ALT as baseline: 250 U/L (ULN 40) raises the grade 3 hold; a ULN of 0 is refused next to it")
    func altGradedWithULN() async throws {
        try await WebHarness.with { h, client in
            _ = try await SafetyRulesAPITests.enrol(h, client)
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            func alt(_ value: String, uln: String, on date: String) async throws -> WebBrowser.Page {
                try await browser.submit(Self.labs, [("test", "alt"), ("value", value), ("unit", "U/L"), ("upperLimitOfNormal", uln),
                                                     ("effective", date), ("enrolmentID", "")]).result
            }
            let refused = try await alt("30", uln: "0", on: "2025-12-01")
            #expect(refused.status == .unprocessableContent)
            #expect(refused.fieldError("upperLimitOfNormal")?.contains("got 0") == true)
            #expect(try await Self.observations(h).isEmpty)

            #expect(try await alt("30", uln: "40", on: "2025-12-01").status == .seeOther)   // the baseline: normal
            #expect(try await h.database.repositories.safetyAlerts.listOpen(sites: nil).isEmpty)
            #expect(try await alt("250", uln: "40", on: "2025-12-29").status == .seeOther)
            let alerts = try await h.database.repositories.safetyAlerts.listOpen(sites: nil)
            #expect(alerts.map(\.value.ruleID) == ["alt-grade3-hold"])
            #expect(try await Self.observations(h).first { $0.value.quantity?.value == 250 }?.upperLimitOfNormal == 40)
            let page = try await browser.get("/participants/p-a")
            #expect(page.html.contains("250 U/L (ULN 40)"))
            #expect(page.html.contains("CTCAE grade 3"))
        }
    }

    @Test("a double submit with the same _nonce stores one record")
    func doubleSubmit() async throws {
        try await WebHarness.with { h, client in
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let form = try await browser.get(Self.labs)
            let fields = Self.lab("fsh", "9.5", "[IU]/L") + [("_csrf", form.value("_csrf") ?? ""), ("_nonce", form.value("_nonce") ?? "")]
            for _ in 0..<2 {
                let result = try await browser.post(Self.labs, fields)
                #expect(result.status == .seeOther)
            }
            #expect(try await Self.observations(h).count == 1)

            let semenForm = try await browser.get(Self.semen)
            let semenFields = Self.validSemen + [("_csrf", semenForm.value("_csrf") ?? ""), ("_nonce", semenForm.value("_nonce") ?? "")]
            for _ in 0..<2 { #expect(try await browser.post(Self.semen, semenFields).status == .seeOther) }
            #expect(try await Self.observations(h).count == 7)  // 1 lab + 5 semen values + their classification
        }
    }

    @Test("a forged or missing _csrf gets the 403 page and stores nothing")
    func forgedForm() async throws {
        try await WebHarness.with { h, client in
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let forged = try await browser.post(Self.labs, Self.lab("fsh", "9.5", "[IU]/L") + [("_csrf", "forged"), ("_nonce", "n-1")])
            #expect(forged.status == .forbidden)
            #expect(forged.errorTitle != nil)
            let missing = try await browser.post(Self.semen, Self.validSemen + [("_nonce", "n-2")])
            #expect(missing.status == .forbidden)
            #expect(missing.errorTitle != nil)
            #expect(try await Self.observations(h).isEmpty)
        }
    }

    @Test("a monitor gets the 403 page for the form and the post; nothing is stored")
    func monitorCannotPost() async throws {
        try await WebHarness.with { h, client in
            var browser = try await WebBrowser.signedIn(h, client, as: .monitor)
            let form = try await browser.get(Self.semen)
            #expect(form.status == .forbidden)
            #expect(form.errorTitle == "Not allowed")
            let csrf = try #require(try await browser.get("/audit/participants/p-a").value("_csrf"))
            let result = try await browser.post(Self.semen, Self.validSemen + [("_csrf", csrf), ("_nonce", "n-1")])
            #expect(result.status == .forbidden)
            #expect(result.errorTitle == "Not allowed")
            #expect(try await Self.observations(h).isEmpty)
        }
    }

    @Test("another site's participant answers the 404 page, for the form and the post")
    func otherSite() async throws {
        try await WebHarness.with { h, client in
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let form = try await browser.get("/participants/p-b/labs/new")
            #expect(form.status == .notFound)
            #expect(form.errorTitle == "Not found")
            let csrf = try #require(try await browser.get(Self.labs).value("_csrf"))
            let result = try await browser.post("/participants/p-b/labs/new", Self.lab("fsh", "9.5", "[IU]/L") + [("_csrf", csrf), ("_nonce", "n-1")])
            #expect(result.status == .notFound)
            #expect(try await Self.observations(h, "p-b").isEmpty)
        }
    }

    @Test("a post after the session expired shows sign-in keeping the typed values; nothing is stored")
    func expiredSession() async throws {
        try await WebHarness.with { h, client in
            _ = try await h.database.repositories.users.create(
                UserAccount(id: "u-late", username: "late", role: .coordinator, siteIDs: ["site-a"]), password: WebBrowser.password,
                context: WebHarness.setup)
            let token = try await h.database.repositories.users.issueToken(
                username: "late", expiresAt: WebHarness.now.addingTimeInterval(-60), context: WebHarness.setup)
            var browser = WebBrowser(client)
            browser.cookies[SessionController.cookieName] = token
            let csrf = WebCSRF.token(session: token)
            let result = try await browser.post(Self.semen, Self.validSemen + [("_csrf", csrf), ("_nonce", "n-resume")])
            #expect(result.status == .unauthorized)
            #expect(result.html.contains("id=\"sign-in-form\""))
            #expect(result.value("resume:totalMotility") == "45")
            #expect(result.value("resume:_nonce") == "n-resume")
            #expect(result.value("resume_action") == Self.semen)
            #expect(try await Self.observations(h).isEmpty)
            // Without any session cookie: the form cookie's token is not this one, so the post is refused as forged.
            var stranger = WebBrowser(client)
            #expect(try await stranger.post(Self.semen, Self.validSemen + [("_csrf", csrf)]).status == .forbidden)
        }
    }

    @Test("DXA and adverse-event forms store their records; an adverse event without a term is refused next to it")
    func dxaAndAdverseEvent() async throws {
        try await WebHarness.with { h, client in
            var browser = try await WebBrowser.signedIn(h, client, as: .investigator)
            let (dxaForm, dxa) = try await browser.submit("/participants/p-a/dxa/new", [
                ("site", "femoral-neck"), ("bmd", "0.62"), ("tScore", "-2.7"), ("effective", "2025-12-01"),
            ])
            #expect(dxaForm.html.contains("<form id=\"dxa-form\""))
            #expect(dxa.status == .seeOther)
            let stored = try await Self.observations(h)
            #expect(stored.count == 2)
            #expect(stored.contains { $0.code.sameConcept(as: ClinicalCodes.dxaTScore(.femoralNeck)) && $0.value.quantity == Quantity(-2.7, "{T-score}") })

            let (_, badDXA) = try await browser.submit("/participants/p-a/dxa/new", [("site", "femoral-neck"), ("tScore", "-14"), ("effective", "2025-12-01")])
            #expect(badDXA.status == .unprocessableContent)
            #expect(badDXA.fieldError("tScore") == "Must be -10–10 SD; got -14")

            let path = "/participants/p-a/adverse-events/new"
            let (aeForm, missing) = try await browser.submit(path, [("meddraCode", ""), ("grade", "2"), ("onset", "2025-12-20")])
            #expect(aeForm.html.contains("<form id=\"adverse-event-form\""))
            #expect(missing.status == .unprocessableContent)
            #expect(missing.fieldError("meddraCode") != nil)
            #expect(missing.html.contains("<option value=\"2\" selected>"))
            // Serious, unexpected (no program lists it here) and suspected until assessed: the awareness date is required.
            let (_, noDay0) = try await browser.submit(path, [("meddraCode", "10013786"), ("grade", "2"), ("onset", "2025-12-20"),
                                                               ("serious-hospitalization", "yes"), ("sponsorAwareOn", "")])
            #expect(noDay0.status == .unprocessableContent)
            #expect(noDay0.fieldError("sponsorAwareOn") != nil)
            #expect(try await h.count("adverse-events") == 0)
            let (_, saved) = try await browser.submit(path, [("meddraCode", "10013786"), ("grade", "2"), ("onset", "2025-12-20"),
                                                              ("serious-hospitalization", "yes"), ("sponsorAwareOn", "2025-12-21")])
            #expect(saved.status == .seeOther)
            let events = try await h.database.repositories.adverseEvents.list(participant: "p-a").map(\.value)
            #expect(events.count == 1)
            #expect(events.first?.term == "Dry skin")
            #expect(events.first?.grade == 2)
            #expect(events.first?.isSerious == true)
        }
    }
}
