import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

/// Every version of a record rebuilt from its current row and the audit trail (issue #17, FHIR vread and
/// `_history`; docs/fhir.md "Versions and history"): values, actors, reasons, times, list rows as they stood,
/// deletions, site scoping and the type's history paged newest first. On SQLite and PostgreSQL.
@Suite("Record history", .serialized)
struct RecordHistoryTests {
    /// A quarter second per call, so every write has its own instant (as on a real clock).
    final class TickingClock: RestoraDomain.Clock, @unchecked Sendable {
        private let lock = NSLock()
        private var current: Date
        init(_ start: Date = Fixture.instant) { current = start }
        func now() -> Date {
            lock.lock()
            defer { lock.unlock() }
            current = current.addingTimeInterval(0.25)
            return current
        }
    }

    static func context(_ user: String, reason: String? = nil, request: String = UUID().uuidString) -> AuditContext {
        AuditContext(actor: Actor(userID: user, role: "coordinator"), requestID: request, reason: reason)
    }

    @Test("participant: create, update twice, delete → four versions with the values as they stood", arguments: TestDatabase.urls)
    func participantVersions(url: String) async throws {
        try await TestDatabase.with(url, clock: TickingClock()) { db in
            let repos = try await Fixture.seed(db)
            var p = try await repos.participants.get("p-1").value
            let original = p
            p.givenName = "Jeanne"
            _ = try await repos.participants.update(p, expectedVersion: 1, context: Self.context("u-a", reason: "name misspelt"))
            let second = p
            p.mrn = "MRN-777"
            p.diagnoses.append(Diagnosis(code: Coding(.icd10cm, "E28.3", display: "Primary ovarian failure")))
            let third = try await repos.participants.update(p, expectedVersion: 2, context: Self.context("u-b", reason: "MRN corrected")).value
            try await repos.participants.delete("p-1", expectedVersion: 3, context: Self.context("u-c", reason: "duplicate record"))

            let versions = try await repos.recordHistory.versions(of: Participant.self, id: "p-1", visibleSites: nil)
            #expect(versions.map(\.version) == [1, 2, 3, 4])
            #expect(versions.map(\.action) == [.create, .update, .update, .delete])
            #expect(versions.map(\.value) == [original, second, third, third])
            #expect(versions.map(\.actor.userID) == ["u-coord", "u-a", "u-b", "u-c"])
            #expect(versions.map(\.reason) == [nil, "name misspelt", "MRN corrected", "duplicate record"])
            #expect(versions.allSatisfy { $0.siteID == "site-a" })
            #expect(versions.last?.isDeleted == true)
            // Times strictly increase; version 1 is the creation time.
            #expect(zip(versions, versions.dropFirst()).allSatisfy { $0.at < $1.at })
            #expect(versions[0].at == versions[0].createdAt)
            #expect(versions[1].versioned.version == 2 && versions[1].versioned.value == second)

            let vread = try await repos.recordHistory.version(of: Participant.self, id: "p-1", version: 2, visibleSites: nil)
            #expect(vread.value == second)
            await #expect(throws: RepositoryError.self) {
                _ = try await repos.recordHistory.version(of: Participant.self, id: "p-1", version: 5, visibleSites: nil)
            }
            // Another site's user does not see it (404, like a read); an unknown id is 404 too.
            await #expect(throws: RepositoryError.self) {
                _ = try await repos.recordHistory.versions(of: Participant.self, id: "p-1", visibleSites: ["site-b"])
            }
            #expect(try await repos.recordHistory.versions(of: Participant.self, id: "p-1", visibleSites: ["site-a"]).count == 4)
            await #expect(throws: RepositoryError.self) {
                _ = try await repos.recordHistory.versions(of: Participant.self, id: "nobody", visibleSites: nil)
            }
        }
    }

    @Test("observation: create, update twice, delete → four versions; the current one carries the row's updated_at", arguments: TestDatabase.urls)
    func observationVersions(url: String) async throws {
        try await TestDatabase.with(url, clock: TickingClock()) { db in
            let repos = try await Fixture.seed(db)
            let first = Fixture.observation(value: 150)
            _ = try await repos.observations.create(first, context: Fixture.coordinator, idempotencyKey: nil)
            var o = first
            o.value = .quantity(Quantity(162.5, "mg/dL"))
            o.note = "repeat run"
            _ = try await repos.observations.update(o, expectedVersion: 1, context: Self.context("u-lab", reason: "analyser recalibrated"))
            let second = o
            o.value = .quantity(Quantity(0.1, "mmol/L"))
            o.note = nil
            o.specimen = nil
            let current = try await repos.observations.update(o, expectedVersion: 2, context: Self.context("u-lab", reason: "unit corrected"))

            let live = try await repos.recordHistory.versions(of: Observation.self, id: "o-1", visibleSites: nil)
            #expect(live.map(\.value) == [first, second, o])
            #expect(live.last?.at == current.updatedAt)
            #expect(live.last?.createdAt == current.createdAt)

            try await repos.observations.delete("o-1", expectedVersion: 3, context: Self.context("u-lab", reason: "wrong participant"))
            let versions = try await repos.recordHistory.versions(of: Observation.self, id: "o-1", visibleSites: nil)
            #expect(versions.map(\.version) == [1, 2, 3, 4])
            #expect(versions.map(\.action) == [.create, .update, .update, .delete])
            #expect(versions.map(\.value) == [first, second, o, o])
            #expect(versions[2].at == current.updatedAt)
            #expect(versions.allSatisfy { $0.siteID == "site-a" })
        }
    }

    @Test("lists in child tables hold the rows each version had: transitions, dispensings, custody, release tests", arguments: TestDatabase.urls)
    func childLists(url: String) async throws {
        try await TestDatabase.with(url, clock: TickingClock()) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.programs.create(Fixture.program(), context: Fixture.coordinator, idempotencyKey: nil)
            _ = try await repos.enrolments.create(
                Enrolment(id: "e-1", participantID: "p-1", programID: "prog-1", siteID: "site-a"), context: Fixture.coordinator, idempotencyKey: nil)
            var version = 1
            for status in [EnrolmentStatus.screening, .eligible, .consented] {
                version = try await repos.enrolments.transition(
                    "e-1", to: status, at: Fixture.instant, expectedVersion: version, context: Self.context("u-inv", reason: "step")).version
            }
            let enrolment = try await repos.recordHistory.versions(of: Enrolment.self, id: "e-1", visibleSites: nil)
            #expect(enrolment.map(\.version) == [1, 2, 3, 4])
            #expect(enrolment.map { $0.value.transitions.map(\.to) } == [[], [.screening], [.screening, .eligible], [.screening, .eligible, .consented]])
            #expect(enrolment.map(\.value.status) == [.prescreened, .screening, .eligible, .consented])
            #expect(enrolment.last?.value == (try await repos.enrolments.get("e-1").value))

            // Dispensings appended (no change of the course's own fields), then a field edit.
            _ = try await repos.medicationCourses.create(Fixture.course(), context: Fixture.coordinator, idempotencyKey: nil)
            let dispensings = [
                Dispensing(date: CalendarDate(year: 2026, month: 1, day: 5)!, unitsDispensed: 60, daysCovered: 30),
                Dispensing(date: CalendarDate(year: 2026, month: 2, day: 4)!, unitsDispensed: 56, daysCovered: 28),
            ]
            for (n, dispensing) in dispensings.enumerated() {
                _ = try await repos.medicationCourses.addDispensing(dispensing, to: "mc-1", expectedVersion: n + 1, context: Fixture.coordinator)
            }
            var course = try await repos.medicationCourses.get("mc-1").value
            course.route = "oral, with food"
            _ = try await repos.medicationCourses.update(course, expectedVersion: 3, context: Self.context("u-inv", reason: "route clarified"))
            let courses = try await repos.recordHistory.versions(of: MedicationCourse.self, id: "mc-1", visibleSites: nil)
            #expect(courses.map(\.version) == [1, 2, 3, 4])
            #expect(courses.map(\.value.dispensings.count) == [0, 1, 2, 2])
            #expect(courses.map(\.value.route) == ["oral", "oral", "oral", "oral, with food"])
            #expect(courses.last?.value == course)

            // A lot: created with custody and results, custody appended, results re-entered (a new revision).
            let lot = ChildTableTests.product()
            _ = try await repos.cellProducts.create(lot, context: Fixture.coordinator, idempotencyKey: nil)
            let shipped = CustodyEvent(kind: .transferred, at: Fixture.instant, actor: Actor(userID: "u-qc"), location: "courier")
            let withCustody = try await repos.cellProducts.appendCustody(shipped, to: "cp-1", expectedVersion: 1, context: Fixture.coordinator).value
            var retested = withCustody
            retested.releaseTests = ReleaseTestResults(markersPercent: ["CD73": 99], viabilityPercent: 88)
            _ = try await repos.cellProducts.update(retested, expectedVersion: 2, context: Self.context("u-qc", reason: "repeat assay"))
            let lots = try await repos.recordHistory.versions(of: CellProduct.self, id: "cp-1", visibleSites: nil)
            #expect(lots.map(\.version) == [1, 2, 3])
            #expect(lots.map(\.value) == [lot, withCustody, retested])
        }
    }

    @Test("appends in one request within one clock tick still count as the versions the row says", arguments: TestDatabase.urls)
    func sameInstantAppends(url: String) async throws {
        try await TestDatabase.with(url) { db in  // a fixed clock: every entry has the same instant
            let repos = try await Fixture.seed(db)
            _ = try await repos.medicationCourses.create(Fixture.course(), context: Fixture.coordinator, idempotencyKey: nil)
            for n in 0..<3 {
                _ = try await repos.medicationCourses.addDispensing(
                    Dispensing(date: CalendarDate(year: 2026, month: 1, day: 5 + n)!, unitsDispensed: 10, daysCovered: 5),
                    to: "mc-1", expectedVersion: n + 1, context: Fixture.coordinator)
            }
            let courses = try await repos.recordHistory.versions(of: MedicationCourse.self, id: "mc-1", visibleSites: nil)
            #expect(courses.map(\.version) == [1, 2, 3, 4])
            #expect(courses.map(\.value.dispensings.count) == [0, 1, 2, 3])
        }
    }

    @Test("a type's history: every version newest first, paged by a cursor that holds while others write, site-scoped", arguments: TestDatabase.urls)
    func typeHistory(url: String) async throws {
        try await TestDatabase.with(url, clock: TickingClock()) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.participants.create(Fixture.participant("p-2", site: "site-b", mrn: "MRN-B"), context: Fixture.coordinator, idempotencyKey: nil)
            for (n, participant) in ["p-1", "p-1", "p-2"].enumerated() {
                _ = try await repos.observations.create(Fixture.observation("o-\(n)", participant: participant, value: Double(100 + n)),
                                                        context: Fixture.coordinator, idempotencyKey: nil)
            }
            var o = Fixture.observation("o-0", value: 111)
            _ = try await repos.observations.update(o, expectedVersion: 1, context: Self.context("u-lab", reason: "r"))
            o.value = .quantity(Quantity(112, "mg/dL"))
            _ = try await repos.observations.update(o, expectedVersion: 2, context: Self.context("u-lab", reason: "r"))
            try await repos.observations.delete("o-1", expectedVersion: 1, context: Self.context("u-lab", reason: "wrong"))

            var seen: [String] = []
            var cursor: String? = nil
            var pages = 0
            repeat {
                let page = try await repos.recordHistory.history(of: Observation.self, since: nil, cursor: cursor, count: 2, visibleSites: nil)
                seen += page.versions.map { "\($0.id)/\($0.version)" }
                cursor = page.nextCursor
                pages += 1
                if pages == 1 {
                    // A write after the first page appears on no later page and moves nothing.
                    _ = try await repos.observations.create(Fixture.observation("o-new"), context: Fixture.coordinator, idempotencyKey: nil)
                }
            } while cursor != nil && pages < 10
            #expect(seen == ["o-1/2", "o-0/3", "o-0/2", "o-2/1", "o-1/1", "o-0/1"])

            let all = try await repos.recordHistory.history(of: Observation.self, since: nil, cursor: nil, count: 100, visibleSites: nil)
            #expect(all.versions.first?.id == "o-new" && all.nextCursor == nil && all.versions.count == 7)
            let siteB = try await repos.recordHistory.history(of: Observation.self, since: nil, cursor: nil, count: 100, visibleSites: ["site-b"])
            #expect(siteB.versions.map(\.id) == ["o-2"])
            let since = all.versions[2].at  // o-0's third version
            let recent = try await repos.recordHistory.history(of: Observation.self, since: since, cursor: nil, count: 100, visibleSites: nil)
            #expect(recent.versions.map { "\($0.id)/\($0.version)" } == ["o-new/1", "o-1/2", "o-0/3"])
            #expect(repos.recordHistory.supports(Observation.self) && !repos.recordHistory.supports(Site.self))
        }
    }
}
