import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import RestoraDomain
import RestoraStorage
import Testing
@testable import RestoraWeb

/// Issue 12, "sign-in works where the clinic serves it": the session cookie is `Secure` unless the server was
/// started with --insecure-http, and a browser that dropped the cookie is told why instead of looping back
/// to the sign-in page in silence.
@Suite("Session cookie: Secure flag and the dropped-cookie message")
struct SessionCookieCheckTests {
    static let password = "a-long-enough-password"

    /// A real application over an in-memory database with one user, built with `secureCookies`.
    static func with(secureCookies: Bool, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        var logger = Logger(label: "restora.web.tests")
        logger.logLevel = .warning
        let database = try await StorageDatabase.open(url: "sqlite::memory:", logger: logger, hasher: CredentialHasher(bcryptCost: 4))
        do {
            try await database.migrator.migrate()
            let repos = database.repositories
            let setup = AuditContext(actor: Actor(userID: "setup", role: "admin"), requestID: "setup")
            _ = try await repos.sites.create(Site(id: "site-a", code: "A", name: "Clinic A"), context: setup, idempotencyKey: nil)
            _ = try await repos.users.create(
                UserAccount(id: "u-ines", username: "ines", role: .investigator, siteIDs: ["site-a"]), password: password, context: setup)
            var config = WebConfiguration(maxBodyBytes: 4096)
            config.secureCookies = secureCookies
            let app = buildApplication(config, WebDependencies(
                repositories: repos, clock: FixedClock(Date(timeIntervalSince1970: 1_767_225_600)), logger: logger))
            try await app.test(.router) { client in try await body(client) }
            try await database.shutdown()
        } catch {
            try? await database.shutdown()
            throw error
        }
    }

    /// A browser that keeps cookies; `dropsSecure` models one on a plain-HTTP page, which refuses `Secure` cookies.
    struct Browser {
        let client: any TestClientProtocol
        var dropsSecure: Bool
        var cookies: [String: String] = [:]
        var lastSetCookies: [String] = []

        mutating func send(_ uri: String, _ method: HTTPRequest.Method = .get, form: [(String, String)]? = nil) async throws -> (HTTPResponse.Status, String, String?) {
            var headers: HTTPFields = [:]
            if !cookies.isEmpty { headers[.cookie] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
            var body: ByteBuffer?
            if let form {
                headers[.contentType] = "application/x-www-form-urlencoded"
                body = ByteBuffer(string: form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0.1)" }.joined(separator: "&"))
            }
            let (status, html, location, setCookies) = try await client.execute(uri: uri, method: method, headers: headers, body: body) { r in
                (r.status, String(buffer: r.body), r.headers[.location], r.headers[values: .setCookie])
            }
            lastSetCookies = setCookies
            for header in setCookies {
                if dropsSecure, header.contains("; Secure") { continue }
                guard let pair = header.split(separator: ";").first else { continue }
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2 else { continue }
                if parts[1].isEmpty || header.contains("Max-Age=0") { cookies[String(parts[0])] = nil } else { cookies[String(parts[0])] = String(parts[1]) }
            }
            return (status, html, location)
        }

        mutating func signIn() async throws -> (HTTPResponse.Status, String?) {
            let (_, page, _) = try await send("/sign-in")
            let csrf = try #require(Self.csrf(in: page))
            let (status, _, location) = try await send("/sign-in", .post, form: [
                ("_csrf", csrf), ("next", "/dashboard"), ("username", "ines"), ("password", SessionCookieCheckTests.password),
            ])
            return (status, location)
        }

        static func csrf(in page: String) -> String? {
            guard let range = page.range(of: #"name="_csrf" value=""#) else { return nil }
            return String(page[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    @Test("by default the session cookie is Secure; a browser that drops it is told why on the sign-in page, not looped in silence")
    func droppedCookieIsExplained() async throws {
        try await Self.with(secureCookies: true) { client in
            var browser = Browser(client: client, dropsSecure: true)
            let (status, location) = try await browser.signIn()
            #expect(status == .seeOther)
            #expect(location == "/dashboard")
            let session = browser.lastSetCookies.first { $0.hasPrefix("restora_session=") }
            #expect(session?.contains("; Secure") == true)
            #expect(browser.cookies["restora_session"] == nil)
            // Back without the cookie: off to sign-in, which now says what happened.
            let (bounced, _, signIn) = try await browser.send("/dashboard")
            #expect(bounced == .seeOther)
            #expect(signIn == "/sign-in?next=/dashboard")
            let (shown, page, _) = try await browser.send(signIn ?? "/sign-in")
            #expect(shown == .ok)
            #expect(page.contains(#"id="sign-in-error""#))
            #expect(page.contains("did not keep the session cookie"))
            #expect(page.contains("--insecure-http"))
            // The message is shown once; a plain visit to the sign-in page later is the ordinary form.
            let (_, again, _) = try await browser.send("/sign-in")
            #expect(!again.contains("did not keep the session cookie"))
        }
    }

    @Test("a browser that keeps the cookie never sees the message, and sign-out ends the check")
    func keptCookieNoMessage() async throws {
        try await Self.with(secureCookies: true) { client in
            var browser = Browser(client: client, dropsSecure: false)
            _ = try await browser.signIn()
            let (ok, dashboard, _) = try await browser.send("/dashboard")
            #expect(ok == .ok)
            #expect(!dashboard.contains("did not keep the session cookie"))
            #expect(browser.cookies[SessionCookieCheck.cookieName] == nil, "the marker is cleared once the session cookie came back")
            let csrf = try #require(Browser.csrf(in: dashboard))
            _ = try await browser.send("/sign-out", .post, form: [("_csrf", csrf)])
            let (_, page, _) = try await browser.send("/sign-in")
            #expect(!page.contains("did not keep the session cookie"))
        }
    }

    @Test("with --insecure-http (secureCookies false) the session cookie has no Secure flag and sign-in sticks over plain HTTP")
    func insecureHTTPCookie() async throws {
        try await Self.with(secureCookies: false) { client in
            var browser = Browser(client: client, dropsSecure: true)
            _ = try await browser.signIn()
            let session = browser.lastSetCookies.first { $0.hasPrefix("restora_session=") }
            #expect(session != nil)
            #expect(session?.contains("Secure") == false)
            #expect(session?.contains("HttpOnly") == true)
            let (ok, _, _) = try await browser.send("/dashboard")
            #expect(ok == .ok)
            let (_, dashboard, _) = try await browser.send("/dashboard")
            let csrf = try #require(Browser.csrf(in: dashboard))
            _ = try await browser.send("/sign-out", .post, form: [("_csrf", csrf)])
            let cleared = browser.lastSetCookies.first { $0.hasPrefix("restora_session=") }
            #expect(cleared?.contains("Max-Age=0") == true)
            #expect(cleared?.contains("Secure") == false)
        }
    }

    @Test("POST /api/v1/sessions follows the same rule: Secure by default, not with --insecure-http")
    func apiSessionCookie() async throws {
        for secure in [true, false] {
            try await Self.with(secureCookies: secure) { client in
                let cookie = try await client.execute(
                    uri: "/api/v1/sessions", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: #"{"username":"ines","password":"\#(SessionCookieCheckTests.password)"}"#)
                ) { r in r.headers[.setCookie] }
                #expect(cookie?.hasPrefix("restora_session=") == true)
                #expect(cookie?.contains("; Secure") == secure)
            }
        }
    }
}
