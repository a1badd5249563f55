import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// One clinical action, one service (issue #14): the same laboratory value entered through the web form and
/// through the JSON API leaves the same record, the same CTCAE reading and the same audit trail, and the same
/// impossible value is refused by both doors with nothing written.
@Suite("The web form and the API are one door")
struct SameActionDoorsTests {
    static let webParticipant: Identifier<Participant> = "p-a"
    static let apiParticipant: Identifier<Participant> = "p-a2"

    func addSecondParticipant(_ h: WebHarness) async throws {
        _ = try await h.database.repositories.participants.create(
            Participant(id: Self.apiParticipant, siteID: "site-a", mrn: "A-002", givenName: "Bea", familyName: "Lopez",
                        sex: .female, birthDate: CalendarDate(year: 1980, month: 3, day: 1)!),
            context: WebHarness.setup, idempotencyKey: nil)
    }

    /// What a stored observation says clinically: everything but its id, its participant and its panel id.
    struct Clinical: Equatable {
        var code: Coding
        var value: ObservationValue
        var effective: Date
        var upperLimitOfNormal: Double?
        var specimen: SpecimenDetails?
        var enrolment: Identifier<Enrolment>?
        var visit: Identifier<Visit>?

        init(_ o: Observation) {
            var code = o.code
            code.display = nil   // a display is decoration (Coding.sameConcept); the web form names the test its own way
            self.code = code
            value = o.value
            effective = o.effective
            upperLimitOfNormal = o.upperLimitOfNormal
            specimen = o.specimen
            enrolment = o.enrolmentID
            visit = o.visitID
        }
    }

    @Test("an ALT of 150 U/L with a ULN of 40 entered by a coordinator: web form and API store the same record and the same audit entry")
    func sameLabValue() async throws {
        try await WebHarness.with { h, client in
            try await addSecondParticipant(h)
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let (_, result) = try await browser.submit("/participants/p-a/labs/new", [
                ("test", "alt"), ("value", "150"), ("unit", "U/L"), ("upperLimitOfNormal", "40"), ("effective", "2025-12-30"), ("enrolmentID", ""),
            ])
            #expect(result.status == .seeOther)
            let web = try #require(try await h.database.repositories.observations.list(participant: Self.webParticipant).first)
            let instant = ISO8601DateFormatter().string(from: web.value.effective)
            let body = #"{"code":{"system":"loinc","code":"1742-6"},"value":{"quantity":{"value":150,"unit":"U/L"}},"effective":"\#(instant)","upperLimitOfNormal":40,"specimen":{"type":"serum"}}"#
            try await client.execute(uri: "/api/v1/participants/p-a2/observations", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: body)) { r in
                #expect(r.status == .created)
            }
            let api = try #require(try await h.database.repositories.observations.list(participant: Self.apiParticipant).first)
            #expect(Clinical(web.value) == Clinical(api.value))
            #expect(web.version == api.version)
            // The same reading beside it (CTCAE v5.0 ALT needs the baseline, REFERENCE.md E1: the first value is it).
            #expect(ObservationReading.text(web.value)?.text == ObservationReading.text(api.value)?.text)
            #expect(ObservationReading.text(api.value) != nil)
            let webAudit = try await h.database.repositories.audit.history(table: "observations", recordID: web.value.id.rawValue)
            let apiAudit = try await h.database.repositories.audit.history(table: "observations", recordID: api.value.id.rawValue)
            #expect(webAudit.map(\.action) == apiAudit.map(\.action))
            #expect(!webAudit.isEmpty)
            #expect(webAudit.map(\.actor.role) == apiAudit.map(\.actor.role))
            // The same fields written, with the same values except the ids and the participant they belong to.
            let ignored: Set<String> = ["id", "participant_id", "panel_id", "request_id"]
            func fields(_ entries: [AuditEntry]) -> [String: String?] {
                Dictionary(entries.flatMap(\.changes).filter { !ignored.contains($0.field) }.map { ($0.field, $0.new) }, uniquingKeysWith: { a, _ in a })
            }
            #expect(fields(webAudit) == fields(apiAudit))
        }
    }

    @Test("an impossible value (a negative ALT) is refused by both doors, naming the value, and nothing is written")
    func sameRefusal() async throws {
        try await WebHarness.with { h, client in
            try await addSecondParticipant(h)
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let (_, result) = try await browser.submit("/participants/p-a/labs/new", [
                ("test", "alt"), ("value", "-5"), ("unit", "U/L"), ("effective", "2025-12-30"), ("enrolmentID", ""),
            ])
            #expect(result.status == .unprocessableContent)
            #expect(result.fieldError("value") != nil)
            let body = #"{"code":{"system":"loinc","code":"1742-6"},"value":{"quantity":{"value":-5,"unit":"U/L"}},"effective":"2025-12-30T00:00:00Z"}"#
            try await client.execute(uri: "/api/v1/participants/p-a2/observations", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: body)) { r in
                #expect(r.status == .unprocessableContent)
            }
            #expect(try await h.database.repositories.observations.list(participant: Self.webParticipant).isEmpty)
            #expect(try await h.database.repositories.observations.list(participant: Self.apiParticipant).isEmpty)
        }
    }
}

/// A decimal comma is read, not dropped (issue #14 item 6): the form shown again says how each number was read.
@Suite("Numbers as read")
struct NumbersAsReadTests {
    @Test("a form shown again says '1,5' was read as 1.5, and says nothing for a value typed canonically or refused")
    func understood() {
        #expect(Forms.understoodText("1,5", refused: false) == "read as 1.5")
        #expect(Forms.understoodText("2e6", refused: false) == "read as 2000000")
        #expect(Forms.understoodText("1.5", refused: false) == nil)
        #expect(Forms.understoodText("1,5", refused: true) == nil)
        #expect(Forms.understoodText("abc", refused: false) == nil)
        let state = FormState(form: FormData(["concentration": "1,5"]))
        let html = Forms.decimalInput("concentration", label: "Concentration", unit: "× 10⁶/mL", state: state).render()
        #expect(html.contains("read as 1.5"))
        #expect(html.contains(#"inputmode="decimal""#))
        #expect(html.contains(#"type="text""#))
    }

    @Test("a measure reads without the source citation its display carries")
    func measureNames() {
        #expect(ObservationReading.measureName(ClinicalCodes.histology) == "Testicular histology")
        #expect(ObservationReading.measureName(Coding(.loinc, "1742-6")) == "1742-6")
        #expect(ObservationReading.measureName(ClinicalCodes.alt) == "ALT")
    }
}
