import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

struct DeviationJSON: Decodable {
    var id: String; var participantID: String; var enrolmentID: String; var category: String; var rule: String; var field: String
    var reason: String; var recordKind: String?; var recordID: String?; var protocolID: String; var protocolVersion: String
    struct Signer: Decodable { var userID: String; var role: String? }
    var signedBy: Signer
}

/// The eligibility gate (issue #14 item 2): moving into eligible, consented or enrolled needs the enrolment's
/// latest screening to be eligible on the program's current protocol version; otherwise 422 naming the rule and
/// the field, nothing written — unless an investigator signs a protocol deviation, stored with the move in one
/// transaction. The harness's program runs protocol `isotretinoin-noa`.
@Suite("Eligibility gate and protocol deviations (API)")
struct EligibilityGateAPITests {
    static func definition() throws -> ProtocolDefinition { try WebHarness.catalog().definition(id: "isotretinoin-noa") }
    static func gateRule() throws -> String {
        let d = try definition()
        return EnrolmentTransitions.gateRule(protocolID: d.id, version: d.version)
    }

    /// Enrols p-a and moves the enrolment to screening (version 2).
    static func screeningEnrolment(_ h: WebHarness, _ client: any TestClientProtocol) async throws -> String {
        let id = try await ScreeningAPITests.enrol(h, client)
        try await move(h, client, id, to: "screening", version: 1, expect: .ok)
        return id
    }

    /// Screened eligible and moved to eligible (version 3), then screened again: incomplete (results pending).
    static func eligibleThenRescreenedIncomplete(_ h: WebHarness, _ client: any TestClientProtocol) async throws -> String {
        let enrolment = try await screeningEnrolment(h, client)
        try await screen(h, enrolment, .eligible)
        try await move(h, client, enrolment, to: "eligible", version: 2, expect: .ok)
        try await screen(h, enrolment, .incomplete, on: CalendarDate(year: 2025, month: 12, day: 28)!)
        return enrolment
    }

    /// Stores a screening of `enrolment` with the verdict asked for (one criterion of the real protocol).
    static func screen(_ h: WebHarness, _ enrolment: String, _ verdict: EligibilityReport.Verdict, version: String? = nil,
                       on date: CalendarDate = CalendarDate(year: 2025, month: 12, day: 20)!) async throws {
        let d = try definition()
        let outcome: CriterionOutcome = switch verdict { case .eligible: .met; case .ineligible: .notMet; case .incomplete: .unknown }
        let result = CriterionResult(criterion: d.inclusion[0], role: .inclusion, result: RuleResult(outcome, "test", missing: ["x"]))
        let report = EligibilityReport(protocolID: d.id, protocolVersion: version ?? d.version, participantID: "p-a", date: date, criteria: [result])
        #expect(report.verdict == verdict)
        let record = ScreeningRecord(id: Identifier("s-\(verdict.rawValue)-\(date)"), participantID: "p-a", enrolmentID: Identifier(enrolment),
                                     report: report, screenedBy: Actor(userID: "u-coordinator", role: "coordinator"))
        _ = try await h.database.repositories.screenings.create(record, context: WebHarness.setup, idempotencyKey: nil)
    }

    @discardableResult
    static func move(_ h: WebHarness, _ client: any TestClientProtocol, _ enrolment: String, to status: String, version: Int,
                     as role: UserRole = .coordinator, deviation: String? = nil, expect: HTTPResponse.Status) async throws -> ErrorJSON? {
        let body = deviation.map { #"{"to":"\#(status)","reason":"per protocol","deviation":\#($0)}"# } ?? #"{"to":"\#(status)","reason":"per protocol"}"#
        return try await client.execute(uri: "/api/v1/enrolments/\(enrolment)/transitions", method: .post,
                                        headers: h.headers(role, ifMatch: "\"\(version)\""), body: ByteBuffer(json: body)) { r in
            #expect(r.status == expect, "moving to \(status): \(String(buffer: r.body))")
            return r.status == .ok ? nil : decoded(ErrorJSON.self, r.body)
        }
    }

    static func state(_ h: WebHarness, _ enrolment: String) async throws -> (EnrolmentStatus, Int, Int, Int) {
        let r = h.database.repositories
        let stored = try await r.enrolments.get(Identifier(enrolment))
        guard case let .intact(entries) = try await r.audit.verify() else { Issue.record("audit chain broken"); return (stored.value.status, stored.version, -1, -1) }
        return (stored.value.status, stored.version, entries, try await r.deviations.list(participant: "p-a").count)
    }

    @Test("an eligible screening passes without deviation; after an incomplete rescreen consent is 422 protocol_rule on `to`, nothing written")
    func incompleteRefused() async throws {
        try await WebHarness.with { h, client in
            let enrolment = try await Self.eligibleThenRescreenedIncomplete(h, client)
            let before = try await Self.state(h, enrolment)
            let error = try await Self.move(h, client, enrolment, to: "consented", version: 3, expect: .unprocessableContent)
            #expect(error?.error.code == "protocol_rule")
            #expect(error?.error.details["path"] == "to")
            let rule = try Self.gateRule()
            #expect(error?.error.details["rule"] == rule)
            #expect(error?.error.details["rule"]?.hasPrefix("eligibility gate") == true)
            #expect(error?.error.message.contains("incomplete") == true)
            let after = try await Self.state(h, enrolment)
            #expect(after == before)
            #expect(after.0 == .eligible && after.1 == 3 && after.3 == 0)
        }
    }

    @Test("no screening, an ineligible verdict, a verdict on another protocol version: each refused with what the latest verdict was")
    func refusalsSayWhy() async throws {
        try await WebHarness.with { h, client in
            let enrolment = try await Self.screeningEnrolment(h, client)
            let none = try await Self.move(h, client, enrolment, to: "eligible", version: 2, expect: .unprocessableContent)
            #expect(none?.error.message.contains("not been screened") == true)
            try await Self.screen(h, enrolment, .eligible, version: "0.9", on: CalendarDate(year: 2025, month: 12, day: 1)!)
            let old = try await Self.move(h, client, enrolment, to: "eligible", version: 2, expect: .unprocessableContent)
            #expect(old?.error.message.contains("v0.9") == true)
            try await Self.screen(h, enrolment, .ineligible)
            let ineligible = try await Self.move(h, client, enrolment, to: "eligible", version: 2, expect: .unprocessableContent)
            #expect(ineligible?.error.message.contains("ineligible") == true)
            #expect(try await Self.state(h, enrolment).1 == 2)
        }
    }

    @Test("an investigator's deviation lets consent through: 200, one deviation stored with the move, and it covers enrolment")
    func investigatorDeviation() async throws {
        try await WebHarness.with { h, client in
            let enrolment = try await Self.eligibleThenRescreenedIncomplete(h, client)
            let before = try await Self.state(h, enrolment)
            try await Self.move(h, client, enrolment, to: "consented", version: 3, as: .investigator,
                                deviation: #"{"category":"eligibility","reason":"PHQ-9 pending; judged eligible at the visit"}"#, expect: .ok)
            let after = try await Self.state(h, enrolment)
            #expect(after.0 == .consented && after.1 == 4 && after.3 == 1)
            // The transition (enrolment update + transition row) and the deviation, nothing else.
            #expect(after.2 == before.2 + 3)
            let list = try await client.execute(uri: "/api/v1/participants/p-a/deviations", method: .get, headers: h.headers(.monitor)) { r in
                #expect(r.status == .ok)
                return try decode([DeviationJSON].self, r.body)
            }
            #expect(list.count == 1)
            let d = try #require(list.first)
            let rule = try Self.gateRule()
            #expect(d.category == "eligibility" && d.field == "to" && d.rule == rule)
            #expect(d.recordKind == "enrolments" && d.recordID == enrolment && d.enrolmentID == enrolment)
            #expect(d.signedBy.userID == "u-investigator" && d.signedBy.role == "investigator")
            #expect(d.reason == "PHQ-9 pending; judged eligible at the visit" && d.protocolID == "isotretinoin-noa")
            // The investigator's decision covers the next gated move of this enrolment (until it is screened again).
            try await Self.move(h, client, enrolment, to: "enrolled", version: 4, expect: .ok)
            #expect(try await Self.state(h, enrolment).3 == 1)
        }
    }

    @Test("a coordinator's deviation is 403 naming the investigator, a deviation without reason is 422, nothing written")
    func coordinatorCannotSign() async throws {
        try await WebHarness.with { h, client in
            let enrolment = try await Self.screeningEnrolment(h, client)
            try await Self.screen(h, enrolment, .incomplete)
            let before = try await Self.state(h, enrolment)
            let refused = try await Self.move(h, client, enrolment, to: "eligible", version: 2, as: .coordinator,
                                              deviation: #"{"category":"eligibility","reason":"looks fine"}"#, expect: .forbidden)
            #expect(refused?.error.message.contains("only an investigator may sign a protocol deviation") == true)
            let noReason = try await Self.move(h, client, enrolment, to: "eligible", version: 2, as: .investigator,
                                               deviation: #"{"category":"eligibility","reason":"  "}"#, expect: .unprocessableContent)
            #expect(noReason?.error.details["path"] == "deviation.reason")
            try await Self.move(h, client, enrolment, to: "eligible", version: 2, as: .investigator,
                                deviation: #"{"category":"made-up","reason":"x"}"#, expect: .badRequest)
            #expect(try await Self.state(h, enrolment) == before)
        }
    }

    @Test("withdrawal and screen failure are never gated; a stale version is 412 before the gate")
    func leavingNeverGated() async throws {
        try await WebHarness.with { h, client in
            let enrolment = try await Self.screeningEnrolment(h, client)
            try await Self.move(h, client, enrolment, to: "eligible", version: 1, expect: .preconditionFailed)
            try await Self.move(h, client, enrolment, to: "screen-failed", version: 2, expect: .ok)
            try await Self.move(h, client, enrolment, to: "screening", version: 3, expect: .ok)
            try await Self.move(h, client, enrolment, to: "withdrawn", version: 4, expect: .ok)
            #expect(try await Self.state(h, enrolment).0 == .withdrawn)
        }
    }

    @Test("recording a deviation afterwards: an investigator 201; coordinator and monitor 403; another site 404; bad references 422")
    func recordAfterwards() async throws {
        try await WebHarness.with { h, client in
            let enrolment = try await Self.screeningEnrolment(h, client)
            let body = #"{"enrolmentID":"\#(enrolment)","category":"visit-schedule","rule":"visit month-3 window ± 7 days","field":"actualDate","reason":"seen on day 101 by error","recordKind":"enrolments","recordID":"\#(enrolment)"}"#
            for role in [UserRole.coordinator, .monitor, .auditor] {
                try await client.execute(uri: "/api/v1/participants/p-a/deviations", method: .post, headers: h.headers(role),
                                         body: ByteBuffer(json: body)) { r in #expect(r.status == .forbidden) }
            }
            let created = try await client.execute(uri: "/api/v1/participants/p-a/deviations", method: .post, headers: h.headers(.investigator),
                                                   body: ByteBuffer(json: body)) { r in
                #expect(r.status == .created)
                return try decode(DeviationJSON.self, r.body)
            }
            #expect(created.category == "visit-schedule" && created.signedBy.userID == "u-investigator" && created.protocolID == "isotretinoin-noa")
            // Its audit trail: one create entry, for the auditor at the site.
            try await client.execute(uri: "/api/v1/audit/deviations/\(created.id)", method: .get, headers: h.headers(.auditor)) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body).contains("\"action\":\"create\"") || String(buffer: r.body).contains("\"action\" : \"create\""))
            }
            // Another participant's enrolment, and a record that is not the participant's: the same 422.
            let other = try await ScreeningAPITests.enrol(h, client, participant: "p-b", as: .admin)
            for (bad, path) in [(body.replacingOccurrences(of: #""enrolmentID":"\#(enrolment)""#, with: #""enrolmentID":"\#(other)""#), "enrolmentID"),
                                (body.replacingOccurrences(of: #""recordID":"\#(enrolment)""#, with: #""recordID":"\#(other)""#), "recordID"),
                                (body.replacingOccurrences(of: "seen on day 101 by error", with: " "), "reason")] {
                try await client.execute(uri: "/api/v1/participants/p-a/deviations", method: .post, headers: h.headers(.investigator),
                                         body: ByteBuffer(json: bad)) { r in
                    #expect(r.status == .unprocessableContent)
                    #expect(decoded(ErrorJSON.self, r.body)?.error.details["path"] == path)
                }
            }
            // Another site's participant: 404 for reading and writing, whatever the role.
            for role in [UserRole.investigator, .monitor] {
                try await client.execute(uri: "/api/v1/participants/p-b/deviations", method: .get, headers: h.headers(role)) { r in
                    #expect(r.status == .notFound)
                }
                try await client.execute(uri: "/api/v1/participants/p-b/deviations", method: .post, headers: h.headers(role),
                                         body: ByteBuffer(json: body)) { r in #expect(r.status == .notFound) }
            }
            #expect(try await h.database.repositories.deviations.list(participants: ["p-a", "p-b"]).map(\.value.id.rawValue) == [created.id])
        }
    }
}
