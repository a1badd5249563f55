import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

@Suite("Users and credentials", .serialized)
struct UserAndCredentialTests {
    @Test("bcrypt: the stored password hash verifies the password and nothing else")
    func bcrypt() {
        let hasher = CredentialHasher(bcryptCost: 4)
        let hash = hasher.hashPassword("correct horse battery staple")
        #expect(hash.hasPrefix("$2"))
        #expect(!hash.contains("correct horse"))
        #expect(hasher.verifyPassword("correct horse battery staple", hash: hash))
        #expect(!hasher.verifyPassword("correct horse battery stapler", hash: hash))
    }

    @Test("tokens: 32 random bytes, different every time, hashed with SHA-256")
    func tokens() {
        let hasher = CredentialHasher(bcryptCost: 4)
        let a = hasher.newToken()
        let b = hasher.newToken()
        #expect(a != b)
        #expect(Data(base64Encoded: a.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "=")?.count == 32)
        // SHA-256 of "abc" (FIPS 180-2 test vector).
        #expect(hasher.tokenHash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("users sign in by password and by bearer token; the token is stored only as its hash", arguments: TestDatabase.urlsWithFile)
    func signIn(url: String) async throws {
        try await TestDatabase.with(url) { db in
            _ = try await Fixture.seed(db)
            let users = db.repositories.users
            let alice = UserAccount(id: "u-1", username: "alice", role: .coordinator, siteIDs: ["site-a"])
            _ = try await users.create(alice, password: "s3cret-pass", context: Fixture.coordinator)
            await #expect(throws: RepositoryError.duplicate(kind: "user", field: "username")) {
                try await users.create(UserAccount(id: "u-2", username: "alice", role: .monitor, siteIDs: []), password: nil, context: Fixture.coordinator)
            }
            #expect(try await users.authenticate(username: "alice", password: "s3cret-pass") == alice)
            #expect(try await users.authenticate(username: "alice", password: "wrong") == nil)
            #expect(try await users.authenticate(username: "bob", password: "s3cret-pass") == nil)

            let token = try await users.issueToken(username: "alice", expiresAt: nil, context: Fixture.coordinator)
            #expect(try await users.authenticate(bearerToken: token, now: Fixture.instant) == alice)
            #expect(try await users.authenticate(bearerToken: token + "x", now: Fixture.instant) == nil)
            let stored = try await db.store.read { sql in
                try await sql.select().column("token_hash").from("api_tokens").all().map { try $0.decode(column: "token_hash", as: String.self) }
            }
            #expect(stored == [CredentialHasher().tokenHash(token)])
        }
    }

    @Test("an expired token no longer signs in", arguments: TestDatabase.urlsWithFile)
    func expiredToken(url: String) async throws {
        try await TestDatabase.with(url) { db in
            _ = try await Fixture.seed(db)
            let users = db.repositories.users
            _ = try await users.create(UserAccount(id: "u-1", username: "alice", role: .monitor, siteIDs: ["site-a"]), password: nil, context: Fixture.coordinator)
            let token = try await users.issueToken(username: "alice", expiresAt: Fixture.instant, context: Fixture.coordinator)
            #expect(try await users.authenticate(bearerToken: token, now: Fixture.instant.addingTimeInterval(-1)) != nil)
            #expect(try await users.authenticate(bearerToken: token, now: Fixture.instant) == nil)
        }
    }

    @Test("a revoked token, and the token of a deactivated or deleted user, no longer signs in", arguments: TestDatabase.urlsWithFile)
    func revokedAndInactive(url: String) async throws {
        try await TestDatabase.with(url) { db in
            _ = try await Fixture.seed(db)
            let users = db.repositories.users
            let alice = UserAccount(id: "u-1", username: "alice", role: .monitor, siteIDs: ["site-a"])
            _ = try await users.create(alice, password: nil, context: Fixture.coordinator)
            _ = try await users.create(UserAccount(id: "u-2", username: "bob", role: .monitor, siteIDs: ["site-a"]), password: nil, context: Fixture.coordinator)
            let revoked = try await users.issueToken(username: "alice", expiresAt: nil, context: Fixture.coordinator)
            let kept = try await users.issueToken(username: "alice", expiresAt: nil, context: Fixture.coordinator)
            let bobs = try await users.issueToken(username: "bob", expiresAt: nil, context: Fixture.coordinator)
            try await users.revokeToken(revoked, context: Fixture.coordinator)
            #expect(try await users.authenticate(bearerToken: revoked, now: Fixture.instant) == nil)
            #expect(try await users.authenticate(bearerToken: kept, now: Fixture.instant) == alice)
            try await db.rawSQL("UPDATE users SET active = FALSE WHERE id = 'u-1'")
            #expect(try await users.authenticate(bearerToken: kept, now: Fixture.instant) == nil)
            #expect(try await users.authenticate(bearerToken: bobs, now: Fixture.instant)?.username == "bob")
            try await db.rawSQL("UPDATE users SET deleted_at = '2026-01-01T00:00:00Z' WHERE id = 'u-2'")
            #expect(try await users.authenticate(bearerToken: bobs, now: Fixture.instant) == nil)
        }
    }
}
