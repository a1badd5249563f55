import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

@Suite("Data queries API")
struct DataQueryAPITests {
    static let question = #"{"recordKind":"observations","recordID":"o-1","field":"value","question":"Unit mg/dL or mmol/L?"}"#

    @Test("a monitor raises and closes a query, the site answers; each refused to the other side")
    func lifecycle() async throws {
        try await WebHarness.with { h, client in
            // The query points at a real observation of the participant (an unknown one is refused: ReferenceIntegrityAPITests).
            _ = try await h.database.repositories.observations.create(
                Observation(id: "o-1", participantID: "p-a", code: Coding(.loinc, "2571-8"), value: .quantity(Quantity(150, "mg/dL")),
                            effective: WebHarness.now.addingTimeInterval(-3_600)),
                context: WebHarness.setup, idempotencyKey: nil)
            try await client.execute(uri: "/api/v1/participants/p-a/queries", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: Self.question)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/participants/p-b/queries", method: .post, headers: h.headers(.monitor), body: ByteBuffer(json: Self.question)) { r in
                #expect(r.status == .notFound)
            }
            let query = try await client.execute(uri: "/api/v1/participants/p-a/queries", method: .post, headers: h.headers(.monitor), body: ByteBuffer(json: Self.question)) { r in
                #expect(r.status == .created)
                return try decode(RecordJSON.self, r.body)
            }
            #expect(query.status == "open")
            try await client.execute(uri: "/api/v1/queries/\(query.id)/answer", method: .post, headers: h.headers(.monitor, ifMatch: "\"1\""), body: ByteBuffer(json: #"{"answer":"x"}"#)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/queries/\(query.id)/answer", method: .post, headers: h.headers(.coordinator, ifMatch: "\"1\""), body: ByteBuffer(json: #"{"answer":"mg/dL, checked against the lab report"}"#)) { r in
                #expect(r.status == .ok)
                #expect(decoded(RecordJSON.self, r.body)?.status == "answered")
            }
            try await client.execute(uri: "/api/v1/queries/\(query.id)/close", method: .post, headers: h.headers(.coordinator, ifMatch: "\"2\"")) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/queries/\(query.id)/close", method: .post, headers: h.headers(.monitor, ifMatch: "\"2\"")) { r in
                #expect(r.status == .ok)
                #expect(decoded(RecordJSON.self, r.body)?.status == "closed")
            }
            let history = try await h.database.repositories.audit.history(table: "data_queries", recordID: query.id)
            #expect(history.filter { $0.table == "data_queries" }.map(\.actor.userID) == ["u-monitor", "u-coordinator", "u-monitor"])
            // The query's history includes its thread's steps (migration 0046, docs/sdv.md): the answer and the closing.
            #expect(history.filter { $0.table == "data_query_messages" }.map(\.actor.userID) == ["u-coordinator", "u-monitor"])
        }
    }
}
