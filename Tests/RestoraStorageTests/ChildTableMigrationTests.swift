import Foundation
import RestoraDomain
@testable import RestoraStorage
import SQLKit
import Testing

/// Migrations 0024–0026 move transitions, custody events, release-test results and dispensings from JSON
/// text columns into child tables. These tests build a database as the release before them left it
/// (migrations 0001–0021, lists as JSON text the way the old coder wrote it), migrate it forward and find every
/// item through the repositories; a malformed list stops its migration at the verify step with nothing changed.
@Suite("Child tables: migrating forward", .serialized)
struct ChildTableMigrationTests {
    static let lastOld = TypedObservationMigrationTests.lastOld
    static let stamp = StoredJSON.format(Fixture.instant)

    static let transitions = [
        StatusTransition(from: .prescreened, to: .screening, actor: Actor(userID: "u-1", role: "coordinator"), at: Fixture.instant.addingTimeInterval(0.25), reason: "booked"),
        StatusTransition(from: .screening, to: .eligible, actor: Actor(userID: "u-2"), at: Fixture.instant.addingTimeInterval(86_400), reason: "criteria met, \"all\""),
        StatusTransition(from: .eligible, to: .consented, actor: Actor(userID: "u-1", role: "coordinator"), at: Fixture.instant.addingTimeInterval(90_000), reason: "signed"),
    ]

    static var enrolment: Enrolment {
        // protocolVersion: the program's, as migration 0035 fills it.
        Enrolment(id: "e-1", participantID: "p-1", programID: "prog-1", siteID: "site-a", armID: "A", status: .consented, transitions: transitions,
                  protocolVersion: "1.0")
    }

    static var product: CellProduct {
        var product = ChildTableTests.product()
        product.enrolmentID = "e-1"
        product.totalCells = 5.2e7
        product.releaseStatus = .released
        product.releaseDecision = try? product.evaluateRelease()
        return product
    }

    static var emptyProduct: CellProduct {
        CellProduct(id: "cp-2", lot: "LOT-2", participantID: "p-1", sourceTissue: "adipose-lipoaspirate")
    }

    static var course: MedicationCourse {
        var course = Fixture.course()
        course.dispensings = [
            Dispensing(date: CalendarDate(year: 2026, month: 1, day: 5)!, unitsDispensed: 60, daysCovered: 30, unitsReturned: 4, lot: "B-17"),
            Dispensing(date: CalendarDate(year: 2026, month: 2, day: 4)!, unitsDispensed: 56, daysCovered: 28),
        ]
        return course
    }

    @Test("every transition, custody event, release-test result and dispensing is found after 0024–0026", arguments: TestDatabase.urls)
    func migratesForward(url: String) async throws {
        try await TestDatabase.with(url, migrated: false) { db in
            #expect(Self.product.releaseDecision != nil)
            try await Self.buildOld(db)
            let applied = try await db.migrator.migrate()
            #expect(applied.contains("0024_MoveEnrolmentTransitionsToRows"))
            #expect(applied.contains("0025_MoveCellProductListsToRows"))
            #expect(applied.contains("0026_MoveDispensingsToRows"))

            let repos = db.repositories
            #expect(try await repos.enrolments.get("e-1").value == Self.enrolment)
            #expect(try await repos.enrolments.get("e-2").value.transitions.isEmpty)
            #expect(try await repos.cellProducts.get("cp-1").value == Self.product)
            #expect(try await repos.cellProducts.get("cp-2").value == Self.emptyProduct)
            #expect(try await repos.medicationCourses.get("mc-1").value == Self.course)
            #expect(try await repos.medicationCourses.get("mc-2").value.dispensings.isEmpty)
            #expect(try await db.count("enrolment_transitions") == 3)
            #expect(try await db.count("cell_product_custody_events") == 2)
            #expect(try await db.count("cell_product_release_tests") == 12)
            #expect(try await db.count("medication_dispensings") == 2)

            // The moved lists go on growing from where they were.
            let moved = try await repos.enrolments.transition("e-1", to: .enrolled, at: Fixture.instant.addingTimeInterval(100_000),
                                                              expectedVersion: 1, context: Fixture.editing("randomised"))
            #expect(moved.value.transitions.count == 4)
            #expect(try await repos.enrolments.get("e-1").value.transitions.last?.reason == "randomised")
        }
    }

    @Test("a list that is not a JSON array (or results not an object) stops its migration at the verify step; nothing changes", arguments: TestDatabase.urls)
    func malformedStopsAtVerify(url: String) async throws {
        try await TestDatabase.with(url, migrated: false) { db in
            try await Self.buildOld(db)
            let cases: [(table: String, column: String, id: String, bad: String, migration: String, what: String)] = [
                ("enrolments", "transitions", "e-1", "not json", "0024_MoveEnrolmentTransitionsToRows", "enrolments whose transitions are not a JSON array"),
                ("enrolments", "transitions", "e-1", #"{"from":"prescreened"}"#, "0024_MoveEnrolmentTransitionsToRows", "enrolments whose transitions are not a JSON array"),
                ("cell_products", "custody", "cp-1", "[{\"kind\":", "0025_MoveCellProductListsToRows", "cell products whose custody is not a JSON array"),
                ("cell_products", "release_tests", "cp-1", "[]", "0025_MoveCellProductListsToRows", "cell products whose release tests are not a JSON object"),
                ("cell_products", "release_decision", "cp-1", "released", "0025_MoveCellProductListsToRows", "cell products whose release decision is not a JSON object"),
                ("medication_courses", "dispensings", "mc-1", "{}", "0026_MoveDispensingsToRows", "medication courses whose dispensings are not a JSON array"),
            ]
            for item in cases {
                let good = try await Self.cell(db, item.table, item.column, item.id)
                try await db.rawSQL("UPDATE \(item.table) SET \(item.column) = '\(item.bad)' WHERE id = '\(item.id)'")
                await #expect(throws: StorageError.migrationVerificationFailed(name: item.migration, what: item.what, count: 1)) {
                    try await db.migrator.migrate()
                }
                #expect(try await !db.migrator.applied().contains(item.migration))
                #expect(try await Self.cell(db, item.table, item.column, item.id) == item.bad)
                // Put right, the same database migrates on (up to the next case's table).
                try await db.rawSQL("UPDATE \(item.table) SET \(item.column) = \(good.map { "'\($0)'" } ?? "NULL") WHERE id = '\(item.id)'")
            }
            try await db.migrator.migrate()
            #expect(try await db.repositories.medicationCourses.get("mc-1").value == Self.course)
        }
    }

    @Test("an item that lacks a field or breaks a rule stops the move with advice; nothing changes", arguments: TestDatabase.urls)
    func brokenItemBlocks(url: String) async throws {
        try await TestDatabase.with(url, migrated: false) { db in
            try await Self.buildOld(db)
            try await db.rawSQL(#"UPDATE medication_courses SET dispensings = '[{"date":"2026-01-05","daysCovered":45,"unitsDispensed":60}]' WHERE id = 'mc-1'"#)
            await #expect(throws: StorageError.self) { try await db.migrator.migrate() }
            #expect(try await !db.migrator.applied().contains("0026_MoveDispensingsToRows"))
            #expect(try await db.migrator.applied().contains("0025_MoveCellProductListsToRows"))
            #expect(try await Self.cell(db, "medication_courses", "dispensings", "mc-1")?.contains("45") == true)
        }
    }

    // MARK: the 0021-era layout

    static func cell(_ db: StorageDatabase, _ table: String, _ column: String, _ id: String) async throws -> String? {
        try await db.store.read { sql in
            guard let row = try await sql.select().column(column).from(table).where("id", .equal, id).first() else { return nil }
            return try row.decodeNil(column: column) ? nil : row.decode(column: column, as: String.self)
        }
    }

    static func json<V: Encodable>(_ value: V) throws -> String {
        String(decoding: try StoredJSON.encoder().encode(value), as: UTF8.self)
    }

    static func buildOld(_ db: StorageDatabase) async throws {
        try await db.migrator.migrate(through: lastOld)
        try await TypedObservationMigrationTests.insertOldParticipant(db)
        let stamp = Self.stamp
        try await db.store.transaction { sql in
            try await sql.insert(into: "programs").columns("id", "protocol_id", "protocol_version", "name", "site_ids", "version", "created_at", "updated_at")
                .values(SQLBind("prog-1"), SQLBind("ISO-AZO"), SQLBind("1.0"), SQLBind("Isotretinoin"), SQLBind(#"["site-a"]"#), SQLBind(1), SQLBind(stamp), SQLBind(stamp))
                .values(SQLBind("prog-2"), SQLBind("CELL"), SQLBind("1.0"), SQLBind("Cells"), SQLBind(#"["site-a"]"#), SQLBind(1), SQLBind(stamp), SQLBind(stamp))
                .run()
            let e = enrolment
            try await sql.insert(into: "enrolments").columns("id", "participant_id", "program_id", "site_id", "arm_id", "status", "transitions", "version", "created_at", "updated_at")
                .values(SQLBind("e-1"), SQLBind("p-1"), SQLBind("prog-1"), SQLBind("site-a"), SQLBind("A"), SQLBind(e.status.rawValue),
                        SQLBind(try json(e.transitions)), SQLBind(1), SQLBind(stamp), SQLBind(stamp))
                .values(SQLBind("e-2"), SQLBind("p-1"), SQLBind("prog-2"), SQLBind("site-a"), SQLLiteral.null, SQLBind("prescreened"),
                        SQLLiteral.null, SQLBind(1), SQLBind(stamp), SQLBind(stamp))
                .run()
            for p in [product, emptyProduct] {
                try await sql.insert(into: "cell_products")
                    .columns("id", "lot", "participant_id", "enrolment_id", "source_tissue", "total_cells", "release_tests", "release_status",
                             "custody", "release_decision", "version", "created_at", "updated_at")
                    .values(SQLBind(p.id.rawValue), SQLBind(p.lot), SQLBind("p-1"), p.enrolmentID.map { SQLBind($0.rawValue) } ?? SQLLiteral.null,
                            SQLBind(p.sourceTissue), p.totalCells.map { SQLBind($0) } ?? SQLLiteral.null, SQLBind(try json(p.releaseTests)),
                            SQLBind(p.releaseStatus.rawValue), p.custody.isEmpty ? SQLLiteral.null : SQLBind(try json(p.custody)),
                            try p.releaseDecision.map { SQLBind(try json($0)) } ?? SQLLiteral.null, SQLBind(1), SQLBind(stamp), SQLBind(stamp))
                    .run()
            }
            for (id, dispensings) in [("mc-1", course.dispensings), ("mc-2", [])] {
                let c = course
                try await sql.insert(into: "medication_courses")
                    .columns("id", "participant_id", "drug", "dose", "route", "times_per_day", "start_date", "status", "dispensings",
                             "version", "created_at", "updated_at")
                    .values(SQLBind(id), SQLBind("p-1"), SQLBind(try json(c.drug)), SQLBind(try json(c.dose)), SQLBind(c.route),
                            SQLBind(c.timesPerDay), SQLBind(c.start.description), SQLBind(c.status.rawValue),
                            SQLBind(try json(dispensings)), SQLBind(1), SQLBind(stamp), SQLBind(stamp))
                    .run()
            }
        }
    }
}
