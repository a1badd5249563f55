import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb

/// A minimal browser for the HTML pages: keeps cookies, reads `_csrf` / `_nonce` and field values out of
/// pages, posts url-encoded forms. `signIn` goes through the real sign-in form.
struct WebBrowser {
    struct Page {
        var status: HTTPResponse.Status
        var html: String
        var location: String?

        /// The `value` of the first input named `name` (hidden or visible).
        func value(_ name: String) -> String? {
            guard let start = html.range(of: "name=\"\(name)\"") else { return nil }
            let tagEnd = html[start.upperBound...].firstIndex(of: ">") ?? html.endIndex
            let tag = html[start.upperBound..<tagEnd]
            guard let valueStart = tag.range(of: "value=\"") else { return nil }
            let rest = tag[valueStart.upperBound...]
            guard let quote = rest.firstIndex(of: "\"") else { return nil }
            return String(rest[..<quote]).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
        }

        /// The text of `p#<field>-error`, the message shown next to a field.
        func fieldError(_ field: String) -> String? {
            guard let start = html.range(of: "<p id=\"\(field)-error\" class=\"field-error\">"),
                  let end = html[start.upperBound...].range(of: "</p>") else { return nil }
            return String(html[start.upperBound..<end.lowerBound])
        }

        /// The markup of the field's wrapper (`div.field`): its input, label and message together.
        func fieldBlock(_ field: String) -> String? {
            guard let input = html.range(of: "id=\"\(field)\""),
                  let open = html[..<input.lowerBound].range(of: "<div class=\"field", options: .backwards) else { return nil }
            let after = html[input.upperBound...]
            let next = after.range(of: "<div class=\"field")?.lowerBound ?? after.range(of: "</form>")?.lowerBound ?? html.endIndex
            return String(html[open.lowerBound..<next])
        }

        var errorTitle: String? {
            guard let start = html.range(of: "<h1 id=\"error-title\">"), let end = html[start.upperBound...].range(of: "</h1>") else { return nil }
            return String(html[start.upperBound..<end.lowerBound])
        }
    }

    let client: any TestClientProtocol
    var cookies: [String: String] = [:]

    init(_ client: any TestClientProtocol) { self.client = client }

    var cookieHeader: String? { cookies.isEmpty ? nil : cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }

    mutating func get(_ uri: String) async throws -> Page {
        try await send(uri, method: .get, body: nil)
    }

    /// Posts `fields` url-encoded (in the order given).
    mutating func post(_ uri: String, _ fields: [(String, String)]) async throws -> Page {
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(uri, method: .post, body: body)
    }

    /// GETs the form page, then posts `fields` with the page's `_csrf` and `_nonce`.
    mutating func submit(_ uri: String, _ fields: [(String, String)]) async throws -> (form: Page, result: Page) {
        let form = try await get(uri)
        var all = fields
        if let csrf = form.value("_csrf") { all.append(("_csrf", csrf)) }
        if let nonce = form.value("_nonce") { all.append(("_nonce", nonce)) }
        return (form, try await post(uri, all))
    }

    private mutating func send(_ uri: String, method: HTTPRequest.Method, body: String?) async throws -> Page {
        var headers: HTTPFields = [:]
        if let cookieHeader { headers[.cookie] = cookieHeader }
        if body != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        let page = try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { r in
            (Page(status: r.status, html: String(buffer: r.body), location: r.headers[.location]), r.headers[values: .setCookie])
        }
        for header in page.1 {
            guard let pair = header.split(separator: ";").first else { continue }
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { continue }
            if parts[1].isEmpty || header.contains("Max-Age=0") { cookies[String(parts[0])] = nil } else { cookies[String(parts[0])] = String(parts[1]) }
        }
        return page.0
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(["-", ".", "_", "~"])) ?? text
    }

    static let password = "correct horse battery staple"

    /// A user of `role` at `sites` with a password, signed in through `form#sign-in-form`.
    static func signedIn(_ h: WebHarness, _ client: any TestClientProtocol, as role: UserRole, sites: [Identifier<Site>] = ["site-a"]) async throws -> WebBrowser {
        let username = "web-\(role.rawValue)"
        _ = try await h.database.repositories.users.create(
            UserAccount(id: Identifier("u-web-\(role.rawValue)"), username: username, role: role, siteIDs: sites),
            password: password, context: WebHarness.setup)
        var browser = WebBrowser(client)
        let form = try await browser.get("/sign-in")
        let signIn = try await browser.post("/sign-in", [
            ("_csrf", form.value("_csrf") ?? ""), ("next", "/dashboard"), ("username", username), ("password", password),
        ])
        guard signIn.status == .seeOther, browser.cookies[SessionController.cookieName] != nil else {
            throw BrowserError("sign-in as \(username) failed with \(signIn.status)")
        }
        return browser
    }
}

struct BrowserError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
