import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

@Suite("Web sessions")
struct SessionAPITests {
    static let password = "correct horse battery"

    func addUser(_ h: WebHarness) async throws {
        _ = try await h.database.repositories.users.create(
            UserAccount(id: "u-carla", username: "carla", role: .coordinator, siteIDs: ["site-a"]), password: Self.password, context: WebHarness.setup)
    }

    func signIn(_ client: some TestClientProtocol, password: String) async throws -> (HTTPResponse.Status, String?) {
        try await client.execute(uri: "/api/v1/sessions", method: .post, headers: [.contentType: "application/json"],
                                 body: ByteBuffer(json: #"{"username":"carla","password":"\#(password)"}"#)) { r in
            let cookie = r.headers[.setCookie]
            #expect(cookie == nil || (cookie!.contains("HttpOnly") && cookie!.contains("SameSite=Strict")))
            return (r.status, cookie.flatMap { $0.split(separator: ";").first }.map(String.init))
        }
    }

    @Test("a wrong password gets 401 and no cookie; the right one a session cookie that reads")
    func signInAndRead() async throws {
        try await WebHarness.with { h, client in
            try await addUser(h)
            let (wrong, noCookie) = try await signIn(client, password: "guess")
            #expect(wrong == .unauthorized)
            #expect(noCookie == nil)
            let (status, cookie) = try await signIn(client, password: Self.password)
            #expect(status == .created)
            let session = try #require(cookie)
            try await client.execute(uri: "/api/v1/participants/p-a", method: .get, headers: [.cookie: session]) { r in
                #expect(r.status == .ok)
            }
        }
    }

    @Test("a cookie-signed write needs X-Requested-With (CSRF); sign-out ends the session")
    func csrfAndSignOut() async throws {
        try await WebHarness.with { h, client in
            try await addUser(h)
            let session = try #require(try await signIn(client, password: Self.password).1)
            try await client.execute(uri: "/api/v1/participants", method: .post, headers: [.cookie: session, .contentType: "application/json"], body: ByteBuffer(json: newParticipant)) { r in
                #expect(r.status == .forbidden)
            }
            #expect(try await h.count("participants") == 2)
            var headers: HTTPFields = [.cookie: session, .contentType: "application/json"]
            headers[HTTPField.Name("X-Requested-With")!] = "restora"
            try await client.execute(uri: "/api/v1/participants", method: .post, headers: headers, body: ByteBuffer(json: newParticipant)) { r in
                #expect(r.status == .created)
            }
            try await client.execute(uri: "/api/v1/sessions", method: .delete, headers: headers) { r in
                #expect(r.status == .noContent)
            }
            try await client.execute(uri: "/api/v1/participants/p-a", method: .get, headers: [.cookie: session]) { r in
                #expect(r.status == .unauthorized)
            }
        }
    }
}
