import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// Issue #15 item 6 through the API and the pages: a raised and an answered query reach the right inboxes in the
/// action's transaction; a refused raise tells nobody; preferences are checked; the inbox page and the nav count.
@Suite("Notifications API and pages")
struct NotificationAPITests {
    struct Item: Decodable {
        var id: String
        var kind: String
        var siteCode: String
        var participantID: String
        var link: String
        var read: Bool
    }

    /// The user's notifications as the API lists them.
    struct Inbox {
        var items: [Item]
        var unread: Int { items.filter { !$0.read }.count }
    }

    static func inbox(_ h: WebHarness, _ client: any TestClientProtocol, _ role: UserRole) async throws -> Inbox {
        try await client.execute(uri: "/api/v1/notifications", method: .get, headers: h.headers(role)) { r in
            #expect(r.status == .ok)
            return Inbox(items: try JSONDecoder().decode([Item].self, from: Data(buffer: r.body)))
        }
    }

    @Test("a query raised tells the site's coordinator and investigator, its answer the monitor; a refused raise tells nobody")
    func queryEvents() async throws {
        try await WebHarness.with { h, client in
            // Refused (blank question): nothing written, nobody told.
            try await client.execute(uri: "/api/v1/participants/p-a/queries", method: .post, headers: h.headers(.monitor),
                                     body: ByteBuffer(string: #"{"question":"  "}"#)) { r in #expect(r.status == .unprocessableContent) }
            #expect(try await Self.inbox(h, client, .coordinator).items.isEmpty)
            let id = try await client.execute(uri: "/api/v1/participants/p-a/queries", method: .post, headers: h.headers(.monitor),
                                              body: ByteBuffer(string: #"{"question":"Unit?"}"#)) { r in
                #expect(r.status == .created)
                return try #require(String(buffer: r.body).firstMatch(of: /"id":"([^"]+)"/).map { String($0.1) })
            }
            for role in [UserRole.coordinator, .investigator] {
                let inbox = try await Self.inbox(h, client, role)
                #expect(inbox.unread == 1 && inbox.items.map(\.kind) == ["query-raised"], "\(role)")
                #expect(inbox.items.first?.siteCode == "A" && inbox.items.first?.participantID == "p-a" && inbox.items.first?.link == "/participants/p-a")
            }
            #expect(try await Self.inbox(h, client, .monitor).items.isEmpty)
            #expect(try await Self.inbox(h, client, .admin).items.isEmpty)
            try await client.execute(uri: "/api/v1/queries/\(id)/answer", method: .post, headers: h.headers(.coordinator, ifMatch: "\"1\""),
                                     body: ByteBuffer(string: #"{"answer":"mg/dL"}"#)) { r in #expect(r.status == .ok) }
            let monitor = try await Self.inbox(h, client, .monitor)
            #expect(monitor.items.map(\.kind) == ["query-answered"])
            // A stale answer (412) enqueues nothing more.
            try await client.execute(uri: "/api/v1/queries/\(id)/answer", method: .post, headers: h.headers(.coordinator, ifMatch: "\"1\""),
                                     body: ByteBuffer(string: #"{"answer":"again"}"#)) { r in #expect(r.status.code >= 400) }
            #expect(try await Self.inbox(h, client, .monitor).items.count == 1)

            // Read: one's own (204), another user's is 404 and stays unread.
            let item = try #require(try await Self.inbox(h, client, .coordinator).items.first)
            try await client.execute(uri: "/api/v1/notifications/\(item.id)/read", method: .post, headers: h.headers(.monitor)) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(uri: "/api/v1/notifications/\(item.id)/read", method: .post, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .noContent)
            }
            #expect(try await Self.inbox(h, client, .coordinator).unread == 0)
            try await client.execute(uri: "/api/v1/notifications", method: .get, headers: h.headers(nil)) { r in #expect(r.status == .unauthorized) }
        }
    }

    @Test("a grade-3 triglyceride's safety alert tells the site's investigator once (a retried request adds nothing), the nav shows the count")
    func safetyAlert() async throws {
        try await WebHarness.with { h, client in
            _ = try await SafetyRulesAPITests.enrol(h, client)
            for _ in 0..<2 {
                try await client.execute(uri: "/api/v1/participants/p-a/observations", method: .post,
                                         headers: h.headers(.coordinator, idempotencyKey: "tg-n"), body: ByteBuffer(json: SafetyRulesAPITests.triglyceride(600))) { r in
                    #expect(r.status == .created)
                }
            }
            let investigator = try await Self.inbox(h, client, .investigator)
            #expect(investigator.items.map(\.kind) == ["safety-alert"] && investigator.items.first?.participantID == "p-a")
            #expect(try await Self.inbox(h, client, .coordinator).items.isEmpty)
            #expect(try await Self.inbox(h, client, .monitor).items.isEmpty)
        }
    }

    @Test("preferences: defaults filled in; a bad address or an unknown kind is 422 naming the field with nothing saved")
    func preferences() async throws {
        try await WebHarness.with { h, client in
            try await client.execute(uri: "/api/v1/notification-preferences", method: .get, headers: h.headers(.investigator)) { r in
                let text = String(buffer: r.body)
                #expect(r.status == .ok && text.contains(#""safety-alert":"immediate""#) && text.contains(#""visit-overdue":"digest""#))
            }
            try await client.execute(uri: "/api/v1/notification-preferences", method: .put, headers: h.headers(.investigator),
                                     body: ByteBuffer(string: #"{"emailAddress":"not an address"}"#)) { r in
                #expect(r.status == .unprocessableContent && String(buffer: r.body).contains("emailAddress"))
            }
            try await client.execute(uri: "/api/v1/notification-preferences", method: .put, headers: h.headers(.investigator),
                                     body: ByteBuffer(string: #"{"emailAddress":"inv@clinic.example","delivery":{"nonsense":"off"}}"#)) { r in
                #expect(r.status == .unprocessableContent && String(buffer: r.body).contains("delivery.nonsense"))
            }
            #expect(try await h.database.repositories.notifications.preferences(user: "u-investigator").emailAddress == nil)
            try await client.execute(uri: "/api/v1/notification-preferences", method: .put, headers: h.headers(.investigator),
                                     body: ByteBuffer(string: #"{"emailAddress":"inv@clinic.example","delivery":{"safety-alert":"digest"}}"#)) { r in
                #expect(r.status == .ok && String(buffer: r.body).contains(#""safety-alert":"digest""#))
            }
            let saved = try await h.database.repositories.notifications.preferences(user: "u-investigator")
            #expect(saved.emailAddress == "inv@clinic.example" && saved.delivery(for: .safetyAlert) == .digest)
        }
    }

    @Test("pages: the nav counts unread, the inbox lists them, opening one marks it read and goes to the record; a bad address is refused next to the field")
    func pages() async throws {
        try await WebHarness.with { h, client in
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            #expect(try await browser.get("/dashboard").html.contains(#"<a id="nav-notifications" href="/notifications">Notifications</a>"#))
            try await client.execute(uri: "/api/v1/participants/p-a/queries", method: .post, headers: h.headers(.monitor),
                                     body: ByteBuffer(string: #"{"question":"Unit?"}"#)) { r in #expect(r.status == .created) }
            #expect(try await browser.get("/dashboard").html.contains("Notifications (1 unread)"))
            let inbox = try await browser.get("/notifications")
            #expect(inbox.html.contains(#"<table id="notifications">"#) && inbox.html.contains("Data query raised"))
            #expect(!inbox.html.contains("A-001") && !inbox.html.contains("Lopez"))
            let item = try #require(try await h.database.repositories.notifications.inbox(user: "u-web-coordinator", limit: 5).first)
            let opened = try await browser.post("/notifications/\(item.id)/open", [("_csrf", inbox.value("_csrf") ?? "")])
            #expect(opened.status == .seeOther && opened.location == "/participants/p-a")
            #expect(try await browser.get("/dashboard").html.contains(#"href="/notifications">Notifications</a>"#))
            // Another user's notification: not found, and it stays unread.
            let other = try #require(try await h.database.repositories.notifications.inbox(user: "u-investigator", limit: 5).first)
            #expect(try await browser.post("/notifications/\(other.id)/open", [("_csrf", inbox.value("_csrf") ?? "")]).status == .notFound)
            #expect(try await h.database.repositories.notifications.unreadCount(user: "u-investigator") == 1)

            let refused = try await browser.submit("/notifications/settings", [("emailAddress", "coord at clinic"), ("delivery-safety-alert", "digest")]).result
            #expect(refused.status == .unprocessableContent)
            #expect(refused.value("emailAddress") == "coord at clinic" && refused.fieldError("emailAddress") != nil)
            #expect(try await h.database.repositories.notifications.preferences(user: "u-web-coordinator").emailAddress == nil)
            let saved = try await browser.submit("/notifications/settings", [("emailAddress", "coord@clinic.example"), ("delivery-query-raised", "immediate")]).result
            #expect(saved.status == .ok && saved.html.contains(#"id="settings-saved""#))
            let stored = try await h.database.repositories.notifications.preferences(user: "u-web-coordinator")
            #expect(stored.emailAddress == "coord@clinic.example" && stored.delivery(for: .queryRaised) == .immediate)
        }
    }
}
