import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// One use case, one service (issue #14): the same gated move with the same deviation, once through the web
/// form and once through the JSON API, leaves the same records — the enrolment's step and one deviation with
/// the same rule, field, category, reason, record and protocol — differing only in ids, who signed and when.
@Suite("Eligibility gate: the web form and the API store the same records")
struct EligibilityGateDoorsTests {
    @Test("a deviation through the form and through the API")
    func sameRecords() async throws {
        try await WebHarness.with { h, client in
            let r = h.database.repositories
            _ = try await r.participants.create(
                Participant(id: "p-a2", siteID: "site-a", mrn: "A-002", givenName: "Ana", familyName: "Ruiz", sex: .female,
                            birthDate: CalendarDate(year: 1981, month: 4, day: 2)!), context: WebHarness.setup, idempotencyKey: nil)
            _ = try await r.users.create(UserAccount(id: "web-ines", username: "ines", role: .investigator, siteIDs: ["site-a"]),
                                         password: ClinicPagesTests.password, context: WebHarness.setup)
            // Both enrolments screened: incomplete (the harness's participants have no screening data).
            var enrolments: [String] = []
            for participant in ["p-a", "p-a2"] {
                let id = try await ScreeningAPITests.enrol(h, client, participant: participant)
                try await EligibilityGateAPITests.move(h, client, id, to: "screening", version: 1, expect: .ok)
                try await client.execute(uri: "/api/v1/enrolments/\(id)/screenings", method: .post, headers: h.headers(.coordinator),
                                         body: ByteBuffer(json: #"{"on":"2025-12-30"}"#)) { #expect($0.status == .created) }
                enrolments.append(id)
            }
            let reason = "PHQ-9 done on paper; judged eligible"
            var session = try await PagesSession.signIn(client, username: "ines", password: ClinicPagesTests.password)
            let (_, page, _) = try await session.get(client, "/participants/p-a")
            let (web, _, _) = try await session.post(client, "/enrolments/\(enrolments[0])/transition", [
                ("_csrf", try #require(PagesSession.csrf(in: page))), ("to", "eligible"), ("reason", "screening reviewed"),
                ("deviationCategory", "eligibility"), ("deviationReason", reason)])
            #expect(web == .seeOther)
            try await EligibilityGateAPITests.move(h, client, enrolments[1], to: "eligible", version: 2, as: .investigator,
                                                   deviation: #"{"category":"eligibility","reason":"\#(reason)"}"#, expect: .ok)
            func stored(_ participant: Identifier<Participant>, _ enrolment: String) async throws -> [String] {
                let e = try await r.enrolments.get(Identifier(enrolment))
                let d = try #require(try await r.deviations.list(participant: participant).map(\.value).first)
                return [e.value.status.rawValue, "\(e.version)", "\(e.value.transitions.count)", d.category.rawValue, d.rule, d.field, d.reason,
                        d.recordKind ?? "-", d.recordID == enrolment ? "own enrolment" : "other", d.protocolID, d.protocolVersion,
                        d.signedBy.role ?? "-"]
            }
            let viaWeb = try await stored("p-a", enrolments[0])
            let viaAPI = try await stored("p-a2", enrolments[1])
            #expect(viaWeb == viaAPI)
            #expect(viaWeb.first == "eligible" && viaWeb.last == "investigator")
            #expect(try await r.deviations.list(participants: ["p-a", "p-a2"]).count == 2)
        }
    }
}
