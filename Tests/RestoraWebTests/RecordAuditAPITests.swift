import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

@Suite("Procedures and record audit history API")
struct RecordAuditAPITests {
    static let harvest = #"{"kind":"tissue-harvest","enrolmentID":"e-cell","performed":"2025-12-30T08:00:00Z","anatomicalSite":"posterior iliac crest","sourceTissue":"bone-marrow-aspirate","volumeML":60,"anaesthesia":"local"}"#

    @Test("procedures: recorded by a coordinator with the performer set, refused to a monitor, another site is 404")
    func procedures() async throws {
        try await WebHarness.with { h, client in
            try await TreatmentLimitsAPITests.enrol(h, isotretinoin: nil)
            try await client.execute(uri: "/api/v1/participants/p-a/procedures", method: .post, headers: h.headers(.monitor), body: ByteBuffer(json: Self.harvest)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/participants/p-b/procedures", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: Self.harvest)) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(uri: "/api/v1/participants/p-a/procedures", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: Self.harvest.replacingOccurrences(of: "60", with: "-5"))) { r in
                #expect(r.status == .unprocessableContent)
            }
            try await client.execute(uri: "/api/v1/participants/p-a/procedures", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: Self.harvest)) { r in
                #expect(r.status == .created)
            }
            let stored = try await h.database.repositories.procedures.list(participant: "p-a")
            #expect(stored.map(\.value.performer?.userID) == ["u-coordinator"])
        }
    }

    @Test("an injection of another participant's cell product is refused")
    func autologousOnly() async throws {
        try await WebHarness.with { h, client in
            _ = try await h.database.repositories.cellProducts.create(
                CellProduct(id: "cp-b", lot: "LOT-B", participantID: "p-b", sourceTissue: "bone-marrow-aspirate"),
                context: WebHarness.setup, idempotencyKey: nil)
            let injection = #"{"kind":"injection","performed":"2025-12-30T08:00:00Z","cellProductID":"cp-b"}"#
            try await client.execute(uri: "/api/v1/participants/p-a/procedures", method: .post, headers: h.headers(.investigator), body: ByteBuffer(json: injection)) { r in
                #expect(r.status == .unprocessableContent)
                #expect(decoded(ErrorJSON.self, r.body)?.error.details["field"] == "cellProductID")
            }
            #expect(try await h.database.repositories.procedures.list(participant: "p-a").isEmpty)
        }
    }

    @Test("record audit history: auditors read it at their sites, coordinators cannot, unknown kinds are 400")
    func recordHistory() async throws {
        try await WebHarness.with { h, client in
            let event = try await h.database.repositories.adverseEvents.create(
                AdverseEvent(id: "ae-a", participantID: "p-a", term: "Dry skin", grade: 1, relatedness: .probable,
                             onset: CalendarDate(year: 2025, month: 12, day: 1)!), context: WebHarness.setup, idempotencyKey: nil)
            var regraded = event.value
            regraded.grade = 2
            _ = try await h.database.repositories.adverseEvents.update(
                regraded, expectedVersion: 1, context: AuditContext(actor: Actor(userID: "u-investigator"), requestID: "r-9", reason: "worse"))
            try await client.execute(uri: "/api/v1/audit/adverse-events/ae-a", method: .get, headers: h.headers(.auditor)) { r in
                #expect(r.status == .ok)
                let entries = try decode([AuditEntry].self, r.body)
                #expect(entries.map(\.action) == [.create, .update])
                #expect(entries.last?.changes == [AuditEntry.Change(field: "grade", old: "1", new: "2")])
            }
            try await client.execute(uri: "/api/v1/audit/adverse-events/ae-a", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/audit/participants/p-b", method: .get, headers: h.headers(.auditor)) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(uri: "/api/v1/audit/passwords/x", method: .get, headers: h.headers(.auditor)) { r in
                #expect(r.status == .badRequest)
            }
        }
    }
}
