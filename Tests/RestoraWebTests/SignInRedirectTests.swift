import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// Issue 12 item 3: `next` after sign-in is a same-origin path or the dashboard, never another host.
@Suite("Sign-in redirect (open redirect)")
struct SignInRedirectTests {
    static let refused: [String?] = [
        nil, "", "dashboard", "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "/\\/evil.example",
        "/%2F/evil.example", "%2F%2Fevil.example", "/%2f%2fevil.example", "/%5Cevil.example", "/%5c/evil.example",
        "/\t/evil.example", "/%09/evil.example", "/\r\n/evil.example", "/%0D%0A/evil.example", "/%0a/evil.example",
        "/ /evil.example", "/%20/evil.example", "/\u{00A0}/evil.example", "/\u{200B}/evil.example", "/%E2%80%8B/evil.example",
        "/\u{2028}/evil.example", "/%00/evil.example", "/\u{7F}", "https://evil.example", "http:/evil.example",
        "javascript:alert(1)", " /dashboard", "/dashboard ", "/participants%zz", "/a//b", String(repeating: "/a", count: 300),
    ]

    static let accepted = ["/dashboard", "/participants", "/participants/p-a", "/participants/p-a/visits/new",
                           "/participants?name=Lopez", "/audit/participants/p-a", "/participants/caf%C3%A9"]

    @Test("refuses every path a browser could read as another site", arguments: refused)
    func refusesNastyPaths(_ next: String?) {
        #expect(WebPath.safeNext(next) == WebPath.dashboard)
    }

    @Test("keeps plain local paths", arguments: accepted)
    func keepsLocalPaths(_ next: String) {
        #expect(WebPath.safeNext(next) == next)
    }

    @Test("the reported URL: the form carries the dashboard, and a posted tab path redirects there")
    func reportedRedirect() async throws {
        try await WebHarness.with { h, client in
            _ = try await h.database.repositories.users.create(
                UserAccount(id: "u-dora", username: "dora", role: .coordinator, siteIDs: ["site-a"]),
                password: WebBrowser.password, context: WebHarness.setup)
            var browser = WebBrowser(client)
            let form = try await browser.get("/sign-in?next=%2F%09%2Fevil.example")
            #expect(form.value("next") == WebPath.dashboard)
            let signIn = try await browser.post("/sign-in", [
                ("_csrf", form.value("_csrf") ?? ""), ("next", "/\t/evil.example"), ("username", "dora"),
                ("password", WebBrowser.password),
            ])
            #expect(signIn.status == .seeOther)
            #expect(signIn.location == WebPath.dashboard)
        }
    }
}
