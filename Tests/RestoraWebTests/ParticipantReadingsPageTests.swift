import Foundation
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// The readings the participant page and the participant list show (issue #14 item 8), from stored records.
@Suite("Participant readings and list")
struct ParticipantReadingsPageTests {
    static let password = "a-long-enough-password"

    func day(_ text: String) -> Date { CalendarDate(text)!.startOfDayUTC }

    /// A man at site A enrolled in the isotretinoin program, on treatment from 2025-06-01 (day 0).
    func enrolOnTreatment(_ h: WebHarness, participant id: Identifier<Participant>, sex: Sex = .male,
                          postmenopausal: Bool? = nil) async throws -> Identifier<Enrolment> {
        let r = h.database.repositories
        _ = try await r.participants.create(
            Participant(id: id, siteID: "site-a", mrn: "R-\(id.rawValue)", givenName: "Rafa", familyName: "Reading", sex: sex,
                        birthDate: CalendarDate(year: 1950, month: 1, day: 1)!, postmenopausal: postmenopausal),
            context: WebHarness.setup, idempotencyKey: nil)
        let enrolment = Identifier<Enrolment>("e-\(id.rawValue)")
        var version = try await r.enrolments.create(
            Enrolment(id: enrolment, participantID: id, programID: "prog-1", siteID: "site-a"), context: WebHarness.setup, idempotencyKey: nil).version
        let steps: [(EnrolmentStatus, String)] = [(.screening, "2025-05-01"), (.eligible, "2025-05-10"), (.consented, "2025-05-12"),
                                                  (.enrolled, "2025-05-20"), (.onTreatment, "2025-06-01")]
        for (status, date) in steps {
            var context = WebHarness.setup
            context.reason = "test path"
            version = try await r.enrolments.transition(enrolment, to: status, at: day(date), expectedVersion: version, context: context).version
        }
        return enrolment
    }

    func semenPanel(_ h: WebHarness, _ participant: Identifier<Participant>, panel: String, date: String,
                    concentration: Double, motility: Double) async throws {
        let specimen = SpecimenDetails(type: "semen", collected: day(date))
        let values: [(Coding, Double, String)] = [
            (ClinicalCodes.semenVolume, 2.5, "mL"), (ClinicalCodes.spermConcentration, concentration, "10*6/mL"),
            (ClinicalCodes.totalMotility, motility, "%"),
        ]
        for (index, (code, value, unit)) in values.enumerated() {
            _ = try await h.database.repositories.observations.create(
                Observation(id: Identifier("\(panel)-\(index)"), participantID: participant, panelID: panel, code: code,
                            value: .quantity(Quantity(value, unit)), effective: day(date), specimen: specimen),
                context: WebHarness.setup, idempotencyKey: nil)
        }
    }

    func page(_ h: WebHarness, _ client: some TestClientProtocol, _ path: String) async throws -> String {
        if (try? await h.database.repositories.users.get(username: "ines")) == nil {
            _ = try await h.database.repositories.users.create(
                UserAccount(id: "web-ines", username: "ines", role: .investigator, siteIDs: ["site-a"]), password: Self.password, context: WebHarness.setup)
        }
        var session = try await PagesSession.signIn(client, username: "ines", password: Self.password)
        let (status, body, _) = try await session.get(client, path)
        #expect(status == .ok)
        return body
    }

    @Test("each semen analysis is classified as a whole (WHO 2021), units read as a clinician writes them, and the response follows the report's rule")
    func semenAndResponse() async throws {
        try await WebHarness.with { h, client in
            _ = try await enrolOnTreatment(h, participant: "p-m")
            try await semenPanel(h, "p-m", panel: "s1", date: "2025-05-02", concentration: 8, motility: 30)
            try await semenPanel(h, "p-m", panel: "s2", date: "2025-09-01", concentration: 1.5, motility: 20)
            let body = try await page(h, client, "/participants/p-m")
            // 8 × 10⁶/mL is below the WHO 2021 limit of 16 (REFERENCE.md B1): oligozoospermia, as a whole-analysis term.
            #expect(body.contains(#"<td class="semen-classification">oligo"#))
            #expect(body.contains("8 × 10⁶/mL"))
            #expect(!body.contains("10*6/mL"))
            // One positive sample after day 0 of the two the default rule needs: not a responder yet.
            #expect(body.contains("not a responder yet — motile sperm on 1 of 1 semen analyses after day 0 (the rule needs 2)"))
            try await semenPanel(h, "p-m", panel: "s3", date: "2025-10-01", concentration: 2, motility: 25)
            let again = try await page(h, client, "/participants/p-m")
            #expect(again.contains("responder — motile sperm on 2 of 2 semen analyses after day 0 (the rule needs 2)"))
        }
    }

    @Test("a DXA scan entered as BMD alone gets its T-score from the NHANES III reference and the WHO category; without menopause known it cannot be classified")
    func boneDensity() async throws {
        try await WebHarness.with { h, client in
            _ = try await enrolOnTreatment(h, participant: "p-f", sex: .female, postmenopausal: true)
            _ = try await enrolOnTreatment(h, participant: "p-u", sex: .female, postmenopausal: nil)
            // Femoral neck 0.60 g/cm²: T = (0.60 − 0.858) / 0.120 = −2.15 (REFERENCE.md C2) → osteopenia (C1).
            for id in ["p-f", "p-u"] {
                _ = try await h.database.repositories.observations.create(
                    Observation(id: Identifier("bmd-\(id)"), participantID: Identifier(id), code: ClinicalCodes.dxaBMD(.femoralNeck),
                                value: .quantity(Quantity(0.60, "g/cm2")), effective: day("2025-05-15")),
                    context: WebHarness.setup, idempotencyKey: nil)
            }
            let body = try await page(h, client, "/participants/p-f")
            #expect(body.contains("Femoral neck: 0.6 g/cm², T -2.2"))
            #expect(body.contains(#"<td class="dxa-category">low bone mass (osteopenia) (lowest T-score -2.15 at "#))
            #expect(body.contains("computed from NHANES III femoral neck"))
            let unknown = try await page(h, client, "/participants/p-u")
            #expect(unknown.contains(#"<td class="dxa-category">cannot classify: needs menopausal status"#))
            #expect(!unknown.contains("low bone mass"))
        }
    }

    @Test("the participant list shows each person's program and status, the next visit and the open alerts, for the whole page at once")
    func participantList() async throws {
        try await WebHarness.with { h, client in
            _ = try await enrolOnTreatment(h, participant: "p-m")
            _ = try await h.database.repositories.safetyAlerts.create(
                SafetyAlertRecord(id: "al-1", participantID: "p-m", enrolmentID: "e-p-m", ruleID: "r", action: .holdDrug,
                                  message: "test", raisedAt: day("2025-09-01")),
                context: WebHarness.setup, idempotencyKey: nil)
            let body = try await page(h, client, "/participants")
            let row = try #require(body.components(separatedBy: "<tr>").first { $0.contains("R-p-m") })
            #expect(row.contains("Isotretinoin: On treatment"))
            #expect(row.contains(#"class="badge alert-open">1<"#))
            #expect(row.contains(#"<td class="next-visit"><div><span class="badge status-"#))
            let other = try #require(body.components(separatedBy: "<tr>").first { $0.contains("A-001") })
            #expect(other.contains("not enrolled"))
            #expect(other.contains(#"<td class="num open-alerts">0</td>"#))
        }
    }
}
