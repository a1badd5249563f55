import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

@Suite("Enrolments, observations, adverse events and audit API")
struct ClinicalAPITests {
    static let observation = #"{"code":{"system":"loinc","code":"2571-8"},"value":{"quantity":{"value":180,"unit":"mg/dL"}},"effective":"2025-12-30T09:00:00Z"}"#
    static let adverseEvent = #"{"term":"Dry skin","grade":1,"onset":"2025-12-20"}"#

    @Test("enrolment: a coordinator enrols and moves the status; a monitor cannot; an illegal move is 409")
    func enrolments() async throws {
        try await WebHarness.with { h, client in
            try await client.execute(uri: "/api/v1/participants/p-a/enrolments", method: .post, headers: h.headers(.monitor), body: ByteBuffer(json: #"{"programID":"prog-1"}"#)) { r in
                #expect(r.status == .forbidden)
            }
            let enrolment = try await client.execute(uri: "/api/v1/participants/p-a/enrolments", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: #"{"programID":"prog-1"}"#)) { r in
                #expect(r.status == .created)
                return try decode(RecordJSON.self, r.body)
            }
            try await client.execute(uri: "/api/v1/enrolments/\(enrolment.id)/transitions", method: .post, headers: h.headers(.monitor, ifMatch: "\"1\""), body: ByteBuffer(json: #"{"to":"screening","reason":"booked"}"#)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/enrolments/\(enrolment.id)/transitions", method: .post, headers: h.headers(.coordinator, ifMatch: "\"1\""), body: ByteBuffer(json: #"{"to":"screening","reason":"booked"}"#)) { r in
                #expect(r.status == .ok)
                #expect(decoded(RecordJSON.self, r.body)?.status == "screening")
            }
            try await client.execute(uri: "/api/v1/enrolments/\(enrolment.id)/transitions", method: .post, headers: h.headers(.coordinator, ifMatch: "\"2\""), body: ByteBuffer(json: #"{"to":"completed","reason":"x"}"#)) { r in
                #expect(r.status == .conflict)
                #expect(decoded(ErrorJSON.self, r.body)?.error.code == "illegal_transition")
            }
            try await client.execute(uri: "/api/v1/participants/p-b/enrolments", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(uri: "/api/v1/participants/p-a/enrolments", method: .get, headers: h.headers(.monitor)) { r in
                #expect(r.status == .ok)
            }
        }
    }

    @Test("observations: recorded by a coordinator, refused to a monitor, another site is 404, corrected under If-Match")
    func observations() async throws {
        try await WebHarness.with { h, client in
            try await client.execute(uri: "/api/v1/participants/p-a/observations", method: .post, headers: h.headers(.monitor), body: ByteBuffer(json: Self.observation)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/participants/p-b/observations", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: Self.observation)) { r in
                #expect(r.status == .notFound)
            }
            let created = try await client.execute(uri: "/api/v1/participants/p-a/observations", method: .post, headers: h.headers(.investigator), body: ByteBuffer(json: Self.observation)) { r in
                #expect(r.status == .created)
                return try decode(RecordJSON.self, r.body)
            }
            let bad = Self.observation.replacingOccurrences(of: #""unit":"mg/dL""#, with: #""unit":"""#)
            try await client.execute(uri: "/api/v1/participants/p-a/observations", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: bad)) { r in
                #expect(r.status == .unprocessableContent)
            }
            let corrected = #"{"code":{"system":"loinc","code":"2571-8"},"value":{"quantity":{"value":160,"unit":"mg/dL"}},"effective":"2025-12-30T09:00:00Z","reason":"wrong tube"}"#
            try await client.execute(uri: "/api/v1/observations/\(created.id)", method: .put, headers: h.headers(.coordinator, ifMatch: "\"1\""), body: ByteBuffer(json: corrected)) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/api/v1/observations/\(created.id)", method: .put, headers: h.headers(.coordinator, ifMatch: "\"1\""), body: ByteBuffer(json: corrected)) { r in
                #expect(r.status == .preconditionFailed)
            }
            try await client.execute(uri: "/api/v1/participants/p-a/observations", method: .get, headers: h.headers(.auditor)) { r in
                #expect(r.status == .ok)
            }
            #expect(try await h.count("observations") == 1)
        }
    }

    @Test("adverse events: validated by the domain, refused to a monitor, updated with a reason")
    func adverseEvents() async throws {
        try await WebHarness.with { h, client in
            try await client.execute(uri: "/api/v1/participants/p-a/adverse-events", method: .post, headers: h.headers(.monitor), body: ByteBuffer(json: Self.adverseEvent)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/participants/p-a/adverse-events", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: Self.adverseEvent.replacingOccurrences(of: #""grade":1"#, with: #""grade":7"#))) { r in
                #expect(r.status == .unprocessableContent)
                #expect(decoded(ErrorJSON.self, r.body)?.error.details["field"] == "grade")
            }
            let created = try await client.execute(uri: "/api/v1/participants/p-a/adverse-events", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: Self.adverseEvent)) { r in
                #expect(r.status == .created)
                return try decode(RecordJSON.self, r.body)
            }
            let regraded = Self.adverseEvent.replacingOccurrences(of: #""grade":1"#, with: #""grade":2,"reason":"worse at review""#)
            try await client.execute(uri: "/api/v1/adverse-events/\(created.id)", method: .put, headers: h.headers(.investigator, ifMatch: "\"1\""), body: ByteBuffer(json: regraded)) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.eTag] == "\"2\"")
            }
            try await client.execute(uri: "/api/v1/participants/p-b/adverse-events", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .notFound)
            }
            #expect(try await h.count("adverse-events") == 1)
        }
    }

    @Test("audit history: auditors and monitors read it, coordinators cannot")
    func audit() async throws {
        try await WebHarness.with { h, client in
            try await client.execute(uri: "/api/v1/participants/p-a/audit", method: .get, headers: h.headers(.auditor)) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body).contains("\"create\""))
            }
            try await client.execute(uri: "/api/v1/participants/p-a/audit", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .forbidden)
            }
        }
    }

    @Test("health, metrics and the OpenAPI document are served")
    func operational() async throws {
        // /metrics needs its token here: a router test has no loopback peer (APIHeadersAndMetricsTests).
        try await WebHarness.with(configure: { $0.metricsToken = "metrics-token" }) { (_: WebHarness, client: any TestClientProtocol) async throws in
            try await client.execute(uri: "/healthz", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/api/v1/openapi.json", method: .get) { r in
                #expect(r.status == .ok)
                let doc = try JSONSerialization.jsonObject(with: Data(r.body.readableBytesView)) as? [String: Any]
                #expect(doc?["openapi"] as? String == "3.1.0")
                #expect((doc?["paths"] as? [String: Any])?["/participants/{id}"] != nil)
            }
            try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer metrics-token"]) { r in
                #expect(String(buffer: r.body).contains("restora_http_requests_total"))
            }
        }
    }
}
