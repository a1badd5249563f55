import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

@Suite("Concurrent writes over HTTP")
struct ConcurrencyAPITests {
    @Test("50 concurrent updates with the same If-Match: exactly one 200, the rest 412")
    func concurrentUpdates() async throws {
        try await WebHarness.with { h, client in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for i in 0..<50 {
                    group.addTask {
                        let body = #"{"siteID":"site-a","mrn":"A-001","givenName":"Writer \#(i)","familyName":"Lopez","sex":"female","birthDate":"1980-03-01","reason":"test"}"#
                        return try await client.execute(uri: "/api/v1/participants/p-a", method: .put,
                                                        headers: h.headers(.coordinator, ifMatch: "\"1\""), body: ByteBuffer(json: body)) { $0.status }
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1)
            #expect(statuses.filter { $0 == .preconditionFailed }.count == 49)
            #expect(try await h.database.repositories.participants.get("p-a").version == 2)
        }
    }

    @Test("50 concurrent creates with the same Idempotency-Key: one record, every response names it")
    func concurrentCreates() async throws {
        try await WebHarness.with { h, client in
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        try await client.execute(uri: "/api/v1/participants", method: .post,
                                                 headers: h.headers(.coordinator, idempotencyKey: "create-garcia-1"),
                                                 body: ByteBuffer(json: newParticipant)) { r in
                            #expect(r.status == .created)
                            return try decode(ParticipantJSON.self, r.body).id
                        }
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            #expect(try await h.count("participants") == 3)
        }
    }
}
