import Foundation
import RestoraDomain
@testable import RestoraStorage
import SQLKit
import Testing

/// Migration 0054 (SQLite): `visit_due_days` counts, per site, program and day, the kept spans that start being
/// listed that day and those listed for the last time; it is filled from the spans a database already keeps and
/// moved by triggers on every insert, delete and update of a span.
@Suite("Visit-due day counts kept (0054)", .serialized)
struct VisitDueDayCountTests {
    /// A kept span as the refresher writes it; `through` nil is the open end.
    static func span(_ site: String, _ enrolment: String, _ visit: String, program: String = "prog-1", from: String, through: String?) -> String {
        """
        INSERT INTO visit_due_spans (site_id, enrolment_id, participant_id, program_id, visit_key, visit_index, title,
                                     earliest, latest, shown_from, shown_through)
        VALUES ('\(site)', '\(enrolment)', 'p-\(enrolment)', '\(program)', '\(visit)', 0, 'Visit', '\(from)', '\(from)', '\(from)',
                '\(through ?? SQLDashboardQueries.openEnd)')
        """
    }

    /// The kept rows as "site program day +starting -ending", in key order.
    static func days(_ db: StorageDatabase) async throws -> [String] {
        try await db.store.read { sql in
            try await sql.raw("SELECT site_id, program_id, day, starting, ending FROM visit_due_days ORDER BY site_id, program_id, day").all().map {
                "\(try $0.decode(column: "site_id", as: String.self)) \(try $0.decode(column: "program_id", as: String.self)) "
                    + "\(try $0.decode(column: "day", as: String.self)) +\(try $0.decode(column: "starting", as: Int.self)) "
                    + "-\(try $0.decode(column: "ending", as: Int.self))"
            }
        }
    }

    static func problems(_ db: StorageDatabase) async throws -> Int {
        try await db.store.read { sql in
            try await sql.raw(SQLQueryString(VisitDueDayTriggers.mismatches)).first()?.decode(column: "problems", as: Int.self) ?? 0
        }
    }

    /// Spans listed on `day` from the kept counts, the way the dashboard sums them.
    static func listed(_ db: StorageDatabase, on day: String, site: String? = nil) async throws -> Int {
        try await db.store.read { sql in
            let siteFilter: SQLQueryString = site.map { " AND site_id = \(bind: $0)" } ?? ""
            return try await sql.raw("""
                SELECT COALESCE(SUM(starting), 0) - COALESCE(SUM(CASE WHEN day < \(bind: day) THEN ending ELSE 0 END), 0) AS n
                FROM visit_due_days WHERE day <= \(bind: day)\(siteFilter)
                """).first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    @Test("a database keeping spans before 0054 gets its day counts; inserts, deletes and updates move them", arguments: ["sqlite::memory:"])
    func fillAndTriggers(url: String) async throws {
        try await TestDatabase.with(url, migrated: false) { db in
            try await db.migrator.migrate(through: "0053_KeepDashboardSchedules")
            for statement in [
                Self.span("site-a", "e-1", "v1", from: "2026-03-01", through: "2026-03-10"),
                Self.span("site-a", "e-1", "v2", from: "2026-03-11", through: nil),
                Self.span("site-a", "e-2", "v1", from: "2026-03-01", through: "2026-03-01"),
                Self.span("site-b", "e-3", "v1", from: "2026-03-05", through: "2026-03-10"),
            ] { try await db.rawSQL(statement) }
            #expect(try await db.migrator.migrate() == ["0054_CountVisitDueDays"])
            #expect(try await Self.days(db) == [
                "site-a prog-1 2026-03-01 +2 -1", "site-a prog-1 2026-03-10 +0 -1", "site-a prog-1 2026-03-11 +1 -0",
                "site-b prog-1 2026-03-05 +1 -0", "site-b prog-1 2026-03-10 +0 -1",
            ])
            #expect(try await Self.problems(db) == 0)
            // Listed on a day: a span is listed from its first through its last day; the open end for ever after.
            let expected = ["2026-02-28": 0, "2026-03-01": 2, "2026-03-02": 1, "2026-03-05": 2, "2026-03-10": 2, "2026-03-11": 1, "2030-01-01": 1]
            for (day, n) in expected { #expect(try await Self.listed(db, on: day) == n, "\(day)") }
            #expect(try await Self.listed(db, on: "2026-03-05", site: "site-b") == 1)

            // The refresher deletes a participant's spans and inserts new ones; counts fall to zero and their rows go.
            try await db.rawSQL("DELETE FROM visit_due_spans WHERE enrolment_id = 'e-2'")
            try await db.rawSQL(Self.span("site-a", "e-2", "v2", from: "2026-04-01", through: "2026-04-30"))
            try await db.rawSQL("DELETE FROM visit_due_spans WHERE site_id = 'site-b'")
            #expect(try await Self.days(db) == [
                "site-a prog-1 2026-03-01 +1 -0", "site-a prog-1 2026-03-10 +0 -1", "site-a prog-1 2026-03-11 +1 -0",
                "site-a prog-1 2026-04-01 +1 -0", "site-a prog-1 2026-04-30 +0 -1",
            ])
            // An update of the listed days (no code path writes one today) moves the counts as a delete and an insert.
            try await db.rawSQL("UPDATE visit_due_spans SET shown_through = '\(SQLDashboardQueries.openEnd)', site_id = 'site-c' WHERE enrolment_id = 'e-2'")
            try await db.rawSQL("UPDATE visit_due_spans SET shown_from = '2026-03-02' WHERE enrolment_id = 'e-1' AND visit_key = 'v1'")
            #expect(try await Self.days(db) == [
                "site-a prog-1 2026-03-02 +1 -0", "site-a prog-1 2026-03-10 +0 -1", "site-a prog-1 2026-03-11 +1 -0",
                "site-c prog-1 2026-04-01 +1 -0",
            ])
            #expect(try await Self.problems(db) == 0)
            #expect(try await Self.listed(db, on: "2026-05-01") == 2)

            // The check names a count that no longer matches the spans.
            try await db.rawSQL("UPDATE visit_due_days SET starting = 5 WHERE day = '2026-03-11'")
            #expect(try await Self.problems(db) == 1)
        }
    }
}
