import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

struct AllocationJSON: Decodable {
    var allocationID: String; var enrolmentID: String; var armID: String?; var kitCode: String?; var blinded: Bool
    var randomisationNumber: Int; var stratum: String; var enrolmentVersion: Int?; var enrolmentStatus: String?
}

/// The randomisation doors (issue #16 item 1): `POST /api/v1/enrolments/{id}/randomisation` (201 with `armID`),
/// the allocation read, emergency unblinding, the report, and the Randomise form on the participant page.
/// Programs: `prog-rct` runs examples/protocols/isotretinoin-rct.yaml (open label); `prog-blind` a blinded copy
/// (coordinators and monitors blinded, kit codes `KIT-####`).
@Suite("Randomisation (API and pages)")
struct RandomisationAPITests {
    static func catalog() throws -> ProtocolCatalog {
        let base = try WebHarness.catalog()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let open = try ProtocolCatalog.loadFile(root.appendingPathComponent("examples/protocols/isotretinoin-rct.yaml").path)
        var blind = open
        blind.id = "isotretinoin-rct-blind"
        blind.randomisation?.blinding = Blinding(mode: .blinded, blindedRoles: ["coordinator", "monitor"], kitCodePattern: "KIT-####",
                                                 unblindedContacts: ["investigator"])
        return ProtocolCatalog(directory: base.directory, protocols: base.protocols + [open, blind], files: base.files,
                               amendments: base.amendments, amendmentFiles: base.amendmentFiles)
    }

    /// A consented, eligible-screened enrolment `e-<program>-<participant>` of `participant` in `program`.
    static func consented(_ h: WebHarness, program: String, protocolID: String, participant: String = "p-a", site: String = "site-a") async throws -> String {
        let r = h.database.repositories
        if (try? await r.programs.get(Identifier(program))) == nil {
            _ = try await r.programs.create(Program(id: Identifier(program), protocolID: protocolID, protocolVersion: "1.0", name: "RCT \(program)",
                                                    siteIDs: ["site-a", "site-b"]), context: WebHarness.setup, idempotencyKey: nil)
        }
        let id = "e-\(program)-\(participant)"
        _ = try await r.enrolments.create(Enrolment(id: Identifier(id), participantID: Identifier(participant), programID: Identifier(program),
                                                    siteID: Identifier(site), status: .consented, protocolVersion: "1.0"),
                                          context: WebHarness.setup, idempotencyKey: nil)
        let definition = try Self.catalog().definition(id: protocolID)
        let result = CriterionResult(criterion: definition.inclusion[0], role: .inclusion, result: RuleResult(.met, "test"))
        let report = EligibilityReport(protocolID: protocolID, protocolVersion: "1.0", participantID: participant,
                                       date: CalendarDate(year: 2025, month: 12, day: 20)!, criteria: [result])
        _ = try await r.screenings.create(ScreeningRecord(id: Identifier("s-\(id)"), participantID: Identifier(participant), enrolmentID: Identifier(id),
                                                          report: report, screenedBy: Actor(userID: "u-coordinator", role: "coordinator")),
                                          context: WebHarness.setup, idempotencyKey: nil)
        return id
    }

    static func post(_ h: WebHarness, _ client: any TestClientProtocol, _ path: String, _ body: String, as role: UserRole,
                     expect: HTTPResponse.Status) async throws -> String {
        try await client.execute(uri: path, method: .post, headers: h.headers(role), body: ByteBuffer(json: body)) { r in
            #expect(r.status == expect, "\(path): \(String(buffer: r.body))")
            return String(buffer: r.body)
        }
    }

    static func get(_ h: WebHarness, _ client: any TestClientProtocol, _ path: String, as role: UserRole, expect: HTTPResponse.Status) async throws -> String {
        try await client.execute(uri: path, method: .get, headers: h.headers(role)) { r in
            #expect(r.status == expect, "\(path): \(String(buffer: r.body))")
            return String(buffer: r.body)
        }
    }

    @Test("201 with armID; the enrolment is enrolled with that arm; a second call is 409 and changes nothing")
    func randomiseOpen() async throws {
        try await WebHarness.with(catalog: try Self.catalog()) { h, client in
            let id = try await Self.consented(h, program: "prog-rct", protocolID: "isotretinoin-rct")
            let body = try await Self.post(h, client, "/api/v1/enrolments/\(id)/randomisation", #"{"expectedVersion":1,"factors":{}}"#,
                                           as: .coordinator, expect: .created)
            let allocation = try decode(AllocationJSON.self, ByteBuffer(string: body))
            #expect(["isotretinoin", "observation"].contains(allocation.armID ?? ""))
            #expect(allocation.stratum == "site=A" && allocation.randomisationNumber == 1 && !allocation.blinded)
            #expect(allocation.enrolmentStatus == "enrolled")
            #expect(!body.contains("blockNumber") && !body.contains("blockSize") && !body.contains("position"), "the block is concealed: \(body)")
            let enrolment = try await h.database.repositories.enrolments.get(Identifier(id))
            #expect(enrolment.value.status == .enrolled && enrolment.value.armID == allocation.armID)
            let again = try await Self.post(h, client, "/api/v1/enrolments/\(id)/randomisation",
                                            #"{"expectedVersion":\#(enrolment.version),"factors":{}}"#, as: .investigator, expect: .conflict)
            #expect(again.contains("never reallocated"))
            let shown = try await Self.get(h, client, "/api/v1/enrolments/\(id)/randomisation", as: .monitor, expect: .ok)
            #expect(try decode(AllocationJSON.self, ByteBuffer(string: shown)).armID == allocation.armID)
            let report = try await Self.get(h, client, "/api/v1/programs/prog-rct/randomisation", as: .investigator, expect: .ok)
            #expect(report.contains("\"total\":1"))
        }
    }

    @Test("refusals: wrong role 403, another site 404, missing version 422, stale 412, bad factor 422, plain transition 422; nothing written")
    func refusals() async throws {
        try await WebHarness.with(catalog: try Self.catalog()) { h, client in
            let id = try await Self.consented(h, program: "prog-rct", protocolID: "isotretinoin-rct")
            let other = try await Self.consented(h, program: "prog-rct", protocolID: "isotretinoin-rct", participant: "p-b", site: "site-b")
            let path = "/api/v1/enrolments/\(id)/randomisation"
            _ = try await Self.post(h, client, path, #"{"expectedVersion":1}"#, as: .monitor, expect: .forbidden)
            _ = try await Self.post(h, client, "/api/v1/enrolments/\(other)/randomisation", #"{"expectedVersion":1}"#, as: .coordinator, expect: .notFound)
            let missing = try await Self.post(h, client, path, #"{"factors":{}}"#, as: .coordinator, expect: .unprocessableContent)
            #expect(missing.contains("expectedVersion"))
            _ = try await Self.post(h, client, path, #"{"expectedVersion":5}"#, as: .coordinator, expect: .preconditionFailed)
            let factor = try await Self.post(h, client, path, #"{"expectedVersion":1,"factors":{"fsh":"high"}}"#, as: .coordinator,
                                             expect: .unprocessableContent)
            #expect(factor.contains("factors.fsh"))
            _ = try await Self.post(h, client, path, #"{"expectedVersion":"#, as: .coordinator, expect: .badRequest)
            let plain = try await client.execute(uri: "/api/v1/enrolments/\(id)/transitions", method: .post,
                                                 headers: h.headers(.coordinator, ifMatch: "\"1\""),
                                                 body: ByteBuffer(json: #"{"to":"enrolled","reason":"per protocol"}"#)) { r in
                (r.status, String(buffer: r.body))
            }
            #expect(plain.0 == .unprocessableContent && plain.1.contains("/randomisation"))
            _ = try await Self.get(h, client, "/api/v1/enrolments/\(id)/randomisation", as: .coordinator, expect: .notFound)
            #expect(try await h.database.repositories.randomisation.list(program: "prog-rct", sites: nil).isEmpty)
            #expect(try await h.database.repositories.enrolments.get(Identifier(id)).value.status == .consented)
        }
    }

    @Test("blinded: coordinator sees the kit code, never the arm; report 403 for blinded roles; unblinding by an investigator with a reason")
    func blinded() async throws {
        try await WebHarness.with(catalog: try Self.catalog()) { h, client in
            let id = try await Self.consented(h, program: "prog-blind", protocolID: "isotretinoin-rct-blind")
            let body = try await Self.post(h, client, "/api/v1/enrolments/\(id)/randomisation", #"{"expectedVersion":1}"#,
                                           as: .coordinator, expect: .created)
            let allocation = try decode(AllocationJSON.self, ByteBuffer(string: body))
            #expect(allocation.armID == nil && allocation.blinded && allocation.kitCode?.hasPrefix("KIT-") == true)
            #expect(!body.contains("isotretinoin\"") && !body.contains("observation"), "the arm leaks: \(body)")
            let enrolments = try await Self.get(h, client, "/api/v1/participants/p-a/enrolments", as: .coordinator, expect: .ok)
            #expect(!enrolments.contains("\"armID\":\"isotretinoin\"") && !enrolments.contains("\"armID\":\"observation\""))
            _ = try await Self.get(h, client, "/api/v1/programs/prog-blind/randomisation", as: .coordinator, expect: .forbidden)
            _ = try await Self.post(h, client, "/api/v1/enrolments/\(id)/unblinding", #"{"reason":"anaphylaxis"}"#, as: .coordinator, expect: .forbidden)
            let noReason = try await Self.post(h, client, "/api/v1/enrolments/\(id)/unblinding", #"{"reason":" "}"#, as: .investigator,
                                               expect: .unprocessableContent)
            #expect(noReason.contains("reason"))
            let unblinded = try await Self.post(h, client, "/api/v1/enrolments/\(id)/unblinding", #"{"reason":"anaphylaxis in the emergency room"}"#,
                                                as: .investigator, expect: .created)
            #expect(["isotretinoin", "observation"].contains(try decode(AllocationJSON.self, ByteBuffer(string: unblinded)).armID ?? ""))
            let stillBlind = try await Self.get(h, client, "/api/v1/enrolments/\(id)/randomisation", as: .coordinator, expect: .ok)
            #expect(try decode(AllocationJSON.self, ByteBuffer(string: stillBlind)).armID == nil)
            #expect(try await h.database.repositories.notifications.inbox(user: "u-investigator", limit: 5).map(\.kind) == [.emergencyUnblinding])
        }
    }

    @Test("the Randomise form on the participant page enrols and shows the allocation; the report page shows the balance")
    func randomiseFromPage() async throws {
        try await WebHarness.with(catalog: try Self.catalog()) { h, client in
            let id = try await Self.consented(h, program: "prog-rct", protocolID: "isotretinoin-rct")
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let page = try await browser.get("/participants/p-a")
            #expect(page.html.contains("id=\"randomise-\(id)\""))
            let done = try await browser.post("/enrolments/\(id)/randomisation", [
                ("_csrf", page.value("_csrf") ?? ""), ("version", "1"), ("reason", ""),
            ])
            #expect(done.status == .seeOther, "\(done.html)")
            let after = try await browser.get("/participants/p-a")
            let arm = try await h.database.repositories.randomisation.allocation(enrolment: Identifier(id))?.value.armID
            #expect(arm != nil && after.html.contains("<dd class=\"allocated-arm\">\(arm ?? "")</dd>"))
            #expect(!after.html.contains("id=\"randomise-\(id)\""))
            let report = try await browser.get("/programs/prog-rct/randomisation")
            #expect(report.status == .ok && report.html.contains("balance-strata"))
        }
    }
}
