import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Synchronization
import Testing

/// A clock the test moves by hand.
final class ManualClock: RestoraDomain.Clock {
    private let instant: Mutex<Date>
    init(_ start: Date) { instant = Mutex(start) }
    func now() -> Date { instant.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { instant.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// Issue 12 item 4: unlimited password guessing. Failures are counted per account and per client address;
/// at the limit the key is locked out (429, Retry-After, growing), even the right password is refused.
@Suite("Sign-in throttling")
struct SignInThrottleTests {
    static let password = "correct horse battery"
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    // MARK: the throttle itself

    @Test("five failures lock the account; the lock doubles with each further failure, up to the cap")
    func lockoutGrows() async {
        let clock = ManualClock(WebHarness.now)
        let throttle = SignInThrottle(policy: SignInThrottlePolicy(
            maxFailuresPerAccount: 5, maxFailuresPerClient: 100, windowSeconds: 900, lockoutSeconds: 60, maxLockoutSeconds: 200), clock: clock)
        let keys = SignInThrottle.keys(username: "Carla", client: "10.0.0.1")
        for attempt in 1...4 {
            #expect(await throttle.admit(keys) == .admitted)
            #expect(await throttle.finish(keys, failed: true).isEmpty, "attempt \(attempt) should not lock yet")
        }
        #expect(await throttle.admit(keys) == .admitted)
        let first = await throttle.finish(keys, failed: true)
        #expect(first == [SignInThrottle.Lockout(key: keys[0], failures: 5, seconds: 60)])
        // The same account under another spelling and from another address is still locked.
        #expect(await throttle.admit(SignInThrottle.keys(username: "CARLA", client: "10.0.0.2")) == .lockedOut(retryAfter: 60))
        clock.advance(59.5)
        #expect(await throttle.admit(keys) == .lockedOut(retryAfter: 1))
        clock.advance(0.5)
        #expect(await throttle.admit(keys) == .admitted)
        #expect(await throttle.finish(keys, failed: true).map(\.seconds) == [120])
        clock.advance(120)
        #expect(await throttle.admit(keys) == .admitted)
        #expect(await throttle.finish(keys, failed: true).map(\.seconds) == [200])  // capped
        // A whole window with no failure after the last lock-out: clean again.
        clock.advance(200 + 900)
        #expect(await throttle.admit(keys) == .admitted)
        #expect(await throttle.finish(keys, failed: true).isEmpty)
        #expect(await throttle.trackedKeys == 2)
    }

    @Test("a success clears the account's count, not the client's")
    func successClearsAccount() async {
        let clock = ManualClock(WebHarness.now)
        let throttle = SignInThrottle(policy: SignInThrottlePolicy(maxFailuresPerAccount: 3, maxFailuresPerClient: 4), clock: clock)
        let keys = SignInThrottle.keys(username: "carla", client: "10.0.0.1")
        for _ in 1...2 {
            _ = await throttle.admit(keys)
            await throttle.finish(keys, failed: true)
        }
        _ = await throttle.admit(keys)
        await throttle.finish(keys, failed: false)
        _ = await throttle.admit(keys)
        let lockouts = await throttle.finish(keys, failed: true)
        #expect(lockouts.map(\.key) == [], "account count restarted at 0; client is at 3 of 4")
        _ = await throttle.admit(keys)
        #expect(await throttle.finish(keys, failed: true).map(\.key) == [.client("10.0.0.1")])
        #expect(SignInThrottle.keys(username: String(repeating: "x", count: 100_000), client: "10.0.0.1")[0]
            == SignInThrottle.keys(username: String(repeating: "X", count: 100_000), client: "10.0.0.9")[0])
    }

    @Test("parallel attempts cannot run more password checks than the limit")
    func inFlightCounts() async {
        let throttle = SignInThrottle(policy: SignInThrottlePolicy(maxFailuresPerAccount: 3), clock: ManualClock(WebHarness.now))
        let keys = SignInThrottle.keys(username: "carla", client: "10.0.0.1")
        var admitted = 0
        for _ in 1...10 {
            if await throttle.admit(keys) == .admitted { admitted += 1 }
        }
        #expect(admitted == 3)
        // The check that throws counts as neither success nor failure.
        await throttle.finish(keys, failed: nil)
        #expect(await throttle.admit(keys) == .admitted)
    }

    @Test("keys with nothing left to remember are dropped")
    func memoryBound() async {
        let clock = ManualClock(WebHarness.now)
        let throttle = SignInThrottle(policy: SignInThrottlePolicy(windowSeconds: 60), clock: clock)
        for n in 0..<50 {
            let keys = SignInThrottle.keys(username: "user\(n)", client: "10.0.0.\(n)")
            _ = await throttle.admit(keys)
            await throttle.finish(keys, failed: true)
        }
        #expect(await throttle.trackedKeys == 100)
        clock.advance(61)
        for n in 0..<50 {
            let keys = SignInThrottle.keys(username: "user\(n)", client: "10.0.0.\(n)")
            #expect(await throttle.admit(keys) == .admitted)
            await throttle.finish(keys, failed: false)
        }
        #expect(await throttle.trackedKeys == 0)
    }

    // MARK: through the API and the page

    func addUser(_ h: WebHarness) async throws {
        _ = try await h.database.repositories.users.create(
            UserAccount(id: "u-carla", username: "carla", role: .coordinator, siteIDs: ["site-a"]), password: Self.password, context: WebHarness.setup)
    }

    struct Answer: Equatable {
        var status: HTTPResponse.Status
        var retryAfter: String?
        var code: String?
        var message: String?
    }

    func apiSignIn(_ client: some TestClientProtocol, _ username: String, _ password: String, from address: String? = nil) async throws -> Answer {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let address { headers[Self.forwardedFor] = "198.51.100.1, \(address)" }
        return try await client.execute(uri: "/api/v1/sessions", method: .post, headers: headers,
                                        body: ByteBuffer(json: #"{"username":"\#(username)","password":"\#(password)"}"#)) { r in
            let error = decoded(ErrorJSON.self, r.body)
            return Answer(status: r.status, retryAfter: r.headers[HTTPField.Name("Retry-After")!], code: error?.error.code, message: error?.error.message)
        }
    }

    @Test("API: after 5 wrong passwords the 6th attempt is 429 too_many_attempts with Retry-After, even with the right password; later it works")
    func apiLockout() async throws {
        let clock = ManualClock(WebHarness.now)
        try await WebHarness.with(clock: clock) { h, client in
            try await addUser(h)
            for _ in 1...5 { #expect(try await apiSignIn(client, "carla", "guess").status == .unauthorized) }
            let locked = try await apiSignIn(client, "carla", Self.password)
            #expect(locked.status == .tooManyRequests)
            #expect(locked.retryAfter == "60")
            #expect(locked.code == "too_many_attempts")
            clock.advance(60)
            let another = try await apiSignIn(client, "carla", "guess")
            #expect(another.status == .unauthorized)
            #expect(try await apiSignIn(client, "carla", Self.password).retryAfter == "120")
            clock.advance(120)
            #expect(try await apiSignIn(client, "carla", Self.password).status == .created)
        }
    }

    @Test("an unknown account gets the same answers, word for word, as a known one")
    func unknownAccountLooksTheSame() async throws {
        try await WebHarness.with { h, client in
            try await addUser(h)
            var known: [Answer] = [], unknown: [Answer] = []
            for _ in 1...6 { known.append(try await apiSignIn(client, "carla", "guess", from: "10.0.0.1")) }
            for _ in 1...6 { unknown.append(try await apiSignIn(client, "nobody", "guess", from: "10.0.0.2")) }
            #expect(known == unknown)
            #expect(known.last?.status == .tooManyRequests)
        }
    }

    @Test("per client address: many usernames from one address lock the address, not other addresses")
    func clientLockout() async throws {
        try await WebHarness.with(configure: {
            $0.trustForwardedFor = true
            $0.signInThrottle = SignInThrottlePolicy(maxFailuresPerAccount: 5, maxFailuresPerClient: 8)
        }) { h, client in
            try await addUser(h)
            for n in 1...8 { #expect(try await apiSignIn(client, "user\(n)", "guess", from: "10.0.0.7").status == .unauthorized) }
            #expect(try await apiSignIn(client, "carla", Self.password, from: "10.0.0.7").status == .tooManyRequests)
            #expect(try await apiSignIn(client, "carla", Self.password, from: "10.0.0.8").status == .created)
        }
    }

    @Test("X-Forwarded-For is not believed unless a trusted proxy is configured")
    func forwardedForIgnoredByDefault() async throws {
        try await WebHarness.with(configure: { $0.signInThrottle = SignInThrottlePolicy(maxFailuresPerAccount: 50, maxFailuresPerClient: 3) }) { (_: WebHarness, client: any TestClientProtocol) async throws in
            for n in 1...3 { #expect(try await apiSignIn(client, "user\(n)", "guess", from: "10.0.0.\(n)").status == .unauthorized) }
            #expect(try await apiSignIn(client, "user4", "guess", from: "10.0.0.99").status == .tooManyRequests)
        }
    }

    @Test("a lock-out is audited as a security event naming the account by id and the client, never the password")
    func lockoutAudited() async throws {
        try await WebHarness.with(configure: { $0.trustForwardedFor = true }) { h, client in
            try await addUser(h)
            for _ in 1...5 { _ = try await apiSignIn(client, "carla", "hunter2-secret", from: "203.0.113.9") }
            let entries = try await h.database.repositories.audit.history(table: SecurityEvent.table, recordID: "account:u-carla")
            let entry = try #require(entries.first)
            #expect(entries.count == 1)
            #expect(entry.action == .security)
            let fields = Dictionary(uniqueKeysWithValues: entry.changes.map { ($0.field, $0.new ?? "") })
            #expect(fields["event"] == "sign_in_lockout")
            #expect(fields["client"] == "203.0.113.9")
            #expect(fields["failures"] == "5")
            #expect(fields["lockout_seconds"] == "60")
            #expect(!entry.changes.contains { ($0.new ?? "").contains("hunter2") })
            // An unknown username is named by a hash, not as typed.
            for _ in 1...5 { _ = try await apiSignIn(client, "MyPassword!", "x", from: "203.0.113.10") }
            let hashed = try await h.database.repositories.audit.history(
                table: SecurityEvent.table, recordID: "account:" + SignInGuard.accountLabel("MyPassword!"))
            #expect(hashed.count == 1)
            guard case .intact = try await h.database.repositories.audit.verify() else {
                Issue.record("the audit chain does not verify after security events")
                return
            }
        }
    }

    @Test("the sign-in page answers 429 with a message saying to wait, and Retry-After")
    func pageLockout() async throws {
        try await WebHarness.with { h, client in
            try await addUser(h)
            var browser = WebBrowser(client)
            let form = try await browser.get("/sign-in")
            func post(_ password: String) async throws -> (HTTPResponse.Status, String?, String) {
                try await client.execute(
                    uri: "/sign-in", method: .post,
                    headers: [.contentType: "application/x-www-form-urlencoded", .cookie: browser.cookieHeader ?? ""],
                    body: ByteBuffer(string: "_csrf=\(WebBrowser.encode(form.value("_csrf") ?? ""))&username=carla&password=\(WebBrowser.encode(password))")
                ) { r in (r.status, r.headers[HTTPField.Name("Retry-After")!], String(buffer: r.body)) }
            }
            for _ in 1...5 { #expect(try await post("guess").0 == .unauthorized) }
            let (status, retryAfter, html) = try await post(Self.password)
            #expect(status == .tooManyRequests)
            #expect(retryAfter == "60")
            #expect(html.contains("Too many failed sign-in attempts"))
            #expect(html.contains("try again in 60 seconds"))
            #expect(browser.cookies[SessionController.cookieName] == nil)
        }
    }
}
