import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

/// Issue 12 item 8: `%`, `_` and `\` in a name search are the characters themselves, not LIKE wildcards,
/// on SQLite and PostgreSQL alike; a cursor this server did not issue is refused.
@Suite("Participant search escaping", .serialized)
struct ParticipantSearchEscapingTests {
    static let names: [(String, String)] = [
        ("p-1", "Dupont"), ("p-2", "100% Cotton"), ("p-3", "Under_Score"), ("p-4", "Back\\Slash"), ("p-5", "Bang!Name"),
        ("p-6", "Underscore"), ("p-7", "UnderXScore"),
    ]

    static func names(_ repos: Repositories, _ text: String) async throws -> [String] {
        try await repos.participants.search(ParticipantQuery(siteIDs: nil, name: text, limit: 50)).items.map { $0.value.id.rawValue }
    }

    @Test("%, _, \\ and the escape character match only themselves", arguments: TestDatabase.urls)
    func literalWildcards(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            for (id, family) in Self.names.dropFirst() {
                _ = try await repos.participants.create(
                    Fixture.participant(id, mrn: "MRN-\(id)", family: family), context: Fixture.coordinator, idempotencyKey: nil)
            }
            #expect(try await Self.names(repos, "%") == ["p-2"])
            #expect(try await Self.names(repos, "_") == ["p-3"])
            #expect(try await Self.names(repos, "under_score") == ["p-3"])
            #expect(try await Self.names(repos, "\\") == ["p-4"])
            #expect(try await Self.names(repos, "!") == ["p-5"])
            #expect(try await Self.names(repos, "!n") == ["p-5"])
            #expect(try await Self.names(repos, "%%") == [])
            #expect(try await Self.names(repos, "100%") == ["p-2"])
            #expect(try await Self.names(repos, "UNDERSCORE") == ["p-6"])
            #expect(try await Self.names(repos, "dup") == ["p-1"])
        }
    }

    @Test("a malformed cursor is refused, a real one pages on", arguments: TestDatabase.urls)
    func cursors(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.participants.create(Fixture.participant("p-2", mrn: "MRN-2"), context: Fixture.coordinator, idempotencyKey: nil)
            let first = try await repos.participants.search(ParticipantQuery(siteIDs: nil, limit: 1))
            let cursor = try #require(first.nextCursor)
            let second = try await repos.participants.search(ParticipantQuery(siteIDs: nil, limit: 1, cursor: cursor))
            #expect(second.items.map(\.value.id.rawValue) == ["p-2"])
            for bad in ["", "not base64!", "%%%", "AAAA", "////", "cA==cA==", Data([0xFF, 0xFE]).base64EncodedString(),
                        Data("a b".utf8).base64EncodedString(), String(repeating: "QUFB", count: 200)] {
                await #expect(throws: ParticipantCursor.Malformed(), "cursor '\(bad)'") {
                    try await repos.participants.search(ParticipantQuery(siteIDs: nil, limit: 1, cursor: bad))
                }
            }
        }
    }
}
