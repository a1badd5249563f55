import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// Issue #12 items 1, 2 and 5: every id a write names is resolved before the write; an unknown id and another
/// site's id get the same 422 naming the field (`details.path`), nothing is written, no 500 ever; and one
/// open enrolment per participant and program.
@Suite("Referenced records: unknown or another site's are refused alike")
struct ReferenceIntegrityAPITests {
    /// Site B's records, which a site-A coordinator must not be able to point at.
    static func seedSiteB(_ h: WebHarness) async throws {
        let repos = h.database.repositories
        let setup = WebHarness.setup
        _ = try await repos.enrolments.create(Enrolment(id: "e-b", participantID: "p-b", programID: "prog-1", siteID: "site-b"), context: setup, idempotencyKey: nil)
        _ = try await repos.visits.create(Visit(id: "v-b", enrolmentID: "e-b", visitKey: "month-1", plannedDay: 30, windowBefore: 7, windowAfter: 7),
                                          context: setup, idempotencyKey: nil)
        _ = try await repos.procedures.create(
            Procedure(id: "pr-b", participantID: "p-b", enrolmentID: "e-b", kind: .tissueHarvest, performed: WebHarness.now.addingTimeInterval(-86_400 * 10),
                      performer: setup.actor, anatomicalSite: "iliac crest", sourceTissue: "bone-marrow-aspirate"),
            context: setup, idempotencyKey: nil)
        _ = try await repos.cellProducts.create(
            CellProduct(id: "cp-b", lot: "LOT-B", participantID: "p-b", enrolmentID: "e-b", sourceTissue: "bone-marrow-aspirate"),
            context: setup, idempotencyKey: nil)
        _ = try await repos.observations.create(
            Observation(id: "o-b", participantID: "p-b", code: Coding(.loinc, "2571-8"),
                        value: .quantity(Quantity(150, "mg/dL")), effective: WebHarness.now.addingTimeInterval(-3_600)),
            context: setup, idempotencyKey: nil)
    }

    /// Sends `body` and expects 422 naming `path`; returns the message so that two refusals can be compared.
    static func refused(
        _ h: WebHarness, _ client: some TestClientProtocol, _ uri: String, _ body: String, path: String,
        method: HTTPRequest.Method = .post, role: UserRole = .coordinator, ifMatch: String? = nil
    ) async throws -> String {
        try await client.execute(uri: uri, method: method, headers: h.headers(role, ifMatch: ifMatch), body: ByteBuffer(json: body)) { r in
            #expect(r.status == .unprocessableContent, "\(uri) \(body)")
            let error = decoded(ErrorJSON.self, r.body)
            #expect(error?.error.details["path"] == path, "\(uri) \(body)")
            return error?.error.message ?? ""
        }
    }

    /// The same request with an unknown id and with site B's id: both 422 on `path`, with one message.
    static func refusedAlike(
        _ h: WebHarness, _ client: some TestClientProtocol, _ uri: String, path: String, unknown: String, otherSite: String,
        method: HTTPRequest.Method = .post, role: UserRole = .coordinator, ifMatch: String? = nil
    ) async throws {
        let a = try await refused(h, client, uri, unknown, path: path, method: method, role: role, ifMatch: ifMatch)
        let b = try await refused(h, client, uri, otherSite, path: path, method: method, role: role, ifMatch: ifMatch)
        #expect(!a.isEmpty)
        #expect(a == b, "an unknown id and another site's id must read the same")
        #expect(!a.contains("another participant"))
    }

    static let effective = #""effective":"2025-12-30T09:00:00Z""#
    static let lipid = #""code":{"system":"loinc","code":"2571-8"},"value":{"quantity":{"value":180,"unit":"mg/dL"}}"#

    @Test("observations: an unknown or another site's visitID or enrolmentID is 422 on that field; nothing stored")
    func observations() async throws {
        try await WebHarness.with { h, client in
            try await Self.seedSiteB(h)
            let uri = "/api/v1/participants/p-a/observations"
            try await Self.refusedAlike(h, client, uri, path: "visitID",
                                        unknown: #"{\#(Self.lipid),\#(Self.effective),"visitID":"nope"}"#,
                                        otherSite: #"{\#(Self.lipid),\#(Self.effective),"visitID":"v-b"}"#)
            try await Self.refusedAlike(h, client, uri, path: "enrolmentID",
                                        unknown: #"{\#(Self.lipid),\#(Self.effective),"enrolmentID":"nope"}"#,
                                        otherSite: #"{\#(Self.lipid),\#(Self.effective),"enrolmentID":"e-b"}"#)
            #expect(try await h.count("observations") == 0)
        }
    }

    @Test("a visit of the participant's other enrolment than the one named is refused")
    func visitOfAnotherEnrolment() async throws {
        try await WebHarness.with { h, client in
            let repos = h.database.repositories
            _ = try await repos.programs.create(
                Program(id: "prog-2", protocolID: "msc-osteoporosis", protocolVersion: "1.0", name: "MSC", siteIDs: ["site-a"]),
                context: WebHarness.setup, idempotencyKey: nil)
            _ = try await repos.enrolments.create(Enrolment(id: "e-1", participantID: "p-a", programID: "prog-1", siteID: "site-a"), context: WebHarness.setup, idempotencyKey: nil)
            _ = try await repos.enrolments.create(Enrolment(id: "e-2", participantID: "p-a", programID: "prog-2", siteID: "site-a"), context: WebHarness.setup, idempotencyKey: nil)
            _ = try await repos.visits.create(Visit(id: "v-2", enrolmentID: "e-2", visitKey: "month-1", plannedDay: 30, windowBefore: 7, windowAfter: 7),
                                              context: WebHarness.setup, idempotencyKey: nil)
            _ = try await Self.refused(h, client, "/api/v1/participants/p-a/observations",
                                       #"{\#(Self.lipid),\#(Self.effective),"enrolmentID":"e-1","visitID":"v-2"}"#, path: "visitID")
            try await client.execute(uri: "/api/v1/participants/p-a/observations", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: #"{\#(Self.lipid),\#(Self.effective),"enrolmentID":"e-2","visitID":"v-2"}"#)) { r in
                #expect(r.status == .created)
            }
        }
    }

    @Test("procedures, medication courses, cell products and adverse events: enrolmentID resolved; harvest and lot too")
    func treatmentReferences() async throws {
        try await WebHarness.with { h, client in
            try await Self.seedSiteB(h)
            let performed = #""performed":"2025-12-30T08:00:00Z""#
            try await Self.refusedAlike(h, client, "/api/v1/participants/p-a/procedures", path: "enrolmentID",
                                        unknown: #"{"kind":"biopsy",\#(performed),"enrolmentID":"nope"}"#,
                                        otherSite: #"{"kind":"biopsy",\#(performed),"enrolmentID":"e-b"}"#)
            try await Self.refusedAlike(h, client, "/api/v1/participants/p-a/procedures", path: "cellProductID",
                                        unknown: #"{"kind":"injection",\#(performed),"cellProductID":"nope","volumeML":2}"#,
                                        otherSite: #"{"kind":"injection",\#(performed),"cellProductID":"cp-b","volumeML":2}"#)
            let course = #""drug":{"system":"rxnorm","code":"6064"},"dose":{"value":20,"unit":"mg"},"route":"oral","timesPerDay":2,"start":"2025-12-01""#
            try await Self.refusedAlike(h, client, "/api/v1/participants/p-a/medication-courses", path: "enrolmentID",
                                        unknown: #"{\#(course),"enrolmentID":"nope"}"#, otherSite: #"{\#(course),"enrolmentID":"e-b"}"#,
                                        role: .investigator)   // only an investigator prescribes (issue #14)
            let lot = #""sourceTissue":"bone-marrow-aspirate""#
            try await Self.refusedAlike(h, client, "/api/v1/participants/p-a/cell-products", path: "enrolmentID",
                                        unknown: #"{"lot":"L1",\#(lot),"enrolmentID":"nope"}"#, otherSite: #"{"lot":"L1",\#(lot),"enrolmentID":"e-b"}"#)
            try await Self.refusedAlike(h, client, "/api/v1/participants/p-a/cell-products", path: "harvestProcedureID",
                                        unknown: #"{"lot":"L1",\#(lot),"harvestProcedureID":"nope"}"#, otherSite: #"{"lot":"L1",\#(lot),"harvestProcedureID":"pr-b"}"#)
            let event = #""term":"Dry skin","grade":1,"onset":"2025-12-20""#  // a coordinator: causality is the investigator's
            try await Self.refusedAlike(h, client, "/api/v1/participants/p-a/adverse-events", path: "enrolmentID",
                                        unknown: #"{\#(event),"enrolmentID":"nope"}"#, otherSite: #"{\#(event),"enrolmentID":"e-b"}"#)
            let repos = h.database.repositories
            #expect(try await repos.procedures.list(participant: "p-a").isEmpty)
            #expect(try await repos.medicationCourses.list(participant: "p-a").isEmpty)
            #expect(try await repos.cellProducts.list(participant: "p-a").isEmpty)
            #expect(try await repos.adverseEvents.list(participant: "p-a").isEmpty)
            #expect(try await repos.cellProducts.get("cp-b").value.releaseStatus == .inProcess)
        }
    }

    @Test("a lot's harvest must be a tissue harvest of the participant")
    func harvestMustBeAHarvest() async throws {
        try await WebHarness.with { h, client in
            _ = try await h.database.repositories.procedures.create(
                Procedure(id: "pr-a", participantID: "p-a", kind: .biopsy, performed: WebHarness.now.addingTimeInterval(-86_400), performer: WebHarness.setup.actor),
                context: WebHarness.setup, idempotencyKey: nil)
            _ = try await Self.refused(h, client, "/api/v1/participants/p-a/cell-products",
                                       #"{"lot":"L1","sourceTissue":"bone-marrow-aspirate","harvestProcedureID":"pr-a"}"#, path: "harvestProcedureID")
        }
    }

    @Test("participants: an unknown site or one the user does not work at is 422 on siteID, for create and update")
    func participantSites() async throws {
        try await WebHarness.with { h, client in
            let body = { (site: String) in #"{"siteID":"\#(site)","mrn":"A-009","givenName":"Luis","familyName":"Garcia","sex":"male","birthDate":"1985-07-04"}"# }
            try await Self.refusedAlike(h, client, "/api/v1/participants", path: "siteID", unknown: body("z"), otherSite: body("site-b"))
            // An admin sees every site, so only an unknown one is refused.
            _ = try await Self.refused(h, client, "/api/v1/participants", body("z"), path: "siteID", role: .admin)
            try await Self.refusedAlike(h, client, "/api/v1/participants/p-a", path: "siteID", unknown: body("z"), otherSite: body("site-b"),
                                        method: .put, ifMatch: "\"1\"")
            _ = try await Self.refused(h, client, "/api/v1/participants/p-a", body("z"), path: "siteID", method: .put, role: .admin, ifMatch: "\"1\"")
            #expect(try await h.count("participants") == 2)
            #expect(try await h.database.repositories.participants.get("p-a").version == 1)
        }
    }

    @Test("data queries point at a record of this participant, of a known kind, with both kind and id")
    func dataQueryTargets() async throws {
        try await WebHarness.with { h, client in
            try await Self.seedSiteB(h)
            let uri = "/api/v1/participants/p-a/queries"
            let ask = { (kind: String, id: String) in #"{"recordKind":"\#(kind)","recordID":"\#(id)","question":"Unit?"}"# }
            try await Self.refusedAlike(h, client, uri, path: "recordID", unknown: ask("observations", "nope"), otherSite: ask("observations", "o-b"), role: .monitor)
            try await Self.refusedAlike(h, client, uri, path: "recordID", unknown: ask("visits", "nope"), otherSite: ask("visits", "v-b"), role: .monitor)
            _ = try await Self.refused(h, client, uri, ask("spreadsheets", "x"), path: "recordKind", role: .monitor)
            _ = try await Self.refused(h, client, uri, #"{"recordID":"o-b","question":"Unit?"}"#, path: "recordKind", role: .monitor)
            _ = try await Self.refused(h, client, uri, #"{"recordKind":"observations","question":"Unit?"}"#, path: "recordID", role: .monitor)
            #expect(try await h.database.repositories.queries.list(participant: "p-a").isEmpty)
            try await client.execute(uri: uri, method: .post, headers: h.headers(.monitor), body: ByteBuffer(json: #"{"question":"Is the birth date right?"}"#)) { r in
                #expect(r.status == .created)
            }
        }
    }

    @Test("one open enrolment per participant and program: a second is 409, a retry of the first is not; a closed one frees the program")
    func oneOpenEnrolment() async throws {
        try await WebHarness.with { h, client in
            let uri = "/api/v1/participants/p-a/enrolments"
            let body = ByteBuffer(json: #"{"programID":"prog-1"}"#)
            let first = try await client.execute(uri: uri, method: .post, headers: h.headers(.coordinator, idempotencyKey: "k1"), body: body) { r in
                #expect(r.status == .created)
                return try decode(RecordJSON.self, r.body)
            }
            try await client.execute(uri: uri, method: .post, headers: h.headers(.coordinator, idempotencyKey: "k1"), body: body) { r in
                #expect(decoded(RecordJSON.self, r.body)?.id == first.id)
            }
            try await client.execute(uri: uri, method: .post, headers: h.headers(.coordinator), body: body) { r in
                #expect(r.status == .conflict)
                #expect(decoded(ErrorJSON.self, r.body)?.error.code == "duplicate")
            }
            #expect(try await h.count("enrolments") == 1)
            try await client.execute(uri: "/api/v1/enrolments/\(first.id)/transitions", method: .post, headers: h.headers(.coordinator, ifMatch: "\"1\""),
                                     body: ByteBuffer(json: #"{"to":"withdrawn","reason":"moved away"}"#)) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: uri, method: .post, headers: h.headers(.coordinator), body: body) { r in
                #expect(r.status == .created)
            }
            _ = try await Self.refused(h, client, uri, #"{"programID":"nope"}"#, path: "programID")
            #expect(try await h.count("enrolments") == 2)
        }
    }

    @Test("two enrolments racing for one program: exactly one is stored, the other is 409, never 500")
    func racingEnrolments() async throws {
        try await WebHarness.with { h, client in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await client.execute(uri: "/api/v1/participants/p-a/enrolments", method: .post, headers: h.headers(.coordinator),
                                                 body: ByteBuffer(json: #"{"programID":"prog-1"}"#)) { $0.status }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 1)
            #expect(statuses.filter { $0 == .conflict }.count == 7)
            #expect(try await h.count("enrolments") == 1)
        }
    }
}
