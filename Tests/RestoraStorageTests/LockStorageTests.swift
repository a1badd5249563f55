import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

/// Record locking in storage (issue #16 item 4, docs/locking.md), on both engines: a standing casebook lock refuses
/// every write to the casebook's data on every storage write path — create, update, delete, appended child rows —
/// with `RepositoryError.locked` naming the lock, inside the write's transaction and with nothing written; what the
/// lock does not cover stays writable; a visit lock covers the visit and its observations only; once lifted, the
/// same writes go through.
@Suite("Record locks refuse writes in storage — on both engines", .serialized)
struct LockStorageTests {
    static let investigator = AuditContext(actor: Actor(userID: "u-inv", role: "investigator"), requestID: "req-lock")
    static let admin = AuditContext(actor: Actor(userID: "u-admin", role: "admin"), requestID: "req-unlock", reason: "typo in a value")
    static let day = CalendarDate(year: 2026, month: 1, day: 5)!

    /// p-1 enrolled in prog-1 as e-1 with visit v-1, an observation o-1 at v-1, an observation o-2 of e-1, a lot cp-1
    /// and a course mc-1 of e-1; p-1's second enrolment e-2 in prog-2 is not locked.
    static func casebook(_ db: StorageDatabase) async throws -> Repositories {
        let repos = try await Fixture.seed(db)
        let c = Fixture.coordinator
        _ = try await repos.programs.create(Fixture.program(), context: c, idempotencyKey: nil)
        var other = Fixture.program("prog-2")
        other.protocolID = "OTHER"
        _ = try await repos.programs.create(other, context: c, idempotencyKey: nil)
        _ = try await repos.enrolments.create(Enrolment(id: "e-1", participantID: "p-1", programID: "prog-1", siteID: "site-a"), context: c, idempotencyKey: nil)
        _ = try await repos.enrolments.create(Enrolment(id: "e-2", participantID: "p-1", programID: "prog-2", siteID: "site-a"), context: c, idempotencyKey: nil)
        _ = try await repos.visits.create(visit("v-1"), context: c, idempotencyKey: nil)
        var atVisit = Fixture.observation("o-1")
        atVisit.visitID = "v-1"
        atVisit.enrolmentID = "e-1"
        _ = try await repos.observations.create(atVisit, context: c, idempotencyKey: nil)
        _ = try await repos.observations.create(observation("o-2", enrolment: "e-1"), context: c, idempotencyKey: nil)
        var lot = Fixture.cellProduct()
        lot.enrolmentID = "e-1"
        _ = try await repos.cellProducts.create(lot, context: c, idempotencyKey: nil)
        var course = Fixture.course()
        course.enrolmentID = "e-1"
        _ = try await repos.medicationCourses.create(course, context: c, idempotencyKey: nil)
        return repos
    }

    static func visit(_ id: String, enrolment: String = "e-1") -> Visit {
        Visit(id: Identifier(id), enrolmentID: Identifier(enrolment), visitKey: "week-4-\(id)", plannedDay: 28, windowBefore: 3, windowAfter: 3,
              actualDate: day, status: .completed)
    }

    static func observation(_ id: String, enrolment: String?) -> Observation {
        var o = Fixture.observation(id)
        o.enrolmentID = enrolment.map { Identifier($0) }
        return o
    }

    static func lock(_ repos: Repositories, _ target: LockTarget, enrolment: String = "e-1") async throws -> Versioned<RecordLock> {
        try await repos.locks.create(
            RecordLock(id: Identifier("lock-\(target.id)"), target: target, enrolmentID: Identifier(enrolment), participantID: "p-1",
                       siteID: "site-a", lockedBy: investigator.actor, lockedAt: Fixture.instant),
            context: investigator)
    }

    /// `body` is refused with 423's error naming the lock, and the audit trail is as long as before (nothing written).
    static func refused(
        _ db: StorageDatabase, _ what: String, lock words: String, _ body: () async throws -> Void,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let before = try await db.count("audit_log")
        do {
            try await body()
            Issue.record("\(what) was written to locked data", sourceLocation: sourceLocation)
        } catch let RepositoryError.locked(_, _, lock) {
            #expect(lock.hasPrefix(words), "\(what): \(lock)", sourceLocation: sourceLocation)
            #expect(RepositoryError.locked(kind: "x", id: "y", lock: lock).code == "locked")
        }
        #expect(try await db.count("audit_log") == before, "\(what) left audit entries", sourceLocation: sourceLocation)
    }

    @Test("a casebook lock refuses every write path of the casebook's data, and nothing else", arguments: TestDatabase.urls)
    func casebookLock(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Self.casebook(db)
            let c = Fixture.coordinator
            let e = Fixture.editing()
            let free = try await repos.observations.create(Self.observation("o-5", enrolment: "e-2"), context: c, idempotencyKey: nil)
            _ = try await Self.lock(repos, .casebook("e-1"))
            let words = "casebook e-1 (locked "
            let enrolment = try await repos.enrolments.get("e-1")
            try await Self.refused(db, "enrolment transition (parent + child row)", lock: words) {
                _ = try await repos.enrolments.transition("e-1", to: .screening, at: Fixture.instant, expectedVersion: enrolment.version, context: e)
            }
            try await Self.refused(db, "new visit", lock: words) { _ = try await repos.visits.create(Self.visit("v-2"), context: c, idempotencyKey: nil) }
            let visit = try await repos.visits.get("v-1")
            try await Self.refused(db, "visit correction", lock: words) {
                var changed = visit.value
                changed.note = "late"
                _ = try await repos.visits.update(changed, expectedVersion: visit.version, context: e)
            }
            try await Self.refused(db, "new observation of the enrolment", lock: words) {
                _ = try await repos.observations.create(Self.observation("o-3", enrolment: "e-1"), context: c, idempotencyKey: nil)
            }
            try await Self.refused(db, "new observation at a visit of the enrolment, without the enrolment", lock: words) {
                var o = Self.observation("o-4", enrolment: nil)
                o.visitID = "v-1"
                _ = try await repos.observations.create(o, context: c, idempotencyKey: nil)
            }
            let o2 = try await repos.observations.get("o-2")
            try await Self.refused(db, "observation correction", lock: words) {
                var changed = o2.value
                changed.value = .quantity(Quantity(151, "mg/dL"))
                _ = try await repos.observations.update(changed, expectedVersion: o2.version, context: e)
            }
            try await Self.refused(db, "observation moved out of the casebook", lock: words) {
                var changed = o2.value
                changed.enrolmentID = "e-2"
                _ = try await repos.observations.update(changed, expectedVersion: o2.version, context: e)
            }
            try await Self.refused(db, "observation deletion", lock: words) {
                try await repos.observations.delete("o-2", expectedVersion: o2.version, context: e)
            }
            try await Self.refused(db, "new procedure", lock: words) {
                var p = Fixture.procedure()
                p.enrolmentID = "e-1"
                _ = try await repos.procedures.create(p, context: c, idempotencyKey: nil)
            }
            try await Self.refused(db, "new adverse event", lock: words) {
                var ae = Fixture.adverseEvent()
                ae.enrolmentID = "e-1"
                _ = try await repos.adverseEvents.create(ae, context: c, idempotencyKey: nil)
            }
            let lot = try await repos.cellProducts.get("cp-1")
            try await Self.refused(db, "custody event (child row)", lock: words) {
                _ = try await repos.cellProducts.appendCustody(
                    CustodyEvent(kind: .received, at: Fixture.instant, actor: c.actor), to: "cp-1", expectedVersion: lot.version, context: c)
            }
            let course = try await repos.medicationCourses.get("mc-1")
            try await Self.refused(db, "dispensing (child row)", lock: words) {
                _ = try await repos.medicationCourses.addDispensing(
                    Dispensing(date: Self.day, unitsDispensed: 60, daysCovered: 30), to: "mc-1", expectedVersion: course.version, context: c)
            }
            try await Self.refused(db, "observation moved into the casebook", lock: words) {
                var changed = free.value
                changed.enrolmentID = "e-1"
                _ = try await repos.observations.update(changed, expectedVersion: free.version, context: e)
            }
            // Not covered: the other enrolment, participant-level records, data queries, the participant's own row.
            _ = try await repos.observations.create(Self.observation("o-6", enrolment: "e-2"), context: c, idempotencyKey: nil)
            _ = try await repos.observations.create(Self.observation("o-7", enrolment: nil), context: c, idempotencyKey: nil)
            _ = try await repos.queries.create(
                DataQuery(id: "q-1", participantID: "p-1", recordKind: "observations", recordID: "o-2", question: "Units?",
                          raisedBy: Actor(userID: "u-mon", role: "monitor"), raisedAt: Fixture.instant),
                context: c, idempotencyKey: nil)
            // Lifted: the same writes go through.
            let standing = try #require(try await repos.locks.active(.casebook("e-1")))
            var lifted = standing.value
            lifted.unlockedBy = Self.admin.actor
            lifted.unlockedAt = Fixture.instant
            lifted.unlockReason = "typo in a value"
            lifted.voidedSignatures = 0
            _ = try await repos.locks.unlock(lifted, expectedVersion: standing.version, context: Self.admin)
            #expect(try await repos.locks.active(.casebook("e-1")) == nil)
            _ = try await repos.observations.create(Self.observation("o-3", enrolment: "e-1"), context: c, idempotencyKey: nil)
            _ = try await repos.enrolments.transition("e-1", to: .screening, at: Fixture.instant, expectedVersion: enrolment.version, context: e)
            #expect(try await repos.locks.list(participant: "p-1").count == 1)
        }
    }

    @Test("a visit lock covers the visit and its observations, not the rest of the casebook", arguments: TestDatabase.urls)
    func visitLock(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Self.casebook(db)
            let c = Fixture.coordinator
            _ = try await Self.lock(repos, .visit("v-1"))
            let words = "visit v-1 (locked "
            let visit = try await repos.visits.get("v-1")
            try await Self.refused(db, "visit correction", lock: words) {
                var changed = visit.value
                changed.note = "late"
                _ = try await repos.visits.update(changed, expectedVersion: visit.version, context: Fixture.editing())
            }
            let o1 = try await repos.observations.get("o-1")
            try await Self.refused(db, "observation at the visit", lock: words) {
                try await repos.observations.delete("o-1", expectedVersion: o1.version, context: Fixture.editing())
            }
            // The rest of the casebook is open: another visit, an observation of the enrolment without a visit.
            _ = try await repos.visits.create(Self.visit("v-2"), context: c, idempotencyKey: nil)
            _ = try await repos.observations.create(Self.observation("o-3", enrolment: "e-1"), context: c, idempotencyKey: nil)
        }
    }

    @Test("one standing lock per target: a second is a duplicate", arguments: TestDatabase.urls)
    func oneStandingLock(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Self.casebook(db)
            _ = try await Self.lock(repos, .casebook("e-1"))
            await #expect(throws: RepositoryError.self) {
                _ = try await repos.locks.create(
                    RecordLock(id: "lock-again", target: .casebook("e-1"), enrolmentID: "e-1", participantID: "p-1", siteID: "site-a",
                               lockedBy: Self.investigator.actor, lockedAt: Fixture.instant),
                    context: Self.investigator)
            }
        }
    }
}
