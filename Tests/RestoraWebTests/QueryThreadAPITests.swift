import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// Data queries re-opened and their threads (issue #16 item 5, docs/sdv.md): the monitor re-opens with a note,
/// the site answers again, the monitor closes; every step stays in the thread (`GET /queries/{id}`); each door
/// refuses the wrong role (403), another site (404), a step the state does not allow (409), a blank note or
/// answer (422) and a stale version (412), with nothing written.
@Suite("Data query threads and re-opening")
struct QueryThreadAPITests {
    struct ThreadJSON: Decodable {
        struct Step: Decodable { var kind: String; var text: String?; var by: Actor }
        var id: String
        var status: String
        var version: Int
        var answer: String?
        /// Only `GET /queries/{id}` carries the thread.
        var thread: [Step]?
    }

    static func seedObservation(_ h: WebHarness, id: String = "o-1", participant: String = "p-a") async throws {
        _ = try await h.database.repositories.observations.create(
            Observation(id: Identifier(id), participantID: Identifier(participant), code: Coding(.loinc, "2571-8"),
                        value: .quantity(Quantity(150, "mg/dL")), effective: WebHarness.now.addingTimeInterval(-3_600)),
            context: WebHarness.setup, idempotencyKey: nil)
    }

    static func post(_ client: some TestClientProtocol, _ h: WebHarness, _ path: String, _ role: UserRole, version: Int, _ body: String?) async throws -> (HTTPResponse.Status, ByteBuffer) {
        try await client.execute(uri: path, method: .post, headers: h.headers(role, ifMatch: "\"\(version)\""), body: body.map { ByteBuffer(json: $0) }) { r in
            (r.status, r.body)
        }
    }

    @Test("raised, answered, re-opened with a note, answered again and closed: the whole thread stays readable")
    func reopenCycle() async throws {
        try await WebHarness.with { h, client in
            try await Self.seedObservation(h)
            let query = try await client.execute(uri: "/api/v1/participants/p-a/queries", method: .post, headers: h.headers(.monitor),
                                                 body: ByteBuffer(json: #"{"recordKind":"observations","recordID":"o-1","field":"value","question":"Unit?"}"#)) { r in
                #expect(r.status == .created)
                return try decode(ThreadJSON.self, r.body)
            }
            let path = "/api/v1/queries/\(query.id)"
            // An open query cannot be re-opened (409); nothing written.
            #expect(try await Self.post(client, h, path + "/reopen", .monitor, version: 1, #"{"note":"again"}"#).0 == .conflict)
            #expect(try await Self.post(client, h, path + "/answer", .coordinator, version: 1, #"{"answer":"mg/dL"}"#).0 == .ok)
            // Re-opening: the site may not (403), a blank note is 422, a stale version 412, another site 404.
            #expect(try await Self.post(client, h, path + "/reopen", .coordinator, version: 2, #"{"note":"x"}"#).0 == .forbidden)
            let blank = try await Self.post(client, h, path + "/reopen", .monitor, version: 2, #"{"note":"  "}"#)
            #expect(blank.0 == .unprocessableContent)
            #expect(decoded(ErrorJSON.self, blank.1)?.error.details["path"] == "note")
            #expect(try await Self.post(client, h, path + "/reopen", .monitor, version: 2, nil).0 == .unprocessableContent)
            #expect(try await Self.post(client, h, path + "/reopen", .monitor, version: 1, #"{"note":"lab sheet says mmol/L"}"#).0 == .preconditionFailed)
            #expect(try await h.database.repositories.queries.get(Identifier(query.id)).version == 2)
            let reopened = try await Self.post(client, h, path + "/reopen", .monitor, version: 2, #"{"note":"lab sheet says mmol/L"}"#)
            #expect(reopened.0 == .ok)
            #expect(decoded(ThreadJSON.self, reopened.1)?.status == "open")
            #expect(decoded(ThreadJSON.self, reopened.1)?.answer == nil)
            // A blank answer is 422; then the site answers again and the monitor closes with a note.
            #expect(try await Self.post(client, h, path + "/answer", .coordinator, version: 3, #"{"answer":""}"#).0 == .unprocessableContent)
            #expect(try await Self.post(client, h, path + "/answer", .coordinator, version: 3, #"{"answer":"corrected to mmol/L"}"#).0 == .ok)
            #expect(try await Self.post(client, h, path + "/close", .monitor, version: 4, #"{"note":"resolved"}"#).0 == .ok)
            // A closed query cannot be closed or answered again (409); it can be re-opened.
            #expect(try await Self.post(client, h, path + "/close", .monitor, version: 5, nil).0 == .conflict)
            #expect(try await Self.post(client, h, path + "/answer", .coordinator, version: 5, #"{"answer":"x"}"#).0 == .conflict)
            let thread = try await client.execute(uri: path, method: .get, headers: h.headers(.auditor)) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.eTag] == "\"5\"")
                return try decode(ThreadJSON.self, r.body)
            }
            #expect(thread.status == "closed")
            let steps = thread.thread ?? []
            #expect(steps.map(\.kind) == ["answered", "reopened", "answered", "closed"])
            #expect(steps.map(\.text) == ["mg/dL", "lab sheet says mmol/L", "corrected to mmol/L", "resolved"])
            #expect(steps.map(\.by.userID) == ["u-coordinator", "u-monitor", "u-coordinator", "u-monitor"])
            // The re-opening notified the site again (its own event, not swallowed by the first raise's).
            let outbox = try await h.database.repositories.notifications.inbox(user: "u-coordinator", limit: 50)
            #expect(outbox.filter { $0.kind == .queryRaised }.count == 2)
        }
    }

    @Test("another site's query is 404 for every step; a field the record does not have is 422; the thread of a query from before 0046 is carried over")
    func refusals() async throws {
        try await WebHarness.with { h, client in
            try await Self.seedObservation(h)
            try await Self.seedObservation(h, id: "o-b", participant: "p-b")
            let other = try await h.database.repositories.queries.create(
                DataQuery(id: "q-b", participantID: "p-b", question: "?", raisedBy: Actor(userID: "u-x", role: "monitor"), raisedAt: WebHarness.now,
                          answer: "old answer", answeredBy: Actor(userID: "u-site-b", role: "coordinator"), status: .answered),
                context: WebHarness.setup, idempotencyKey: nil)
            for step in ["reopen", "close", "answer"] {
                #expect(try await Self.post(client, h, "/api/v1/queries/q-b/\(step)", step == "answer" ? .coordinator : .monitor, version: 1,
                                            #"{"note":"n","answer":"a"}"#).0 == .notFound)
            }
            try await client.execute(uri: "/api/v1/queries/q-b", method: .get, headers: h.headers(.monitor)) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "/api/v1/participants/p-a/queries", method: .post, headers: h.headers(.monitor),
                                     body: ByteBuffer(json: #"{"recordKind":"observations","recordID":"o-1","field":"colour","question":"?"}"#)) { r in
                #expect(r.status == .unprocessableContent)
                #expect(decoded(ErrorJSON.self, r.body)?.error.details["path"] == "field")
            }
            #expect(try await h.database.repositories.queries.list(participant: "p-a").isEmpty)
            // An admin sees every site: re-opening the old answered query keeps its old answer as the first step.
            #expect(try await Self.post(client, h, "/api/v1/queries/q-b/reopen", .admin, version: other.version, #"{"note":"still wrong"}"#).0 == .ok)
            let thread = try await h.database.repositories.queryThreads.messages(of: ["q-b"])["q-b"] ?? []
            #expect(thread.map(\.kind) == [.answered, .reopened])
            #expect(thread.first?.text == "old answer" && thread.first?.at == nil)
        }
    }
}
