import Foundation
import RestoraDomain
@testable import RestoraStorage
import SQLKit
import Testing

/// Electronic signatures (issue #16 item 3, migration 0044, docs/signatures.md) on both engines: the signed
/// content's SHA-256 is the same on SQLite and PostgreSQL for the same rows, a change of any record in scope
/// invalidates it, voiding is audited, the rows pass `audit verify --records`, and a wrong password writes
/// nothing but a security event (REFERENCE.md H1: 11.50, 11.70, 11.200, 11.300).
@Suite("Electronic signatures: storage", .serialized)
struct SignatureStorageTests {
    static let password = "a long signing password"
    static let investigator = AuditContext(actor: Actor(userID: "u-inv", role: "investigator"), requestID: "req-sign")

    /// Site A, p-1 enrolled (e-1) with visit v-1 and an observation taken at it; investigator u-inv with a printed name.
    static func seed(_ db: StorageDatabase) async throws -> (Repositories, UserAccount) {
        let repos = try await Fixture.seed(db)
        _ = try await repos.programs.create(Fixture.program(), context: Fixture.coordinator, idempotencyKey: nil)
        _ = try await repos.enrolments.create(Enrolment(id: "e-1", participantID: "p-1", programID: "prog-1", siteID: "site-a"),
                                              context: Fixture.coordinator, idempotencyKey: nil)
        _ = try await repos.visits.create(Visit(id: "v-1", enrolmentID: "e-1", visitKey: "month-1", plannedDay: 30, windowBefore: 7, windowAfter: 7),
                                          context: Fixture.coordinator, idempotencyKey: nil)
        var observation = Fixture.observation()
        observation.enrolmentID = "e-1"
        observation.visitID = "v-1"
        _ = try await repos.observations.create(observation, context: Fixture.coordinator, idempotencyKey: nil)
        let user = UserAccount(id: "u-inv", username: "inv", role: .investigator, siteIDs: ["site-a"], fullName: "Dr Ines Varga")
        _ = try await repos.users.create(user, password: password, context: Fixture.coordinator)
        return (repos, user)
    }

    static func sign(_ repos: Repositories, _ user: UserAccount, _ target: SignatureTarget, id: String, password: String = password,
                     meaning: SignatureMeaning = .approval) async throws -> Versioned<ElectronicSignature> {
        try await Signing(repositories: repos).sign(target, meaning: meaning, signer: user, credentials: .init(password: password),
                                                    id: Identifier(id), at: Fixture.instant, context: investigator)
    }

    @Test("the signed content's hash is the same on every engine for the same rows, and the signature reads back exactly")
    func sameHashOnEveryEngine() async throws {
        var hashes: Set<String> = []
        for url in TestDatabase.urls {
            try await TestDatabase.with(url) { db in
                let (repos, user) = try await Self.seed(db)
                let stored = try await Self.sign(repos, user, SignatureTarget(kind: .casebook, id: "e-1"), id: "sig-1")
                hashes.insert(stored.value.contentHash)
                let read = try #require(try await repos.signatures.list(target: SignatureTarget(kind: .casebook, id: "e-1")).first)
                #expect(read.value == stored.value)
                #expect(read.value.printedName == "Dr Ines Varga" && read.value.signedAt == Fixture.instant && read.value.status == .valid)
                #expect(read.value.participantID == "p-1" && read.value.enrolmentID == "e-1")
            }
        }
        #expect(hashes.count == 1)
    }

    @Test("a new observation at the visit, an edit of it, or its deletion invalidates the visit's and the casebook's signatures, not the lot's",
          arguments: TestDatabase.urls)
    func changesInvalidate(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let (repos, user) = try await Self.seed(db)
            let visit = SignatureTarget(kind: .visit, id: "v-1"), casebook = SignatureTarget(kind: .casebook, id: "e-1")
            _ = try await repos.cellProducts.create(Fixture.cellProduct(), context: Fixture.coordinator, idempotencyKey: nil)
            let lot = SignatureTarget(kind: .release, id: "cp-1")
            func statuses() async throws -> [SignatureStatus] {
                try await repos.signatures.list(participant: "p-1").map(\.value.status)
            }
            func signAll(_ round: Int) async throws {
                _ = try await Self.sign(repos, user, visit, id: "sig-v\(round)")
                _ = try await Self.sign(repos, user, casebook, id: "sig-c\(round)")
            }
            try await signAll(1)
            _ = try await Self.sign(repos, user, lot, id: "sig-lot")
            #expect(try await statuses() == [.valid, .valid, .valid])
            // An edit of the observation taken at the visit.
            var observation = try await repos.observations.get("o-1")
            observation.value.value = .quantity(Quantity(151, "mg/dL"))
            observation = try await repos.observations.update(observation.value, expectedVersion: observation.version, context: Fixture.editing())
            #expect(try await repos.signatures.list(target: visit).map(\.value.status) == [.invalidated])
            #expect(try await repos.signatures.list(target: casebook).map(\.value.status) == [.invalidated])
            #expect(try await repos.signatures.list(target: lot).map(\.value.status) == [.valid])
            // Signing again; then a deletion of the observation invalidates the new ones too.
            try await signAll(2)
            #expect(try await Signing(repositories: repos).hasValidSignature(visit, in: repos))
            try await repos.observations.delete("o-1", expectedVersion: observation.version, context: Fixture.editing("entered on the wrong participant"))
            #expect(try await !Signing(repositories: repos).hasValidSignature(visit, in: repos))
            #expect(try await !Signing(repositories: repos).hasValidSignature(casebook, in: repos))
            #expect(try await repos.signatures.list(target: lot).map(\.value.status) == [.valid])
            // Signatures are not content: signing the visit left the casebook's hash as it was.
            let before = try await repos.signatures.contentHash(of: casebook)
            _ = try await Self.sign(repos, user, visit, id: "sig-v3", meaning: .review)
            #expect(try await repos.signatures.contentHash(of: casebook) == before)
        }
    }

    @Test("voiding inside a transaction is audited with its reason and rolled back with it; records verify", arguments: TestDatabase.urls)
    func voidInTransaction(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let (repos, user) = try await Self.seed(db)
            let casebook = SignatureTarget(kind: .casebook, id: "e-1")
            let signed = try await Self.sign(repos, user, casebook, id: "sig-1")
            let admin = AuditContext(actor: Actor(userID: "u-admin", role: "admin"), requestID: "req-unlock")
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await repos.transaction { tx in
                    _ = try await tx.signatures.void(target: casebook, reason: "unlock", context: admin)
                    throw Abort()
                }
            }
            #expect(try await repos.signatures.list(target: casebook).map(\.value.status) == [.valid])
            let count = try await repos.transaction { tx in
                #expect(try await Signing(repositories: tx).hasValidSignature(casebook, in: tx))
                return try await tx.signatures.void(target: casebook, reason: "casebook unlocked to correct a visit date", context: admin)
            }
            #expect(count == 1)
            let voided = try #require(try await repos.signatures.list(target: casebook).first?.value)
            #expect(voided.status == .voided && voided.voidedBy == admin.actor && voided.voidedAt == TestDatabase.testClock.now())
            let history = try await repos.audit.history(table: SignatureMapping.table, recordID: signed.value.id.rawValue)
            #expect(history.map(\.action.rawValue) == ["create", "update"])
            #expect(history.last?.reason == "casebook unlocked to correct a visit date")
            let report = try await RecordVerifier(store: db.store).verify(tables: [AuditedTables.of(SignatureMapping.self), AuditedTables.of(UserMapping.self)])
            #expect(report.findings.isEmpty, "\(report.findings)")
        }
    }

    @Test("a wrong password or another user's name writes no signature, only a security event without the password", arguments: TestDatabase.urls)
    func wrongCredentials(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let (repos, user) = try await Self.seed(db)
            let target = SignatureTarget(kind: .visit, id: "v-1")
            await #expect(throws: DomainError.invalidValue(field: "password", message: "the password is not correct; nothing was signed")) {
                _ = try await Self.sign(repos, user, target, id: "sig-x", password: "guess guess guess")
            }
            await #expect(throws: DomainError.self) {
                _ = try await Signing(repositories: repos).sign(
                    target, meaning: .review, signer: user, credentials: .init(username: "someone-else", password: Self.password),
                    id: "sig-y", at: Fixture.instant, context: Self.investigator)
            }
            #expect(try await repos.signatures.list(participant: "p-1").isEmpty)
            let events = try await repos.audit.history(table: SecurityEvent.table, recordID: "account:u-inv")
            #expect(events.count == 2)
            #expect(!"\(events)".contains("guess guess guess"))
            // The right user name and password sign (the web door's first signing of a session).
            _ = try await Signing(repositories: repos).sign(
                target, meaning: .review, signer: user, credentials: .init(username: "inv", password: Self.password),
                id: "sig-z", at: Fixture.instant, context: Self.investigator)
            #expect(try await repos.signatures.list(target: target).count == 1)
        }
    }

    @Test("the table refuses a short hash and an empty printed name (CHECK constraints), nothing written", arguments: TestDatabase.urls)
    func constraints(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let (repos, _) = try await Self.seed(db)
            let good = ElectronicSignature(
                id: "sig-c", target: SignatureTarget(kind: .visit, id: "v-1"), participantID: "p-1", enrolmentID: "e-1",
                signer: Actor(userID: "u-inv", role: "investigator"), signerUsername: "inv", printedName: "Dr Ines Varga", meaning: .review,
                signedAt: Fixture.instant, contentHash: String(repeating: "a", count: 64))
            var shortHash = good
            shortHash.contentHash = "abc"
            await #expect(throws: RepositoryError.self) { _ = try await repos.signatures.create(shortHash, context: Self.investigator) }
            var noName = good
            noName.printedName = ""
            await #expect(throws: RepositoryError.self) { _ = try await repos.signatures.create(noName, context: Self.investigator) }
            #expect(try await repos.signatures.list(participant: "p-1").isEmpty)
        }
    }
}
