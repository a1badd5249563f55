import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import RestoraDomain
import RestoraStorage
@testable import RestoraWeb
import Testing

/// Issue 12 item 7: every /api/v1 answer is `no-store` and `nosniff`; `/metrics` needs a token, or, with
/// none configured, a client on this machine.
@Suite("API headers and metrics access")
struct APIHeadersAndMetricsTests {
    static let contentTypeOptions = HTTPField.Name("X-Content-Type-Options")!

    @Test("every /api/v1 response, errors included, carries Cache-Control: no-store and X-Content-Type-Options: nosniff")
    func apiHeaders() async throws {
        try await WebHarness.with { h, client in
            let requests: [(String, HTTPRequest.Method, HTTPFields, String?, HTTPResponse.Status)] = [
                ("/api/v1/participants/p-a", .get, h.headers(.coordinator), nil, .ok),
                ("/api/v1/participants/p-a", .get, [:], nil, .unauthorized),
                ("/api/v1/participants/nope", .get, h.headers(.coordinator), nil, .notFound),
                ("/api/v1/no-such-endpoint", .get, h.headers(.coordinator), nil, .notFound),
                ("/api/v1/participants?cursor=garbage!", .get, h.headers(.coordinator), nil, .badRequest),
                ("/api/v1/sessions", .post, [.contentType: "application/json"], "{", .badRequest),
                ("/api/v1/sessions", .post, [.contentType: "application/json"], #"{"username":"x","password":"y"}"#, .unauthorized),
                ("/api/v1/openapi.json", .get, [:], nil, .ok),
            ]
            for (uri, method, headers, body, expected) in requests {
                try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { r in
                    #expect(r.status == expected, "\(method) \(uri)")
                    #expect(r.headers[.cacheControl] == "no-store", "\(method) \(uri)")
                    #expect(r.headers[Self.contentTypeOptions] == "nosniff", "\(method) \(uri)")
                }
            }
        }
    }

    @Test("a malformed cursor is 400 bad_cursor naming the cursor")
    func badCursor() async throws {
        try await WebHarness.with { h, client in
            for cursor in ["garbage!", "AAAA", "%2F%2F%2F%2F"] {
                try await client.execute(uri: "/api/v1/participants?cursor=\(cursor)", method: .get, headers: h.headers(.coordinator)) { r in
                    #expect(r.status == .badRequest)
                    let error = decoded(ErrorJSON.self, r.body)
                    #expect(error?.error.code == "bad_cursor")
                    #expect(error?.error.details["path"] == "cursor")
                }
            }
        }
    }

    @Test("name search with %, _ and \\ through the API matches those characters only")
    func literalSearch() async throws {
        try await WebHarness.with { h, client in
            for name in ["%25", "_", "%5C"] {
                try await client.execute(uri: "/api/v1/participants?name=\(name)", method: .get, headers: h.headers(.admin)) { r in
                    #expect(r.status == .ok)
                    #expect(decoded(PageJSON.self, r.body)?.items.count == 0, "name=\(name) matched someone")
                }
            }
        }
    }

    @Test("/metrics with a token: only the right bearer token reads it")
    func metricsToken() async throws {
        try await WebHarness.with(configure: { $0.metricsToken = "s3cret-metrics-token" }) { _, client in
            for (header, expected) in [(nil, HTTPResponse.Status.forbidden), ("Bearer wrong", .forbidden),
                                       ("Bearer s3cret-metrics-tokenX", .forbidden), ("Bearer s3cret-metrics-token", .ok)] {
                var headers: HTTPFields = [:]
                if let header { headers[.authorization] = header }
                try await client.execute(uri: "/metrics", method: .get, headers: headers) { r in
                    #expect(r.status == expected, "Authorization: \(header ?? "none")")
                    if expected == .ok { #expect(String(buffer: r.body).contains("restora_http_requests_total")) }
                }
            }
        }
    }

    @Test("/metrics without a token refuses a client whose address is not loopback (or unknown)")
    func metricsNotLoopback() async throws {
        try await WebHarness.with { _, client in
            try await client.execute(uri: "/metrics", method: .get) { r in
                #expect(r.status == .forbidden)
                #expect(!String(buffer: r.body).contains("restora_http_requests_total"))
            }
        }
    }

    @Test("/metrics without a token answers a loopback connection, but not one a proxy forwarded")
    func metricsLoopbackLive() async throws {
        var logger = Logger(label: "restora.web.tests")
        logger.logLevel = .warning
        let database = try await StorageDatabase.open(url: "sqlite::memory:", logger: logger, hasher: CredentialHasher(bcryptCost: 4))
        do {
            try await database.migrator.migrate()
            let app = buildApplication(
                WebConfiguration(host: "127.0.0.1", port: 0),
                WebDependencies(repositories: database.repositories, clock: FixedClock(WebHarness.now), logger: logger))
            try await app.test(.live) { client in
                try await client.execute(uri: "/metrics", method: .get) { r in
                    #expect(r.status == .ok)
                }
                try await client.execute(uri: "/metrics", method: .get, headers: [HTTPField.Name("X-Forwarded-For")!: "203.0.113.5"]) { r in
                    #expect(r.status == .forbidden)
                }
            }
            try await database.shutdown()
        } catch {
            try? await database.shutdown()
            throw error
        }
    }
}
