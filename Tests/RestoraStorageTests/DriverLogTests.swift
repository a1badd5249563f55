import Foundation
import Logging
import RestoraDomain
@testable import RestoraStorage
import Testing

/// Issue 12, item 6: at any log level — trace included — no SQL bind value (MRN, name, search term, token
/// or its hash) reaches the log; Restora's own debug messages still do.
@Suite("No bind values in logs", .serialized)
struct DriverLogTests {
    @Test("a participant create, search and a token at trace level log no MRN, name, search term or token hash", arguments: TestDatabase.urls)
    func noBindValuesAtTrace(url: String) async throws {
        let captured = CapturedLog()
        var logger = Logger(label: "restora.test") { _ in CapturingLogHandler(log: captured) }
        logger.logLevel = .trace
        let token = try await TestDatabase.with(url, logger: logger) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.participants.create(
                Fixture.participant("p-9", mrn: "MRN-SECRET-77", given: "Zebulon", family: "Quixotic"),
                context: Fixture.coordinator, idempotencyKey: nil)
            _ = try await repos.participants.search(ParticipantQuery(siteIDs: nil, name: "Quixot"))
            _ = try await repos.participants.search(ParticipantQuery(siteIDs: nil, mrn: "MRN-SECRET-77"))
            _ = try await repos.users.create(
                UserAccount(id: "u-log", username: "logan", role: .coordinator, siteIDs: ["site-a"]),
                password: "a-long-enough-password", context: Fixture.coordinator)
            let token = try await repos.users.issueToken(username: "logan", expiresAt: nil, context: Fixture.coordinator)
            _ = try await repos.users.authenticate(bearerToken: token, now: Fixture.instant)
            return token
        }
        // Restora's own debug logs still work with the same logger.
        logger.debug("restora's own debug message")
        let text = captured.text
        #expect(text.contains("restora's own debug message"))
        let hash = CredentialHasher(bcryptCost: 4).tokenHash(token)
        let secrets = ["MRN-SECRET-77", "Zebulon", "Quixotic", "Quixot", "Dupont", "MRN-001", "logan", token, hash]
        let leaked = secrets.filter { text.contains($0) }.map { "\($0.prefix(10))…" }
        #expect(leaked.isEmpty, "in the log: \(leaked.joined(separator: ", "))")
    }

    @Test("the clamp does not change the caller's logger or let a driver lower it")
    func clampKeepsCallerLevel() {
        let captured = CapturedLog()
        var logger = Logger(label: "restora.test") { _ in CapturingLogHandler(log: captured) }
        logger.logLevel = .trace
        var driver = DriverLogger.clamped(logger)
        driver.logLevel = .trace
        driver[metadataKey: "psql_connection_id"] = "7"
        driver.debug("SELECT … [\"MRN-1\"]")
        driver.trace("bind MRN-2")
        driver.info("connection lost")
        #expect(driver.logLevel == .info)
        #expect(logger.logLevel == .trace)
        #expect(!captured.text.contains("MRN-"))
        #expect(captured.text.contains("connection lost"))
        #expect(captured.text.contains("psql_connection_id"))
    }
}

/// Every message a handler was given, shared between the copies `Logger` makes of its handler.
final class CapturedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return lines.joined(separator: "\n") }
}

struct CapturingLogHandler: LogHandler {
    let log: CapturedLog
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        log.append("\(event.level) \(event.message) \(all)")
    }
}
