import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

@Suite("Participants API")
struct ParticipantAPITests {
    @Test("a coordinator creates a participant at their site: 201, ETag, audited")
    func createAllowed() async throws {
        try await WebHarness.with { h, client in
            let created = try await client.execute(uri: "/api/v1/participants", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: newParticipant)) { r in
                #expect(r.status == .created)
                #expect(r.headers[.eTag] == "\"1\"")
                return try decode(ParticipantJSON.self, r.body)
            }
            #expect(created.mrn == "A-002")
            #expect(try await h.database.repositories.audit.history(table: "participants", recordID: created.id).map(\.actor.userID) == ["u-coordinator"])
        }
    }

    @Test("monitors and auditors cannot create participants, and nothing is written", arguments: [UserRole.monitor, .auditor])
    func createRefused(role: UserRole) async throws {
        try await WebHarness.with { h, client in
            try await client.execute(uri: "/api/v1/participants", method: .post, headers: h.headers(role), body: ByteBuffer(json: newParticipant)) { r in
                #expect(r.status == .forbidden)
                #expect(decoded(ErrorJSON.self, r.body)?.error.code == "forbidden")
            }
            #expect(try await h.count("participants") == 2)
        }
    }

    @Test("without a valid token: 401 with the error body and a request id")
    func unauthenticated() async throws {
        try await WebHarness.with { h, client in
            for headers in [h.headers(nil), [HTTPField.Name.authorization: "Bearer not-a-token"]] {
                try await client.execute(uri: "/api/v1/participants/p-a", method: .get, headers: headers) { r in
                    #expect(r.status == .unauthorized)
                    let body = try decode(ErrorJSON.self, r.body)
                    #expect(body.error.code == "unauthorized")
                    #expect(!body.requestId.isEmpty)
                    #expect(r.headers[HTTPField.Name("X-Request-ID")!] == body.requestId)
                }
            }
        }
    }

    @Test("a coordinator creating at another site is refused like an unknown site: 422 on siteID")
    func createOtherSite() async throws {
        try await WebHarness.with { h, client in
            let body = newParticipant.replacingOccurrences(of: "site-a", with: "site-b")
            try await client.execute(uri: "/api/v1/participants", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: body)) { r in
                #expect(r.status == .unprocessableContent)
                #expect(decoded(ErrorJSON.self, r.body)?.error.details["path"] == "siteID")
            }
            #expect(try await h.count("participants") == 2)
        }
    }

    @Test("reading: own site 200 and logged; another site's participant 404")
    func readScoped() async throws {
        try await WebHarness.with { h, client in
            try await client.execute(uri: "/api/v1/participants/p-a", method: .get, headers: h.headers(.monitor)) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.eTag] == "\"1\"")
            }
            try await client.execute(uri: "/api/v1/participants/p-b", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .notFound)
                #expect(decoded(ErrorJSON.self, r.body)?.error.code == "not_found")
            }
            try await client.execute(uri: "/api/v1/participants/p-b", method: .get, headers: h.headers(.admin)) { r in
                #expect(r.status == .ok)
            }
            await h.database.flushReadAudit()
            let reads = try await h.database.repositories.audit.history(table: "participants", recordID: "p-a").filter { $0.action == .read }
            #expect(reads.map(\.actor.userID) == ["u-monitor"])
        }
    }

    @Test("updates need If-Match (428), a current version (412) and a reason (422)")
    func updatePreconditions() async throws {
        try await WebHarness.with { h, client in
            let body = #"{"siteID":"site-a","mrn":"A-001","givenName":"Ana","familyName":"Lopes","sex":"female","birthDate":"1980-03-01","reason":"surname misspelt"}"#
            try await client.execute(uri: "/api/v1/participants/p-a", method: .put, headers: h.headers(.coordinator), body: ByteBuffer(json: body)) { r in
                #expect(r.status == .preconditionRequired)
            }
            try await client.execute(uri: "/api/v1/participants/p-a", method: .put, headers: h.headers(.coordinator, ifMatch: "\"7\""), body: ByteBuffer(json: body)) { r in
                #expect(r.status == .preconditionFailed)
                #expect(decoded(ErrorJSON.self, r.body)?.error.code == "stale_version")
            }
            let noReason = body.replacingOccurrences(of: #","reason":"surname misspelt""#, with: "")
            try await client.execute(uri: "/api/v1/participants/p-a", method: .put, headers: h.headers(.coordinator, ifMatch: "\"1\""), body: ByteBuffer(json: noReason)) { r in
                #expect(r.status == .unprocessableContent)
            }
            try await client.execute(uri: "/api/v1/participants/p-a", method: .put, headers: h.headers(.monitor, ifMatch: "\"1\""), body: ByteBuffer(json: body)) { r in
                #expect(r.status == .forbidden)
            }
            #expect(try await h.database.repositories.participants.get("p-a").value.familyName == "Lopez")
            try await client.execute(uri: "/api/v1/participants/p-a", method: .put, headers: h.headers(.coordinator, ifMatch: "\"1\""), body: ByteBuffer(json: body)) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.eTag] == "\"2\"")
            }
            #expect(try await h.database.repositories.participants.get("p-a").value.familyName == "Lopes")
        }
    }

    @Test("search is scoped to the caller's sites and paged with a cursor")
    func search() async throws {
        try await WebHarness.with { h, client in
            for i in 2...4 {
                let body = newParticipant.replacingOccurrences(of: "A-002", with: "A-00\(i)")
                try await client.execute(uri: "/api/v1/participants", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: body)) { r in
                    #expect(r.status == .created)
                }
            }
            let lopez = try await client.execute(uri: "/api/v1/participants?name=lopez", method: .get, headers: h.headers(.coordinator)) { r in
                try decode(PageJSON.self, r.body)
            }
            #expect(lopez.items.map(\.id) == ["p-a"])
            let first = try await client.execute(uri: "/api/v1/participants?name=garcia&limit=2", method: .get, headers: h.headers(.monitor)) { r in
                try decode(PageJSON.self, r.body)
            }
            let cursor = try #require(first.nextCursor)
            let second = try await client.execute(uri: "/api/v1/participants?name=garcia&limit=2&cursor=\(cursor)", method: .get, headers: h.headers(.monitor)) { r in
                try decode(PageJSON.self, r.body)
            }
            #expect(first.items.count == 2)
            #expect(second.items.count == 1)
            #expect(Set(first.items.map(\.id) + second.items.map(\.id)).count == 3)
            try await client.execute(uri: "/api/v1/participants?mrn=B-001", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(decoded(PageJSON.self, r.body)?.items.isEmpty == true)
            }
            try await client.execute(uri: "/api/v1/participants?limit=0", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .badRequest)
            }
        }
    }
}
