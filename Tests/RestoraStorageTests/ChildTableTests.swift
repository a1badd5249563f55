import Foundation
import Logging
import NIOCore
import RestoraDomain
@testable import RestoraStorage
import SQLKit
import Testing

/// Transitions, custody events, release-test results and dispensings as child rows (migrations 0024–0026):
/// read back as written, loaded for many parents in a fixed number of statements, one audit entry per row,
/// append-only, and committed together with their parent or not at all.
@Suite("Child tables", .serialized)
struct ChildTableTests {
    static let lab = Actor(userID: "u-lab", role: "lab")

    static func at(_ seconds: Double) -> Date { Fixture.instant.addingTimeInterval(seconds) }

    static let fullTests = ReleaseTestResults(
        markersPercent: ["CD73": 97.5, "CD90": 96, "CD105": 95.25, "CD45": 1.2, "HLA-DR": 0.5], viabilityPercent: 91,
        sterilityNoGrowth: true, endotoxin: Quantity(0.25, "EU/mL"), mycoplasmaNegative: false, doseCells: 5e7,
        participantWeightKg: 72.5, productVolumeML: 2)

    static func product(_ id: String = "cp-1", lot: String = "LOT-1", participant: String = "p-1") -> CellProduct {
        CellProduct(
            id: Identifier(id), lot: lot, participantID: Identifier(participant), sourceTissue: "bone-marrow-aspirate",
            releaseTests: fullTests, releaseStatus: .quarantine,
            custody: [CustodyEvent(kind: .harvested, at: at(0.125), actor: lab, location: "theatre 2"),
                      CustodyEvent(kind: .received, at: at(3600), actor: Actor(userID: "u-qc"), note: "cold chain ok")])
    }

    @Test("transitions, custody, release tests and dispensings read back as written", arguments: TestDatabase.urls)
    func roundTrip(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.programs.create(Fixture.program(), context: Fixture.coordinator, idempotencyKey: nil)
            _ = try await repos.enrolments.create(
                Enrolment(id: "e-1", participantID: "p-1", programID: "prog-1", siteID: "site-a"), context: Fixture.coordinator, idempotencyKey: nil)
            var version = 1
            for (n, status) in [EnrolmentStatus.screening, .eligible, .consented].enumerated() {
                version = try await repos.enrolments.transition(
                    "e-1", to: status, at: Self.at(Double(n) * 86_400 + 0.5), expectedVersion: version, context: Fixture.editing("step \(n)")).version
            }
            let enrolment = try await repos.enrolments.get("e-1")
            #expect(enrolment.value.transitions.map(\.to) == [.screening, .eligible, .consented])
            #expect(enrolment.value.transitions.map(\.reason) == ["step 0", "step 1", "step 2"])
            #expect(enrolment.value.transitions[1].at == Self.at(86_400.5))
            #expect(try await repos.enrolments.list(participant: "p-1").map(\.value) == [enrolment.value])

            let created = try await repos.cellProducts.create(Self.product(), context: Fixture.coordinator, idempotencyKey: "lot-1")
            #expect(created.value == Self.product())
            #expect(try await repos.cellProducts.get("cp-1").value == Self.product())
            #expect(try await repos.cellProducts.list(participants: ["p-1"]).map(\.value) == [Self.product()])
            // A repeat of the idempotent create returns the lot without a second set of rows.
            #expect(try await repos.cellProducts.create(Self.product(), context: Fixture.coordinator, idempotencyKey: "lot-1").value == Self.product())
            #expect(try await db.count("cell_product_custody_events") == 2)
            #expect(try await db.count("cell_product_release_tests") == 12)

            // Changed results are a new revision: the lot shows them, the first entry stays stored.
            var retested = created.value
            retested.releaseTests = ReleaseTestResults(markersPercent: ["CD73": 99], viabilityPercent: 88)
            let updated = try await repos.cellProducts.update(retested, expectedVersion: 1, context: Fixture.editing("repeat assay"))
            #expect(updated.value == retested)
            #expect(try await repos.cellProducts.get(lot: "LOT-1").value == retested)
            #expect(try await db.count("cell_product_release_tests") == 14)
            // Results back to nothing entered are a revision too (with no rows).
            retested.releaseTests = ReleaseTestResults()
            #expect(try await repos.cellProducts.update(retested, expectedVersion: 2, context: Fixture.editing("assay void")).value == retested)
            #expect(try await repos.cellProducts.get("cp-1").value.releaseTests == ReleaseTestResults())

            _ = try await repos.medicationCourses.create(Fixture.course(), context: Fixture.coordinator, idempotencyKey: nil)
            let dispensings = [
                Dispensing(date: CalendarDate(year: 2026, month: 1, day: 5)!, unitsDispensed: 60, daysCovered: 30, unitsReturned: 4, lot: "B-17"),
                Dispensing(date: CalendarDate(year: 2026, month: 2, day: 4)!, unitsDispensed: 56, daysCovered: 28),
            ]
            for (n, dispensing) in dispensings.enumerated() {
                _ = try await repos.medicationCourses.addDispensing(dispensing, to: "mc-1", expectedVersion: n + 1, context: Fixture.coordinator)
            }
            let course = try await repos.medicationCourses.get("mc-1")
            #expect(course.value.dispensings == dispensings)
            #expect(course.version == 3)
            #expect(try await repos.medicationCourses.list(participant: "p-1").map(\.value) == [course.value])
        }
    }

    @Test("an earlier item is never changed or removed; the refusal changes nothing", arguments: TestDatabase.urls)
    func appendOnly(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            let stored = try await repos.cellProducts.create(Self.product(), context: Fixture.coordinator, idempotencyKey: nil)
            let auditBefore = try await db.count("audit_log")
            var edited = stored.value
            edited.custody[0].location = "theatre 3"
            await #expect(throws: DomainError.self) {
                try await repos.cellProducts.update(edited, expectedVersion: 1, context: Fixture.editing("typo"))
            }
            var removed = stored.value
            removed.custody.removeFirst()
            removed.custody.append(CustodyEvent(kind: .processed, at: Self.at(7200), actor: Self.lab))
            await #expect(throws: DomainError.self) {
                try await repos.cellProducts.update(removed, expectedVersion: 1, context: Fixture.editing("reorder"))
            }
            _ = try await repos.medicationCourses.create(Fixture.course(), context: Fixture.coordinator, idempotencyKey: nil)
            let dispensing = Dispensing(date: CalendarDate(year: 2026, month: 1, day: 5)!, unitsDispensed: 60, daysCovered: 30)
            var course = try await repos.medicationCourses.addDispensing(dispensing, to: "mc-1", expectedVersion: 1, context: Fixture.coordinator).value
            course.dispensings[0].unitsDispensed = 61
            await #expect(throws: DomainError.self) {
                try await repos.medicationCourses.update(course, expectedVersion: 2, context: Fixture.editing("recount"))
            }
            #expect(try await repos.cellProducts.get("cp-1") == stored)
            #expect(try await repos.medicationCourses.get("mc-1").value.dispensings == [dispensing])
            #expect(try await db.count("cell_product_custody_events") == 2)
            // The course and its one dispensing row: nothing for the refusals.
            #expect(try await db.count("audit_log") == auditBefore + 2)

            // The one change a stored dispensing takes (issue #14): its blank return count filled in, once.
            course.dispensings[0].unitsDispensed = 60
            course.dispensings[0].unitsReturned = 3
            _ = try await repos.medicationCourses.update(course, expectedVersion: 2, context: Fixture.editing("pill count"))
            #expect(try await repos.medicationCourses.get("mc-1").value.dispensings[0].unitsReturned == 3)
            let afterCount = try await db.count("audit_log")
            #expect(afterCount > auditBefore + 2)
            course.dispensings[0].unitsReturned = 4
            await #expect(throws: DomainError.self) {
                try await repos.medicationCourses.update(course, expectedVersion: 3, context: Fixture.editing("recounted"))
            }
            #expect(try await repos.medicationCourses.get("mc-1").value.dispensings[0].unitsReturned == 3)
            #expect(try await db.count("audit_log") == afterCount)
        }
    }

    @Test("a child row the database refuses takes its parent's change with it", arguments: TestDatabase.urls)
    func oneTransaction(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.medicationCourses.create(Fixture.course(), context: Fixture.coordinator, idempotencyKey: nil)
            let auditBefore = try await db.count("audit_log")
            // Past MedicationEntry's check, straight at the repository: the row's CHECK (1 to 30 days) refuses it.
            let tooLong = Dispensing(date: CalendarDate(year: 2026, month: 1, day: 5)!, unitsDispensed: 60, daysCovered: 31)
            await #expect(throws: RepositoryError.constraintFailed(kind: "medication course")) {
                try await repos.medicationCourses.addDispensing(tooLong, to: "mc-1", expectedVersion: 1, context: Fixture.coordinator)
            }
            let course = try await repos.medicationCourses.get("mc-1")
            #expect(course.version == 1 && course.value.dispensings.isEmpty)
            #expect(try await db.count("audit_log") == auditBefore)
            #expect(try await repos.audit.verify() == .intact(entries: auditBefore))
            // A stale version is refused before anything is written.
            let fine = Dispensing(date: CalendarDate(year: 2026, month: 1, day: 5)!, unitsDispensed: 60, daysCovered: 30)
            await #expect(throws: RepositoryError.staleVersion(kind: "medication course", id: "mc-1", expected: 4)) {
                try await repos.medicationCourses.addDispensing(fine, to: "mc-1", expectedVersion: 4, context: Fixture.coordinator)
            }
            #expect(try await db.count("medication_dispensings") == 0)
        }
    }

    @Test("each appended item is its own audited create entry naming the parent", arguments: TestDatabase.urls)
    func auditPerRow(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.cellProducts.create(Self.product(), context: Fixture.coordinator, idempotencyKey: nil)
            for position in 0..<2 {
                let entries = try await repos.audit.history(table: "cell_product_custody_events", recordID: "cp-1:\(position)")
                #expect(entries.map(\.action) == [.create])
                #expect(entries.first?.changes == [AuditEntry.Change(field: "cell_product_id", old: nil, new: "cp-1")])
            }
            for position in 0..<12 {
                #expect(try await repos.audit.history(table: "cell_product_release_tests", recordID: "cp-1:\(position)").count == 1)
            }
            // New results while the lot waits: the rows of revision 2 carry the reason; the lot's own fields did
            // not change, so it gets no entry of its own.
            var retested = Self.product()
            retested.releaseTests.viabilityPercent = 93
            _ = try await repos.cellProducts.update(retested, expectedVersion: 1, context: Fixture.editing("viability recounted"))
            let revision2 = try await repos.audit.history(table: "cell_product_release_tests", recordID: "cp-1:12")
            #expect(revision2.first?.reason == "viability recounted")
            let history = try await repos.audit.history(table: "cell_products", recordID: "cp-1")
            #expect(history.filter { $0.table == "cell_products" }.map(\.action) == [.create])
            // The lot's history shows its rows: 2 custody steps and 12 + 12 release-test results.
            #expect(history.count == 1 + 2 + 24)
            // A change of the lot's own fields with an appended step: one update entry (fields and count), one row entry.
            retested.releaseStatus = .released
            retested.custody.append(CustodyEvent(kind: .released, at: Self.at(9000), actor: Self.lab))
            _ = try await repos.cellProducts.update(retested, expectedVersion: 2, context: Fixture.editing("released"))
            let lot = try await repos.audit.history(table: "cell_products", recordID: "cp-1").filter { $0.table == "cell_products" }
            #expect(lot.last?.changes.map(\.field) == ["release_status", "custody_count"])
            #expect(try await repos.audit.history(table: "cell_product_custody_events", recordID: "cp-1:2").first?.reason == "released")
            #expect(try await repos.audit.verify() == .intact(entries: try await db.count("audit_log")))
        }
    }

    @Test("a release decision and its custody step are one write: both stored, or neither", arguments: TestDatabase.urls)
    func decisionWithCustodyStep(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            let entry = CellTherapyEntry(repositories: repos, catalog: ProtocolCatalog(directory: "", protocols: []))
            var passing = Self.product()
            passing.releaseTests.mycoplasmaNegative = true
            passing.releaseTests.markersPercent.merge(["CD34": 0.5, "CD14": 0.8, "CD19": 0.3]) { a, _ in a }
            _ = try await repos.cellProducts.create(passing, context: Fixture.coordinator, idempotencyKey: nil)
            let investigator = AuditContext(actor: Actor(userID: "u-inv", role: "investigator"), requestID: "req-9")
            // A stale version: neither the decision nor the step is stored.
            await #expect(throws: RepositoryError.staleVersion(kind: "cell product", id: "cp-1", expected: 5)) {
                try await entry.decideRelease(product: "cp-1", tests: nil, expectedVersion: 5, at: Self.at(7200), context: investigator)
            }
            #expect(try await repos.cellProducts.get("cp-1").value.custody.count == 2)
            let decided = try await entry.decideRelease(product: "cp-1", tests: nil, expectedVersion: 1, at: Self.at(7200), context: investigator)
            #expect(decided.version == 2 && decided.value.releaseStatus == .released && decided.value.releaseDecision?.outcome == .released)
            #expect(decided.value.custody.last == CustodyEvent(kind: .released, at: Self.at(7200), actor: investigator.actor,
                                                                note: decided.value.releaseDecision?.summary))
            #expect(try await repos.cellProducts.get("cp-1") == decided)
            let entries = try await repos.audit.history(table: "cell_products", recordID: "cp-1").filter { $0.requestID == "req-9" }
            #expect(entries.map(\.table) == ["cell_products", "cell_product_custody_events"])
            #expect(entries.allSatisfy { $0.reason?.hasPrefix("release decision: released") == true })
        }
    }

    @Test("the lists of many parents load in a fixed number of statements", arguments: TestDatabase.urls)
    func boundedQueries(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.programs.create(Fixture.program(), context: Fixture.coordinator, idempotencyKey: nil)
            let count = 501   // two chunks of 500
            let transitions = [
                StatusTransition(from: .prescreened, to: .screening, actor: Self.lab, at: Self.at(1), reason: "booked"),
                StatusTransition(from: .screening, to: .screenFailed, actor: Self.lab, at: Self.at(2), reason: "not eligible"),
            ]
            try await repos.transaction { tx in
                for n in 0..<count {
                    _ = try await tx.enrolments.create(
                        Enrolment(id: Identifier("e-\(n)"), participantID: "p-1", programID: "prog-1", siteID: "site-a",
                                  status: .screenFailed, transitions: transitions),
                        context: Fixture.coordinator, idempotencyKey: nil)
                }
            }
            let counting = CountingStore(base: db.store)
            let enrolments = ChildAwareRecords(records: RecordStore<EnrolmentMapping>(store: counting, audit: AuditWriter(clock: TestDatabase.testClock)))

            let byParticipant = try await enrolments.list(where: "participant_id", equals: "p-1")
            #expect(byParticipant.count == count && byParticipant.allSatisfy { $0.value.transitions == transitions })
            // One statement for the enrolments, one per 500 of them for their transitions.
            #expect(counting.statements == 1 + 2)

            counting.reset()
            let byID = try await enrolments.list(where: "id", in: (0..<count).map { "e-\($0)" })
            #expect(byID.count == count && byID.allSatisfy { $0.value.transitions.count == 2 })
            // Per chunk of 500 ids: the enrolments and their transitions.
            #expect(counting.statements == 2 * 2)

            for n in 0..<3 {
                _ = try await repos.cellProducts.create(Self.product("cp-\(n)", lot: "LOT-\(n)"), context: Fixture.coordinator, idempotencyKey: nil)
            }
            let products = ChildAwareRecords(records: RecordStore<CellProductMapping>(store: counting, audit: AuditWriter(clock: TestDatabase.testClock)))
            counting.reset()
            #expect(try await products.list(where: "participant_id", in: ["p-1"]).map(\.value.custody.count) == [2, 2, 2])
            // The lots, their custody events, their release-test results.
            #expect(counting.statements == 3)
        }
    }

    @Test("a stored count the rows do not match is a corrupt record naming the child table", arguments: TestDatabase.urls)
    func countMismatch(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.cellProducts.create(Self.product(), context: Fixture.coordinator, idempotencyKey: nil)
            try await db.rawSQL("UPDATE cell_products SET custody_count = 3 WHERE id = 'cp-1'")
            await #expect(throws: StorageError.corruptRecord(table: "cell_product_custody_events", column: "position")) {
                try await repos.cellProducts.get("cp-1")
            }
        }
    }
}

/// Counts the statements run through a store (reads and writes alike).
final class CountingStore: SQLStore, @unchecked Sendable {
    let base: any SQLStore
    private let lock = NSLock()
    private var counter = 0

    init(base: any SQLStore) { self.base = base }

    var engine: SQLEngine { base.engine }
    var statements: Int { lock.withLock { counter } }
    func reset() { lock.withLock { counter = 0 } }

    func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await base.transaction { db in try await body(CountingDatabase(base: db, store: self)) }
    }

    func read<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await base.read { db in try await body(CountingDatabase(base: db, store: self)) }
    }

    func shutdown() async throws {}

    fileprivate func count() { lock.withLock { counter += 1 } }
}

private struct CountingDatabase: SQLDatabase {
    let base: any SQLDatabase
    let store: CountingStore

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        store.count()
        return base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        store.count()
        try await base.execute(sql: query, onRow)
    }
}
