import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

/// Migration 0033: a course's `times_per_day` moves to `doses_per_period` with the period 'day', verified
/// before the old column is dropped; weekly courses are stored and read back afterwards.
@Suite("Medication frequency: migrating forward", .serialized)
struct MedicationFrequencyMigrationTests {
    static let name = "0033_MedicationFrequencyPeriod"

    /// The migration just before 0033, whatever it is named.
    static var before: String {
        let index = allMigrations.firstIndex { $0.name == name } ?? 1
        return allMigrations[index - 1].name
    }

    static func insertOldCourse(_ db: StorageDatabase, id: String, timesPerDay: Int) async throws {
        let stamp = StoredJSON.format(Fixture.instant)
        try await db.rawSQL("""
            INSERT INTO medication_courses (id, participant_id, drug, dose, route, times_per_day, start_date, status, dispensing_count,
                                            site_id, version, created_at, updated_at)
            VALUES ('\(id)', 'p-1', '{"code":"6064","display":"isotretinoin","system":"rxnorm"}', '{"unit":"mg","value":20}', 'oral',
                    \(timesPerDay), '2026-01-05', 'active', 1, 'site-a', 1, '\(stamp)', '\(stamp)')
            """)
        try await db.rawSQL("""
            INSERT INTO medication_dispensings (id, medication_course_id, position, dispensed_on, units_dispensed, days_covered, units_returned,
                                                lot, created_at, site_id)
            VALUES ('\(id):0', '\(id)', 0, '2026-01-05', 60, 30, 6, 'B-1', '\(stamp)', 'site-a')
            """)
    }

    @Test("a course stored as 2 times a day is read as twice a day after 0033, with its dispensing; a weekly course is then stored", arguments: TestDatabase.urls)
    func movesForward(url: String) async throws {
        try await TestDatabase.with(url, migrated: false) { db in
            try await db.migrator.migrate(through: Self.before)
            try await TypedObservationMigrationTests.insertOldParticipant(db)
            try await Self.insertOldCourse(db, id: "mc-1", timesPerDay: 2)
            let applied = try await db.migrator.migrate()
            #expect(applied.contains(Self.name))
            let course = try await db.repositories.medicationCourses.get("mc-1").value
            #expect(course.frequency == .daily(2))
            #expect(course.timesPerDay == 2)
            #expect(course.dispensings == [Dispensing(date: CalendarDate(year: 2026, month: 1, day: 5)!, unitsDispensed: 60, daysCovered: 30, unitsReturned: 6, lot: "B-1")])
            #expect(course.adherence == 0.9)

            var weekly = Fixture.course("mc-2")
            weekly.frequency = .weekly(1)
            weekly.dose = Quantity(70, "mg")
            _ = try await db.repositories.medicationCourses.create(weekly, context: Fixture.coordinator, idempotencyKey: nil)
            #expect(try await db.repositories.medicationCourses.get("mc-2").value.frequency == .weekly(1))
        }
    }

    @Test("a stored course with times_per_day 0 cannot move: the migration stops, nothing changes", arguments: TestDatabase.urls)
    func zeroStops(url: String) async throws {
        try await TestDatabase.with(url, migrated: false) { db in
            try await db.migrator.migrate(through: Self.before)
            try await TypedObservationMigrationTests.insertOldParticipant(db)
            try await Self.insertOldCourse(db, id: "mc-1", timesPerDay: 0)
            await #expect(throws: (any Error).self) { try await db.migrator.migrate() }
            #expect(try await !db.migrator.applied().contains(Self.name))
        }
    }
}
