import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// The JSON parts of a create answer that carry the rules' verdict.
struct AlertJSON: Decodable { var id: String; var ruleID: String; var status: String; var observationID: String?; var adverseEventID: String? }
struct CTCAEJSON: Decodable { var grade: Int? }
struct InterpretationJSON: Decodable { var ctcae: CTCAEJSON? }
struct CreatedWithAlertsJSON: Decodable {
    var id: String
    var version: Int
    var interpretation: InterpretationJSON?
    var safetyAlerts: [AlertJSON]
}

@Suite("Observations and adverse events run through the protocol's clinical and safety rules")
struct SafetyRulesAPITests {
    static func triglyceride(_ value: Int, unit: String = "mg/dL") -> String {
        #"{"code":{"system":"loinc","code":"2571-8"},"value":{"quantity":{"value":\#(value),"unit":"\#(unit)"}},"effective":"2025-12-30T09:00:00Z"}"#
    }

    static func enrol(_ h: WebHarness, _ client: any TestClientProtocol) async throws -> String {
        try await client.execute(uri: "/api/v1/participants/p-a/enrolments", method: .post, headers: h.headers(.coordinator),
                                 body: ByteBuffer(json: #"{"programID":"prog-1"}"#)) { r in
            #expect(r.status == .created)
            return try decode(RecordJSON.self, r.body).id
        }
    }

    static func openAlerts(_ h: WebHarness, _ client: any TestClientProtocol, _ role: UserRole = .investigator) async throws -> [AlertJSON] {
        try await client.execute(uri: "/api/v1/safety-alerts", method: .get, headers: h.headers(role)) { r in
            #expect(r.status == .ok)
            return try decode([AlertJSON].self, r.body)
        }
    }

    @Test("a grade 3 triglyceride (600 mg/dL) of an enrolled isotretinoin participant raises an open alert; a normal value none")
    func triglycerideGrade3RaisesAlert() async throws {
        try await WebHarness.with { h, client in
            _ = try await Self.enrol(h, client)
            let created = try await client.execute(uri: "/api/v1/participants/p-a/observations", method: .post,
                                                   headers: h.headers(.coordinator), body: ByteBuffer(json: Self.triglyceride(600))) { r in
                #expect(r.status == .created)
                return try decode(CreatedWithAlertsJSON.self, r.body)
            }
            #expect(created.interpretation?.ctcae?.grade == 3)
            #expect(created.safetyAlerts.map(\.ruleID).count == 1)
            #expect(created.safetyAlerts.first?.status == "open")
            let open = try await Self.openAlerts(h, client)
            #expect(open.count == 1)
            #expect(open.first?.observationID == created.id)
            #expect(open.first?.ruleID == created.safetyAlerts.first?.ruleID)

            let normal = try await client.execute(uri: "/api/v1/participants/p-a/observations", method: .post,
                                                  headers: h.headers(.coordinator), body: ByteBuffer(json: Self.triglyceride(120))) { r in
                #expect(r.status == .created)
                return try decode(CreatedWithAlertsJSON.self, r.body)
            }
            #expect(normal.interpretation?.ctcae?.grade == 0)
            #expect(normal.safetyAlerts.isEmpty)
            #expect(try await Self.openAlerts(h, client).count == 1)
        }
    }

    @Test("a retried create with the same Idempotency-Key returns the same alerts and adds none")
    func retriedCreateDoesNotDuplicateAlerts() async throws {
        try await WebHarness.with { h, client in
            _ = try await Self.enrol(h, client)
            for _ in 0..<2 {
                try await client.execute(uri: "/api/v1/participants/p-a/observations", method: .post,
                                         headers: h.headers(.coordinator, idempotencyKey: "tg-1"), body: ByteBuffer(json: Self.triglyceride(1200))) { r in
                    #expect(r.status == .created)
                    #expect(decoded(CreatedWithAlertsJSON.self, r.body)?.safetyAlerts.count == 2)
                }
            }
            #expect(try await Self.openAlerts(h, client).count == 2)
            #expect(try await h.count("observations") == 1)
        }
    }

    @Test("without an enrolment the value is graded but no protocol rule applies")
    func notEnrolledRaisesNothing() async throws {
        try await WebHarness.with { h, client in
            try await client.execute(uri: "/api/v1/participants/p-a/observations", method: .post,
                                     headers: h.headers(.coordinator), body: ByteBuffer(json: Self.triglyceride(600))) { r in
                #expect(r.status == .created)
                #expect(decoded(CreatedWithAlertsJSON.self, r.body)?.interpretation?.ctcae?.grade == 3)
                #expect(decoded(CreatedWithAlertsJSON.self, r.body)?.safetyAlerts.isEmpty == true)
            }
            #expect(try await Self.openAlerts(h, client).isEmpty)
        }
    }

    @Test("a triglyceride in a unit CTCAE does not grade is 422 naming value.quantity.unit, and nothing is written")
    func wrongUnitIsRefused() async throws {
        try await WebHarness.with { h, client in
            _ = try await Self.enrol(h, client)
            try await client.execute(uri: "/api/v1/participants/p-a/observations", method: .post,
                                     headers: h.headers(.coordinator), body: ByteBuffer(json: Self.triglyceride(600, unit: "kg"))) { r in
                #expect(r.status == .unprocessableContent)
                #expect(decoded(ErrorJSON.self, r.body)?.error.details["field"] == "value.quantity.unit")
            }
            #expect(try await h.count("observations") == 0)
            #expect(try await Self.openAlerts(h, client).isEmpty)
        }
    }

    @Test("a monitor cannot record the observation (403) and another site's participant is 404; no alert either way")
    func refusedRolesRaiseNothing() async throws {
        try await WebHarness.with { h, client in
            _ = try await Self.enrol(h, client)
            try await client.execute(uri: "/api/v1/participants/p-a/observations", method: .post,
                                     headers: h.headers(.monitor), body: ByteBuffer(json: Self.triglyceride(600))) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/participants/p-b/observations", method: .post,
                                     headers: h.headers(.coordinator), body: ByteBuffer(json: Self.triglyceride(600))) { r in
                #expect(r.status == .notFound)
            }
            #expect(try await Self.openAlerts(h, client, .admin).isEmpty)
        }
    }

    @Test("an enrolmentID of another participant is 422 and nothing is written")
    func foreignEnrolmentIsRefused() async throws {
        try await WebHarness.with { h, client in
            let body = Self.triglyceride(600).replacingOccurrences(of: #"{"code""#, with: #"{"enrolmentID":"nope","code""#)
            try await client.execute(uri: "/api/v1/participants/p-a/observations", method: .post,
                                     headers: h.headers(.coordinator), body: ByteBuffer(json: body)) { r in
                #expect(r.status == .unprocessableContent)
                #expect(decoded(ErrorJSON.self, r.body)?.error.details["field"] == "enrolmentID")
            }
            #expect(try await h.count("observations") == 0)
        }
    }

    @Test("a grade 3 depression adverse event of an enrolled participant raises the protocol's alert")
    func adverseEventRaisesAlert() async throws {
        try await WebHarness.with { h, client in
            _ = try await Self.enrol(h, client)
            let event = #"{"term":"Depression","grade":3,"relatedness":"possible","onset":"2025-12-20","expected":true}"#
            try await client.execute(uri: "/api/v1/participants/p-a/adverse-events", method: .post,
                                     headers: h.headers(.investigator), body: ByteBuffer(json: event)) { r in
                #expect(r.status == .created)
                let created = decoded(CreatedWithAlertsJSON.self, r.body)
                #expect(created?.safetyAlerts.isEmpty == false)
                #expect(created?.safetyAlerts.first?.adverseEventID == created?.id)
            }
            #expect(try await Self.openAlerts(h, client).isEmpty == false)
        }
    }
}
