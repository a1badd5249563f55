import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

struct ProductJSON: Decodable {
    struct Decision: Decodable { var outcome: String; var specificationSource: String }
    var id: String
    var version: Int
    var releaseStatus: String
    var releaseDecision: Decision?
    struct Step: Decodable { struct Who: Decodable { var userID: String; var role: String? }; var kind: String; var at: Date; var actor: Who }
    var custody: [Step]?
}

@Suite("Cell product release decision")
struct ReleaseDecisionAPITests {
    static func tests(viability: Int = 92) -> String {
        #"{"releaseTests":{"markersPercent":{"CD73":99,"CD90":98,"CD105":97,"CD45":0.5,"CD34":0.4,"CD14":0.3,"CD19":0.2,"HLA-DR":0.6},"viabilityPercent":\#(viability),"sterilityNoGrowth":true,"endotoxin":{"value":1,"unit":"EU/kg"},"mycoplasmaNegative":true}}"#
    }

    static func product(_ h: WebHarness, _ client: any TestClientProtocol, participant: String = "p-a", lot: String, as role: UserRole = .coordinator) async throws -> String {
        try await client.execute(uri: "/api/v1/participants/\(participant)/cell-products", method: .post, headers: h.headers(role),
                                 body: ByteBuffer(json: #"{"lot":"\#(lot)","sourceTissue":"bone-marrow-aspirate"}"#)) { r in
            #expect(r.status == .created)
            return try decode(RecordJSON.self, r.body).id
        }
    }

    static func decide(_ h: WebHarness, _ client: any TestClientProtocol, _ id: String, _ role: UserRole, ifMatch: String? = "\"1\"",
                       body: String? = tests()) async throws -> (HTTPResponse.Status, ProductJSON?) {
        try await client.execute(uri: "/api/v1/cell-products/\(id)/release-decision", method: .post, headers: h.headers(role, ifMatch: ifMatch),
                                 body: body.map { ByteBuffer(json: $0) }) { r in (r.status, decoded(ProductJSON.self, r.body)) }
    }

    @Test("an investigator releases a product meeting the ISCT defaults: 200, released, decision stored, audited; a second decision is 409")
    func investigatorReleases() async throws {
        try await WebHarness.with { h, client in
            let id = try await Self.product(h, client, lot: "LOT-1")
            let (status, product) = try await Self.decide(h, client, id, .investigator)
            #expect(status == .ok)
            #expect(product?.releaseStatus == "released")
            #expect(product?.version == 2)
            #expect(product?.releaseDecision?.outcome == "released")
            #expect(product?.releaseDecision?.specificationSource == "built-in ISCT 2006 defaults")
            #expect(try await Self.decide(h, client, id, .investigator, ifMatch: "\"2\"").0 == .conflict)
            try await client.execute(uri: "/api/v1/audit/cell-products/\(id)", method: .get, headers: h.headers(.auditor)) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body).contains("release decision: released"))
            }
        }
    }

    @Test("a failing viability rejects the product")
    func failingTestRejects() async throws {
        try await WebHarness.with { h, client in
            let id = try await Self.product(h, client, lot: "LOT-2")
            let (status, product) = try await Self.decide(h, client, id, .investigator, body: Self.tests(viability: 50))
            #expect(status == .ok)
            #expect(product?.releaseStatus == "rejected")
        }
    }

    @Test("coordinator, monitor and admin are refused (403); another site's product is 404; nothing changes")
    func refusedRoles() async throws {
        try await WebHarness.with { h, client in
            let id = try await Self.product(h, client, lot: "LOT-3")
            for role in [UserRole.coordinator, .monitor, .admin, .auditor] {
                #expect(try await Self.decide(h, client, id, role).0 == .forbidden)
            }
            let other = try await Self.product(h, client, participant: "p-b", lot: "LOT-B", as: .admin)
            #expect(try await Self.decide(h, client, other, .investigator).0 == .notFound)
            #expect(try await h.database.repositories.cellProducts.get(Identifier(id)).value.releaseStatus == .inProcess)
            #expect(try await h.database.repositories.cellProducts.get(Identifier(other)).value.releaseStatus == .inProcess)
        }
    }

    @Test("no If-Match is 428, a stale one 412, missing results 422 naming releaseTests; the product stays undecided")
    func unhappyPaths() async throws {
        try await WebHarness.with { h, client in
            let id = try await Self.product(h, client, lot: "LOT-4")
            #expect(try await Self.decide(h, client, id, .investigator, ifMatch: nil).0 == .preconditionRequired)
            #expect(try await Self.decide(h, client, id, .investigator, ifMatch: "\"7\"").0 == .preconditionFailed)
            try await client.execute(uri: "/api/v1/cell-products/\(id)/release-decision", method: .post,
                                     headers: h.headers(.investigator, ifMatch: "\"1\"")) { r in
                #expect(r.status == .unprocessableContent)
                #expect(decoded(ErrorJSON.self, r.body)?.error.details["field"] == "releaseTests")
            }
            #expect(try await Self.decide(h, client, id, .investigator, body: #"{"releaseTests":{"markersPercent":{"CD73":"x"}}}"#).0 == .badRequest)
            let stored = try await h.database.repositories.cellProducts.get(Identifier(id))
            #expect(stored.value.releaseStatus == .inProcess)
            #expect(stored.version == 1)
            #expect(stored.value.releaseDecision == nil)
        }
    }

    static func putTests(_ h: WebHarness, _ client: any TestClientProtocol, _ id: String, _ role: UserRole, ifMatch: String?,
                         body: String) async throws -> (HTTPResponse.Status, ProductJSON?, String?) {
        try await client.execute(uri: "/api/v1/cell-products/\(id)/release-tests", method: .put, headers: h.headers(role, ifMatch: ifMatch),
                                 body: ByteBuffer(json: body)) { r in
            (r.status, decoded(ProductJSON.self, r.body), decoded(ErrorJSON.self, r.body)?.error.details["field"])
        }
    }

    @Test("results entered through the API before the decision: quarantine, a change needs a reason, a monitor or a stale version is refused; the investigator then decides on the stored results")
    func releaseTestsThenDecision() async throws {
        try await WebHarness.with { h, client in
            let id = try await Self.product(h, client, lot: "LOT-5")
            #expect(try await Self.putTests(h, client, id, .monitor, ifMatch: "\"1\"", body: Self.tests()).0 == .forbidden)
            #expect(try await Self.putTests(h, client, id, .coordinator, ifMatch: nil, body: Self.tests()).0 == .preconditionRequired)
            let bad = try await Self.putTests(h, client, id, .coordinator, ifMatch: "\"1\"",
                                              body: #"{"releaseTests":{"markersPercent":{"CD73":120}}}"#)
            #expect(bad.0 == .unprocessableContent)
            #expect(bad.2 == "markersPercent.CD73")
            let saved = try await Self.putTests(h, client, id, .coordinator, ifMatch: "\"1\"", body: Self.tests())
            #expect(saved.0 == .ok)
            #expect(saved.1?.releaseStatus == "quarantine")
            #expect(saved.1?.version == 2)
            // Issue #19: moving into quarantine is a custody step, with who and when.
            #expect(saved.1?.custody?.map(\.kind) == ["quarantined"])
            #expect(saved.1?.custody?.first?.actor.role == "coordinator")
            let unexplained = try await Self.putTests(h, client, id, .coordinator, ifMatch: "\"2\"", body: Self.tests(viability: 60))
            #expect(unexplained.0 == .unprocessableContent)
            #expect(unexplained.2 == "reason")
            #expect(try await Self.putTests(h, client, id, .coordinator, ifMatch: "\"1\"", body: Self.tests(viability: 60)).0 == .preconditionFailed)
            let (status, product) = try await Self.decide(h, client, id, .investigator, ifMatch: "\"2\"", body: nil)
            #expect(status == .ok)
            #expect(product?.releaseStatus == "released")
            #expect(product?.custody?.map(\.kind) == ["quarantined", "released"])
            #expect(product?.custody?.last?.actor.role == "investigator")
            #expect(try await Self.putTests(h, client, id, .coordinator, ifMatch: "\"3\"", body: Self.tests()).0 == .conflict)
        }
    }
}
