import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

@Suite("Visits, medication, cell products and safety alerts API")
struct TreatmentAPITests {
    /// Prescribed under p-a's isotretinoin enrolment (`TreatmentLimitsAPITests.enrol`), within the protocol's regimen.
    static let course = #"{"enrolmentID":"e-iso","drug":{"system":"rxnorm","code":"6064","display":"isotretinoin"},"dose":{"value":20,"unit":"mg"},"route":"oral","timesPerDay":2,"start":"2025-12-01"}"#
    static let product = #"{"lot":"LOT-42","sourceTissue":"bone-marrow-aspirate","totalCells":52000000}"#

    func enrol(_ h: WebHarness, _ client: some TestClientProtocol) async throws -> String {
        try await client.execute(uri: "/api/v1/participants/p-a/enrolments", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: #"{"programID":"prog-1"}"#)) { r in
            try decode(RecordJSON.self, r.body).id
        }
    }

    @Test("visits: planned and recorded by a coordinator; a monitor cannot; another site's enrolment is 404")
    func visits() async throws {
        try await WebHarness.with { h, client in
            let enrolment = try await enrol(h, client)
            // The screening visit (day -28): recordable before the treatment has started (docs/visits.md).
            let plan = #"{"visitKey":"screening","plannedDay":-28,"windowBefore":14,"windowAfter":14}"#
            try await client.execute(uri: "/api/v1/enrolments/\(enrolment)/visits", method: .post, headers: h.headers(.monitor), body: ByteBuffer(json: plan)) { r in
                #expect(r.status == .forbidden)
            }
            let visit = try await client.execute(uri: "/api/v1/enrolments/\(enrolment)/visits", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: plan)) { r in
                #expect(r.status == .created)
                return try decode(RecordJSON.self, r.body)
            }
            try await client.execute(uri: "/api/v1/visits/\(visit.id)", method: .put, headers: h.headers(.coordinator, ifMatch: "\"1\""), body: ByteBuffer(json: #"{"status":"completed"}"#)) { r in
                #expect(r.status == .unprocessableContent)
            }
            try await client.execute(uri: "/api/v1/visits/\(visit.id)", method: .put, headers: h.headers(.coordinator, ifMatch: "\"1\""), body: ByteBuffer(json: #"{"status":"completed","actualDate":"2025-12-30"}"#)) { r in
                #expect(r.status == .ok)
                #expect(decoded(RecordJSON.self, r.body)?.status == "completed")
            }
            try await client.execute(uri: "/api/v1/enrolments/\(enrolment)/visits", method: .get, headers: h.headers(.monitor)) { r in
                #expect(r.status == .ok)
            }
            let other = try await h.database.repositories.enrolments.create(
                Enrolment(id: "e-b", participantID: "p-b", programID: "prog-1", siteID: "site-b"), context: WebHarness.setup, idempotencyKey: nil)
            try await client.execute(uri: "/api/v1/enrolments/\(other.value.id)/visits", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .notFound)
            }
        }
    }

    @Test("medication: a course and its dispensings; more than 30 days at once is refused; a monitor cannot dispense")
    func medication() async throws {
        try await WebHarness.with { h, client in
            try await TreatmentLimitsAPITests.enrol(h)
            let course = try await client.execute(uri: "/api/v1/participants/p-a/medication-courses", method: .post, headers: h.headers(.investigator), body: ByteBuffer(json: Self.course)) { r in
                #expect(r.status == .created)
                return try decode(RecordJSON.self, r.body)
            }
            try await client.execute(uri: "/api/v1/medication-courses/\(course.id)/dispensings", method: .post, headers: h.headers(.coordinator, ifMatch: "\"1\""),
                                     body: ByteBuffer(json: #"{"date":"2025-12-01","unitsDispensed":120,"daysCovered":60}"#)) { r in
                #expect(r.status == .unprocessableContent)
            }
            try await client.execute(uri: "/api/v1/medication-courses/\(course.id)/dispensings", method: .post, headers: h.headers(.monitor, ifMatch: "\"1\""),
                                     body: ByteBuffer(json: #"{"date":"2025-12-01","unitsDispensed":60,"daysCovered":30}"#)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/medication-courses/\(course.id)/dispensings", method: .post, headers: h.headers(.coordinator, ifMatch: "\"1\""),
                                     body: ByteBuffer(json: #"{"date":"2025-12-01","unitsDispensed":60,"daysCovered":30}"#)) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.eTag] == "\"2\"")
            }
            let stored = try await h.database.repositories.medicationCourses.list(participant: "p-a")
            #expect(stored.first?.value.dispensings.count == 1)
        }
    }

    @Test("cell products: unique lot (409), custody appended by a coordinator, refused to a monitor")
    func cellProducts() async throws {
        try await WebHarness.with { h, client in
            let product = try await client.execute(uri: "/api/v1/participants/p-a/cell-products", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: Self.product)) { r in
                #expect(r.status == .created)
                return try decode(RecordJSON.self, r.body)
            }
            try await client.execute(uri: "/api/v1/participants/p-a/cell-products", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: Self.product)) { r in
                #expect(r.status == .conflict)
                #expect(decoded(ErrorJSON.self, r.body)?.error.code == "duplicate")
            }
            try await client.execute(uri: "/api/v1/participants/p-a/cell-products", method: .post, headers: h.headers(.monitor), body: ByteBuffer(json: Self.product.replacingOccurrences(of: "42", with: "43"))) { r in
                #expect(r.status == .forbidden)
            }
            let custody = #"{"kind":"harvested","at":"2025-12-31T08:00:00Z","location":"theatre 2"}"#
            try await client.execute(uri: "/api/v1/cell-products/\(product.id)/custody", method: .post, headers: h.headers(.monitor, ifMatch: "\"1\""), body: ByteBuffer(json: custody)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/cell-products/\(product.id)/custody", method: .post, headers: h.headers(.coordinator, ifMatch: "\"1\""), body: ByteBuffer(json: custody)) { r in
                #expect(r.status == .ok)
            }
            let stored = try await h.database.repositories.cellProducts.get(lot: "LOT-42").value
            #expect(stored.custody.map(\.kind) == [.harvested])
            #expect(stored.custody.first?.actor.userID == "u-coordinator")
        }
    }

    @Test("safety alerts: listed for the user's sites; acknowledged by an investigator, not by a coordinator")
    func safetyAlerts() async throws {
        try await WebHarness.with { h, client in
            let alerts = h.database.repositories.safetyAlerts
            _ = try await alerts.create(SafetyAlertRecord(id: "sa-a", participantID: "p-a", ruleID: "tg-500", action: .holdDrug,
                                                          message: "Triglycerides above 500 mg/dL", raisedAt: WebHarness.now), context: WebHarness.setup, idempotencyKey: nil)
            _ = try await alerts.create(SafetyAlertRecord(id: "sa-b", participantID: "p-b", ruleID: "tg-500", action: .holdDrug,
                                                          message: "Triglycerides above 500 mg/dL", raisedAt: WebHarness.now), context: WebHarness.setup, idempotencyKey: nil)
            try await client.execute(uri: "/api/v1/safety-alerts", method: .get, headers: h.headers(.monitor)) { r in
                #expect(r.status == .ok)
                #expect(decoded([RecordJSON].self, r.body)?.map(\.id) == ["sa-a"])
            }
            try await client.execute(uri: "/api/v1/safety-alerts/sa-a/acknowledge", method: .post, headers: h.headers(.coordinator, ifMatch: "\"1\""), body: ByteBuffer(json: "{}")) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/safety-alerts/sa-b/acknowledge", method: .post, headers: h.headers(.investigator, ifMatch: "\"1\""), body: ByteBuffer(json: "{}")) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(uri: "/api/v1/safety-alerts/sa-a/acknowledge", method: .post, headers: h.headers(.investigator, ifMatch: "\"1\""), body: ByteBuffer(json: #"{"note":"drug held"}"#)) { r in
                #expect(r.status == .ok)
                #expect(decoded(RecordJSON.self, r.body)?.status == "acknowledged")
            }
            try await client.execute(uri: "/api/v1/safety-alerts", method: .get, headers: h.headers(.investigator)) { r in
                #expect(decoded([RecordJSON].self, r.body)?.isEmpty == true)
            }
        }
    }
}

@Suite("Implausible treatment values are refused (found by the API contract check)")
struct ImplausibleTreatmentValuesTests {
    @Test("a dispensing of 9e18 units or with more units returned than dispensed is 422; nothing changes")
    func dispensing() async throws {
        try await WebHarness.with { h, client in
            try await TreatmentLimitsAPITests.enrol(h)
            let course = try await client.execute(uri: "/api/v1/participants/p-a/medication-courses", method: .post, headers: h.headers(.investigator),
                                                  body: ByteBuffer(json: TreatmentAPITests.course)) { try decode(RecordJSON.self, $0.body) }
            for (body, path) in [(#"{"date":"2025-12-01","unitsDispensed":9000000000000000000,"daysCovered":30}"#, "unitsDispensed"),
                                 (#"{"date":"2025-12-01","unitsDispensed":60,"daysCovered":30,"unitsReturned":-5}"#, "unitsReturned"),
                                 (#"{"date":"2025-12-01","unitsDispensed":60,"daysCovered":30,"unitsReturned":61}"#, "unitsReturned")] {
                try await client.execute(uri: "/api/v1/medication-courses/\(course.id)/dispensings", method: .post,
                                         headers: h.headers(.coordinator, ifMatch: "\"1\""), body: ByteBuffer(json: body)) { r in
                    #expect(r.status == .unprocessableContent, "\(body)")
                    #expect(decoded(ErrorJSON.self, r.body)?.error.details["path"] == path)
                }
            }
            #expect(try await h.database.repositories.medicationCourses.get(Identifier(course.id)).version == 1)
        }
    }

    @Test("a visit planned at day 9e18 or with a window of years is 422")
    func visits() async throws {
        try await WebHarness.with { h, client in
            let enrolment = try await TreatmentAPITests().enrol(h, client)
            // The plan must be the schedule's (docs/visits.md): a huge day or window is refused on the field that differs.
            for (body, path) in [(#"{"visitKey":"month-1","plannedDay":9223372036854775807,"windowBefore":7,"windowAfter":7}"#, "plannedDay"),
                                 (#"{"visitKey":"month-1","plannedDay":30,"windowBefore":7,"windowAfter":9223372036854775807}"#, "windowAfter")] {
                try await client.execute(uri: "/api/v1/enrolments/\(enrolment)/visits", method: .post, headers: h.headers(.coordinator),
                                         body: ByteBuffer(json: body)) { r in
                    #expect(r.status == .unprocessableContent, "\(body)")
                    #expect(decoded(ErrorJSON.self, r.body)?.error.details["path"] == path)
                }
            }
        }
    }
}
