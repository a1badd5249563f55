import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

@Suite("Pages: correcting an observation, its audit history, acknowledging an alert")
struct EditAuditAlertPagesTests {
    static func storedTriglyceride(_ h: WebHarness, participant: String = "p-a", value: Double = 180) async throws -> Versioned<Observation> {
        try await h.database.repositories.observations.create(
            Observation(id: Identifier("obs-\(participant)"), participantID: Identifier(participant), code: ClinicalCodes.triglyceride,
                        value: .quantity(Quantity(value, "mg/dL")), effective: CalendarDate("2025-12-30")!.startOfDayUTC),
            context: WebHarness.setup, idempotencyKey: nil)
    }

    @Test("an edit without a reason is refused next to the reason; with one it is stored and shows in the audit page")
    func editWithReason() async throws {
        try await WebHarness.with { h, client in
            let record = try await Self.storedTriglyceride(h)
            let path = "/observations/\(record.value.id.rawValue)/edit"
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let form = try await browser.get(path)
            #expect(form.status == .ok)
            #expect(form.html.contains("<form id=\"edit-form\""))
            #expect(form.value("value") == "180")
            #expect(form.value("version") == "1")
            #expect(form.value("effective") == "2025-12-30")
            let csrf = try #require(form.value("_csrf"))
            let base = [("_csrf", csrf), ("version", "1"), ("value", "190"), ("unit", "mg/dL"), ("effective", "2025-12-30")]

            let refused = try await browser.post(path, base + [("reason", "  ")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.fieldError("reason") == "A reason is required to change recorded data")
            #expect(refused.value("value") == "190")
            #expect(try await h.database.repositories.observations.get(record.value.id).version == 1)

            let saved = try await browser.post(path, base + [("reason", "transcription error: the report says 190")])
            #expect(saved.status == .seeOther)
            #expect(saved.location == "/participants/p-a")
            let updated = try await h.database.repositories.observations.get(record.value.id)
            #expect(updated.version == 2)
            #expect(updated.value.value.quantity == Quantity(190, "mg/dL"))

            // The coordinator who corrected it sees the record's history one click away, as a monitor of the site does.
            let own = try await browser.get("/audit/observations/\(record.value.id.rawValue)")
            #expect(own.status == .ok)
            #expect(own.html.contains("transcription error: the report says 190"))
            var monitor = try await WebBrowser.signedIn(h, client, as: .monitor)
            let history = try await monitor.get("/audit/observations/\(record.value.id.rawValue)")
            #expect(history.status == .ok)
            #expect(history.html.contains("<table id=\"audit-history\">"))
            #expect(history.html.contains("transcription error: the report says 190"))
            #expect(history.html.contains("u-web-coordinator (coordinator)"))
            #expect(history.html.contains(" → "))
            #expect(history.html.contains("record created"))
        }
    }

    @Test("a stale version shows the form again with the current value and a general message")
    func staleVersion() async throws {
        try await WebHarness.with { h, client in
            let record = try await Self.storedTriglyceride(h)
            let path = "/observations/\(record.value.id.rawValue)/edit"
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let csrf = try #require(try await browser.get(path).value("_csrf"))
            let first = try await browser.post(path, [("_csrf", csrf), ("version", "1"), ("value", "190"), ("unit", "mg/dL"),
                                                      ("effective", "2025-12-30"), ("reason", "first correction")])
            #expect(first.status == .seeOther)
            let stale = try await browser.post(path, [("_csrf", csrf), ("version", "1"), ("value", "200"), ("unit", "mg/dL"),
                                                      ("effective", "2025-12-30"), ("reason", "second correction")])
            #expect(stale.status == .conflict)
            #expect(stale.html.contains(EditObservationModel.changedMeanwhile))
            #expect(stale.value("value") == "190")
            #expect(stale.value("version") == "2")
            #expect(try await h.database.repositories.observations.get(record.value.id).value.value.quantity?.value == 190)
        }
    }

    @Test("an edit with an impossible value or a wrong unit is refused next to the field")
    func editRefusesImpossibleValues() async throws {
        try await WebHarness.with { h, client in
            let record = try await Self.storedTriglyceride(h)
            let path = "/observations/\(record.value.id.rawValue)/edit"
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let csrf = try #require(try await browser.get(path).value("_csrf"))
            let result = try await browser.post(path, [("_csrf", csrf), ("version", "1"), ("value", "-3"), ("unit", "U/L"),
                                                       ("effective", "2025-12-30"), ("reason", "typo")])
            #expect(result.status == .unprocessableContent)
            #expect(result.fieldError("unit") != nil)
            #expect(try await h.database.repositories.observations.get(record.value.id).version == 1)
        }
    }

    @Test("audit pages: unknown kinds and another site's records answer 404")
    func auditScoping() async throws {
        try await WebHarness.with { h, client in
            let other = try await Self.storedTriglyceride(h, participant: "p-b")
            var monitor = try await WebBrowser.signedIn(h, client, as: .monitor)
            #expect(try await monitor.get("/audit/observations/\(other.value.id.rawValue)").status == .notFound)
            #expect(try await monitor.get("/audit/participants/p-b").status == .notFound)
            #expect(try await monitor.get("/audit/users/u-admin").status == .notFound)
            let participant = try await monitor.get("/audit/participants/p-a")
            #expect(participant.status == .ok)
            #expect(participant.html.contains("audit-history"))
        }
    }

    @Test("an investigator acknowledges an alert and returns to the safe next; a coordinator gets the 403 page")
    func acknowledgeAlert() async throws {
        try await WebHarness.with { h, client in
            _ = try await SafetyRulesAPITests.enrol(h, client)
            var coordinator = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let (_, saved) = try await coordinator.submit(EntryPagesTests.labs, EntryPagesTests.lab("triglycerides", "600", "mg/dL"))
            #expect(saved.status == .seeOther)
            let alert = try #require(try await h.database.repositories.safetyAlerts.listOpen(sites: nil).first)
            let path = "/alerts/\(alert.value.id.rawValue)/acknowledge"

            let csrf = try #require(try await coordinator.get(EntryPagesTests.labs).value("_csrf"))
            let denied = try await coordinator.post(path, [("_csrf", csrf), ("next", "/participants/p-a")])
            #expect(denied.status == .forbidden)
            #expect(denied.errorTitle == "Not allowed")

            var investigator = try await WebBrowser.signedIn(h, client, as: .investigator)
            let token = try #require(try await investigator.get(EntryPagesTests.labs).value("_csrf"))
            let forged = try await investigator.post(path, [("_csrf", "x"), ("next", "/participants/p-a")])
            #expect(forged.status == .forbidden)
            // A blank comment (issue #15): 422 with the form again, the error next to the comment, nothing written.
            let blank = try await investigator.post(path, [("_csrf", token), ("comment", "  "), ("next", "/participants/p-a")])
            #expect(blank.status == .unprocessableContent)
            #expect(blank.html.contains("comment-error"))
            #expect(try await h.database.repositories.safetyAlerts.get(alert.value.id).version == 1)
            let done = try await investigator.post(path, [("_csrf", token), ("comment", "drug held, fasting repeat booked"),
                                                          ("next", "//evil.example/steal")])
            #expect(done.status == .seeOther)
            #expect(done.location == "/dashboard")
            let stored = try await h.database.repositories.safetyAlerts.get(alert.value.id).value
            #expect(stored.status == .acknowledged)
            #expect(stored.acknowledgedBy?.userID == "u-web-investigator")
            #expect(stored.acknowledgedAt == WebHarness.now)
            #expect(stored.acknowledgementComment == "drug held, fasting repeat booked")
            // A second acknowledgement (double click) changes nothing and still returns.
            let again = try await investigator.post(path, [("_csrf", token), ("next", "/participants/p-a")])
            #expect(again.status == .seeOther)
            #expect(again.location == "/participants/p-a")
            #expect(try await h.database.repositories.safetyAlerts.get(alert.value.id).version == 2)
        }
    }

    @Test("a correction runs the safety rules again: 180 → 600 mg/dL raises the grade 3 alert once; correcting back leaves it open for review")
    func correctionRunsSafetyRules() async throws {
        try await WebHarness.with { h, client in
            _ = try await SafetyRulesAPITests.enrol(h, client)
            let record = try await Self.storedTriglyceride(h)
            #expect(try await h.database.repositories.safetyAlerts.listOpen(sites: nil).isEmpty)
            let path = "/observations/\(record.value.id.rawValue)/edit"
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let form = try await browser.get(path)
            let csrf = try #require(form.value("_csrf"))
            func correct(_ value: String, version: Int) async throws -> WebBrowser.Page {
                try await browser.post(path, [("_csrf", csrf), ("version", "\(version)"), ("value", value), ("unit", "mg/dL"),
                                              ("effective", "2025-12-30"), ("reason", "laboratory report re-read")])
            }
            #expect(try await correct("600", version: 1).status == .seeOther)
            var alerts = try await h.database.repositories.safetyAlerts.listOpen(sites: nil)
            #expect(alerts.count == 1)
            #expect(alerts.first?.value.ruleID == "tg-grade3-hold")
            #expect(alerts.first?.value.observationID == record.value.id)
            // Corrected again to another grade 3 value: the observation already raised this rule's alert.
            #expect(try await correct("650", version: 2).status == .seeOther)
            // Corrected back below grade 3: the alert stays open for a person to review and acknowledge.
            #expect(try await correct("190", version: 3).status == .seeOther)
            alerts = try await h.database.repositories.safetyAlerts.listOpen(sites: nil)
            #expect(alerts.count == 1)
        }
    }

    @Test("correcting an ALT can fix its ULN: shown in the form, a ULN of 0 refused next to it, a new ULN stored and audited")
    func correctULN() async throws {
        try await WebHarness.with { h, client in
            let record = try await h.database.repositories.observations.create(
                Observation(id: "obs-alt", participantID: "p-a", code: ClinicalCodes.alt, value: .quantity(Quantity(130, "U/L")),
                            effective: CalendarDate("2025-12-30")!.startOfDayUTC, upperLimitOfNormal: 40),
                context: WebHarness.setup, idempotencyKey: nil)
            let path = "/observations/\(record.value.id.rawValue)/edit"
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let form = try await browser.get(path)
            #expect(form.value("upperLimitOfNormal") == "40")
            let base = [("_csrf", form.value("_csrf") ?? ""), ("version", "1"), ("value", "130"), ("unit", "U/L"), ("effective", "2025-12-30"),
                        ("reason", "ULN misread: the report says 35")]
            let refused = try await browser.post(path, base + [("upperLimitOfNormal", "0")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.fieldError("upperLimitOfNormal")?.contains("got 0") == true)
            #expect(try await browser.post(path, base + [("upperLimitOfNormal", "35")]).status == .seeOther)
            let stored = try await h.database.repositories.observations.get(record.value.id)
            #expect(stored.value.upperLimitOfNormal == 35)
            let history = try await browser.get("/audit/observations/\(record.value.id.rawValue)")
            #expect(history.html.contains(#"<span class="field-name">upper_limit_of_normal</span>: <span class="old">40.0</span> → <span class="new">35.0</span>"#))
            // A semen value has no ULN field.
            #expect(!(try await browser.get(Self.semenEditPath(h))).html.contains("name=\"upperLimitOfNormal\""))
        }
    }

    static func semenEditPath(_ h: WebHarness) async throws -> String {
        let semen = try await h.database.repositories.observations.create(
            Observation(id: "obs-vol", participantID: "p-a", code: ClinicalCodes.semenVolume, value: .quantity(Quantity(2.5, "mL")),
                        effective: CalendarDate("2025-12-30")!.startOfDayUTC),
            context: WebHarness.setup, idempotencyKey: nil)
        return "/observations/\(semen.value.id.rawValue)/edit"
    }
}
