import Foundation
import RestoraDomain
@testable import RestoraStorage
import SQLKit
import Testing

/// Migration 0053: `enrolments.enrolled_on` filled from the transitions for a database from before it, and written
/// by every enrolment write after; on SQLite, the triggers that log a participant in `schedule_changes` whenever
/// what their visit schedule depends on changes, in the writing transaction.
@Suite("Dashboard schedules kept (0053)", .serialized)
struct DashboardScheduleMigrationTests {
    static func at(_ day: Int) -> Date { Fixture.instant.addingTimeInterval(Double(day) * 86_400 + 3_600) }

    static func enrolledOn(_ db: StorageDatabase) async throws -> [String: String] {
        try await db.store.read { sql in
            var found: [String: String] = [:]
            for row in try await sql.raw("SELECT id, enrolled_on FROM enrolments").all() {
                found[try row.decode(column: "id", as: String.self)] = try row.decode(column: "enrolled_on", as: String?.self) ?? "-"
            }
            return found
        }
    }

    /// The kept enrolment counts with n > 0 (SQLite), as "program status month n", in the table's order reversed by n then text.
    static func counts(_ db: StorageDatabase) async throws -> [String] {
        try await db.store.read { sql in
            try await sql.raw("SELECT program_id, status, enrolled_month, n FROM enrolment_counts WHERE n > 0 ORDER BY status DESC").all().map {
                "\(try $0.decode(column: "program_id", as: String.self)) \(try $0.decode(column: "status", as: String.self)) "
                    + "\(try $0.decode(column: "enrolled_month", as: String.self)) \(try $0.decode(column: "n", as: Int.self))"
            }
        }
    }

    /// Kept counts and signed consent versions that differ from the tables (0053's own check).
    static func problems(_ db: StorageDatabase) async throws -> Int {
        try await db.store.read { sql in
            var total = 0
            for query in [EnrolmentCountTriggers.mismatches, ConsentVersionTriggers.mismatches] {
                total += try await sql.raw(SQLQueryString(query)).first()?.decode(column: "problems", as: Int.self) ?? 0
            }
            return total
        }
    }

    /// e-1 moves screening → eligible → consented → enrolled → on-treatment; e-2 stops at consented.
    static func enrol(_ repos: Repositories) async throws {
        _ = try await repos.programs.create(Fixture.program(), context: Fixture.coordinator, idempotencyKey: nil)
        _ = try await repos.participants.create(Fixture.participant("p-2", mrn: "MRN-002"), context: Fixture.coordinator, idempotencyKey: nil)
        for (id, participant, steps) in [("e-1", "p-1", [EnrolmentStatus.screening, .eligible, .consented, .enrolled, .onTreatment]),
                                         ("e-2", "p-2", [.screening, .eligible, .consented])] {
            _ = try await repos.enrolments.create(Enrolment(id: Identifier(id), participantID: Identifier(participant), programID: "prog-1", siteID: "site-a"),
                                                  context: Fixture.coordinator, idempotencyKey: nil)
            var version = 1
            for (n, status) in steps.enumerated() {
                version = try await repos.enrolments.transition(Identifier(id), to: status, at: at(n * 3), expectedVersion: version,
                                                                context: Fixture.editing("step \(n)")).version
            }
        }
    }

    @Test("a database from before 0053 gets each enrolment's first enrolled date from its transitions", arguments: TestDatabase.urls)
    func fillsEnrolledOn(url: String) async throws {
        try await TestDatabase.with(url, migrated: false) { db in
            try await db.migrator.migrate(through: "0052_CountLiveRecords")
            // Today's enrolment writes fill the column 0053 adds: it is there while they seed, gone before 0053 runs.
            try await db.rawSQL("ALTER TABLE enrolments ADD COLUMN enrolled_on TEXT")
            let repos = try await Fixture.seed(db)
            try await Self.enrol(repos)
            try await db.rawSQL("ALTER TABLE enrolments DROP COLUMN enrolled_on")
            #expect(try await db.migrator.migrate(through: "0053_KeepDashboardSchedules") == ["0053_KeepDashboardSchedules"])
            _ = try await db.migrator.migrate()
            let day = CalendarDate(Self.at(9)).description
            #expect(try await Self.enrolledOn(db) == ["e-1": day, "e-2": "-"])
            if db.store.engine == .sqlite {
                #expect(try await Self.counts(db) == ["prog-1 on-treatment \(day.prefix(7)) 1", "prog-1 consented  1"])
            }
            // And kept by the writes from now on.
            let e2 = try await repos.enrolments.get("e-2")
            _ = try await repos.enrolments.transition("e-2", to: .enrolled, at: Self.at(20), expectedVersion: e2.version, context: Fixture.editing())
            #expect(try await Self.enrolledOn(db) == ["e-1": day, "e-2": CalendarDate(Self.at(20)).description])
            if db.store.engine == .sqlite {
                #expect(try await Self.counts(db) == ["prog-1 on-treatment \(day.prefix(7)) 1", "prog-1 enrolled \(CalendarDate(Self.at(20)).description.prefix(7)) 1"])
                #expect(try await Self.problems(db) == 0)
            }
        }
    }

    @Test("each change a schedule depends on logs its participant; reads and unrelated edits do not", arguments: TestDatabase.urls)
    func triggersLog(url: String) async throws {
        try await TestDatabase.with(url) { db in
            guard db.store.engine == .sqlite else {
                #expect(try await db.store.read { sql in
                    try await sql.raw("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_name = 'schedule_changes'").first()?
                        .decode(column: "n", as: Int.self)
                } == 0, "PostgreSQL keeps no spans (docs/scaling.md)")
                return
            }
            let repos = try await Fixture.seed(db)
            func logged() async throws -> [String] {
                try await db.store.read { sql in
                    try await sql.raw("SELECT participant_id FROM schedule_changes ORDER BY rowid").all()
                        .map { try $0.decode(column: "participant_id", as: String.self) }
                }
            }
            func drain() async throws { try await db.rawSQL("DELETE FROM schedule_changes") }
            try await Self.enrol(repos)
            #expect(try await logged() == ["p-1", "p-2"], "enrolments created and moved: each participant logged once")
            try await drain()

            let observation = try await repos.observations.create(Fixture.observation("o-1"), context: Fixture.coordinator, idempotencyKey: nil)
            #expect(try await logged() == ["p-1"])
            try await drain()
            _ = try await repos.observations.get("o-1")
            _ = try await repos.enrolments.list(participant: "p-1")
            #expect(try await logged().isEmpty, "reads log nothing")
            var moved = observation.value
            moved.effective = observation.value.effective.addingTimeInterval(86_400)
            let edited = try await repos.observations.update(moved, expectedVersion: observation.version, context: Fixture.editing())
            #expect(try await logged() == ["p-1"], "an edit logs the participant (before and after: here the same one, logged once)")
            try await drain()
            try await repos.observations.delete("o-1", expectedVersion: edited.version, context: Fixture.editing())
            #expect(try await logged() == ["p-1"], "a soft delete is an edit of deleted_at")
            try await drain()

            let visit = try await repos.visits.create(
                Visit(id: "v-1", enrolmentID: "e-2", visitKey: "month-1", plannedDay: 30, windowBefore: 7, windowAfter: 7,
                      actualDate: CalendarDate(Self.at(30)), status: .completed),
                context: Fixture.coordinator, idempotencyKey: nil)
            #expect(try await logged() == ["p-2"], "a visit logs its enrolment's participant")
            try await drain()
            var missed = visit.value
            missed.status = .missed
            missed.actualDate = nil
            _ = try await repos.visits.update(missed, expectedVersion: visit.version, context: Fixture.editing())
            #expect(try await logged() == ["p-2"])
            try await drain()
            let e1 = try await repos.enrolments.get("e-1")
            _ = try await repos.enrolments.transition("e-1", to: .withdrawn, at: Self.at(40), expectedVersion: e1.version, context: Fixture.editing())
            #expect(Set(try await logged()) == ["p-1"], "a status change logs the participant")
            #expect(try await Self.problems(db) == 0)
            let deleted = try await repos.enrolments.get("e-2")
            try await db.rawSQL("UPDATE enrolments SET deleted_at = '2026-02-01T00:00:00Z' WHERE id = 'e-2'")
            #expect(try await Self.problems(db) == 0 && deleted.value.status == .consented)
            #expect(try await Self.counts(db) == ["prog-1 withdrawn \(CalendarDate(Self.at(9)).description.prefix(7)) 1"])
        }
    }

    @Test("a change made while the refresh computes keeps its participant logged; the next refresh takes it")
    func refreshRace() async throws {
        try await TestDatabase.with(TestDatabase.fileDatabase) { db in
            let repos = try await Fixture.seed(db)
            try await Self.enrol(repos)
            let catalog = ProtocolCatalog(directory: "test", protocols: [])
            let programs = try await repos.programs.list().map(\.value)
            let queries = SQLDashboardQueries(store: db.store, audit: db.audit)
            func generations() async throws -> [String: Int] {
                try await db.store.read { sql in
                    Dictionary(try await sql.raw("SELECT participant_id, generation FROM schedule_changes").all().map {
                        (try $0.decode(column: "participant_id", as: String.self), try $0.decode(column: "generation", as: Int.self))
                    }, uniquingKeysWith: { a, _ in a })
                }
            }
            // The first refresh stores the fingerprint and logs every open enrolment's participant (p-1, p-2).
            #expect(try await queries.refreshKeptVisitsDue(catalog: catalog, programs: programs, lookAheadDays: 7, batch: 100) == 2)
            #expect(try await generations().isEmpty)
            _ = try await repos.observations.create(Fixture.observation("o-1"), context: Fixture.coordinator, idempotencyKey: nil)
            _ = try await repos.observations.create(Fixture.observation("o-2"), context: Fixture.coordinator, idempotencyKey: nil)
            #expect(try await generations() == ["p-1": 2], "a second change bumps the generation")
            let done = try await queries.refreshKeptVisitsDue(catalog: catalog, programs: programs, lookAheadDays: 7, batch: 100, beforeSwap: {
                _ = try await repos.observations.create(Fixture.observation("o-3"), context: Fixture.coordinator, idempotencyKey: nil)
            })
            let after = try await generations()
            #expect(done == 0 && after == ["p-1": 3], "computed before o-3: not swapped in, still logged")
            #expect(try await queries.refreshKeptVisitsDue(catalog: catalog, programs: programs, lookAheadDays: 7, batch: 100) == 1)
            #expect(try await generations().isEmpty)
        }
    }
}
