import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

/// Pre-screened candidates: stored with their answers and consent, once per idempotency key, listed newest
/// first by program, status changes audited (docs/prescreening.md).
@Suite("Pre-screened candidates", .serialized)
struct PrescreenCandidateTests {
    /// A clock that moves one minute every time it is read: a double submit arrives later than the first.
    final class TickingClock: RestoraDomain.Clock, @unchecked Sendable {
        private let lock = NSLock()
        private var current: Date
        init(_ start: Date) { current = start }
        func now() -> Date {
            lock.lock()
            defer { lock.unlock() }
            current = current.addingTimeInterval(60)
            return current
        }
    }

    static let publicContext = AuditContext(actor: .publicPrescreen, requestID: "req-public")

    static func result(liver: String = "no") throws -> PrescreenResult {
        var answers: [String: String] = [
            "age": "35", "male": "yes", "diagnosis": "yes", "two-analyses": "yes", "blockage": "no", "pituitary": "no",
            "steroids": "no", "drugs": "no", "drinks": "1", "vitamin-a": "no", "recent-isotretinoin": "no",
            "phenytoin-tetracycline": "no", "mental-illness": "no", "low-mood": "no", "blood-fats": "no", "liver": "no",
            "bowel-bone": "no", "other-trial": "no", "trying": "yes",
        ]
        answers["liver"] = liver
        return try PrescreenQuestionnaire.isotretinoinNOA().evaluate(form: answers).get()
    }

    static func candidate(_ id: String, program: String = "prog-1", at date: Date, liver: String = "no",
                          contact: String = "ana@example.org") throws -> PrescreenCandidate {
        let checked = try PrescreenContact.validate(name: "Ana Lopez", contact: contact, consent: true).get()
        return PrescreenCandidate(
            id: Identifier(id), programID: Identifier(program), result: try result(liver: liver), contact: checked,
            submittedAt: date, consentText: PrescreenContact.consentText)
    }

    static func seed(_ repos: Repositories) async throws {
        _ = try await repos.sites.create(Fixture.site(), context: Fixture.coordinator, idempotencyKey: nil)
        _ = try await repos.sites.create(Fixture.site("site-b", code: "B"), context: Fixture.coordinator, idempotencyKey: nil)
        _ = try await repos.programs.create(Fixture.program("prog-1"), context: Fixture.coordinator, idempotencyKey: nil)
        var other = Fixture.program("prog-2")
        other.siteIDs = ["site-b"]
        other.protocolVersion = "2.0"  // a protocol version runs as one program
        _ = try await repos.programs.create(other, context: Fixture.coordinator, idempotencyKey: nil)
    }

    @Test("a candidate round-trips with its answers, verdict, contact and consent", arguments: TestDatabase.urls)
    func roundTrip(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = db.repositories
            try await Self.seed(repos)
            let candidate = try Self.candidate("c-1", at: Fixture.instant, liver: "not-sure", contact: "+33 6 12 34 56 78")
            let created = try await repos.prescreenCandidates.create(candidate, context: Self.publicContext, idempotencyKey: "n-1")
            #expect(created.version == 1)
            let read = try await repos.prescreenCandidates.get("c-1")
            #expect(read.value == candidate)
            #expect(read.value.verdict == .needsVisit)
            #expect(read.value.contactKind == .phone)
            #expect(read.value.consentGivenAt == Fixture.instant)
            #expect(read.value.status == .new)
            let history = try await repos.audit.history(table: "prescreen_candidates", recordID: "c-1")
            #expect(history.map(\.action) == [.create])
            #expect(history.first?.actor == Actor(userID: "public-prescreen", role: "public"))
        }
    }

    @Test("the same idempotency key a minute later stores one candidate", arguments: TestDatabase.urls)
    func idempotent(url: String) async throws {
        let clock = TickingClock(Fixture.instant)
        try await TestDatabase.with(url, clock: clock) { db in
            let repos = db.repositories
            try await Self.seed(repos)
            let first = try await repos.prescreenCandidates.create(
                try Self.candidate("c-1", at: clock.now()), context: Self.publicContext, idempotencyKey: "n-1")
            let again = try await repos.prescreenCandidates.create(
                try Self.candidate("c-2", at: clock.now()), context: Self.publicContext, idempotencyKey: "n-1")
            #expect(again.value.id == first.value.id)
            #expect(try await repos.prescreenCandidates.list(programs: nil).count == 1)
            // The same key with other details is refused rather than silently answered.
            await #expect(throws: RepositoryError.idempotencyKeyReused(key: "n-1")) {
                _ = try await repos.prescreenCandidates.create(
                    try Self.candidate("c-3", at: clock.now(), contact: "other@example.org"), context: Self.publicContext, idempotencyKey: "n-1")
            }
        }
    }

    @Test("lists are newest first and limited to the programs asked for", arguments: TestDatabase.urls)
    func listing(url: String) async throws {
        let clock = TickingClock(Fixture.instant)
        try await TestDatabase.with(url, clock: clock) { db in
            let repos = db.repositories
            try await Self.seed(repos)
            for (id, program) in [("c-1", "prog-1"), ("c-2", "prog-2"), ("c-3", "prog-1")] {
                _ = try await repos.prescreenCandidates.create(
                    try Self.candidate(id, program: program, at: clock.now()), context: Self.publicContext, idempotencyKey: nil)
            }
            #expect(try await repos.prescreenCandidates.list(programs: nil).map(\.value.id.rawValue) == ["c-3", "c-2", "c-1"])
            #expect(try await repos.prescreenCandidates.list(programs: ["prog-1"]).map(\.value.id.rawValue) == ["c-3", "c-1"])
            #expect(try await repos.prescreenCandidates.list(programs: []).isEmpty)
        }
    }

    @Test("a status change is versioned and audited, without a reason", arguments: TestDatabase.urls)
    func status(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = db.repositories
            try await Self.seed(repos)
            _ = try await repos.prescreenCandidates.create(try Self.candidate("c-1", at: Fixture.instant), context: Self.publicContext, idempotencyKey: nil)
            let changed = try await repos.prescreenCandidates.updateStatus("c-1", to: .contacted, expectedVersion: 1, context: Fixture.coordinator)
            #expect(changed.version == 2)
            #expect(changed.value.status == .contacted)
            await #expect(throws: RepositoryError.staleVersion(kind: "pre-screened candidate", id: "c-1", expected: 1)) {
                _ = try await repos.prescreenCandidates.updateStatus("c-1", to: .closed, expectedVersion: 1, context: Fixture.coordinator)
            }
            let history = try await repos.audit.history(table: "prescreen_candidates", recordID: "c-1")
            #expect(history.map(\.action) == [.create, .update])
            #expect(history.last?.changes == [AuditEntry.Change(field: "status", old: "new", new: "contacted")])
            #expect(try await repos.audit.verify() == .intact(entries: try await db.count("audit_log")))
        }
    }
}
