import Foundation
import RestoraDomain
@testable import RestoraStorage
import SQLKit
import Testing

/// Record-level tamper evidence (issue #19, docs/audit-integrity.md): each audit entry carries the hash of
/// the row as written, and `verifyRecords` names every row changed, deleted or inserted outside Restora.
@Suite("Record integrity")
struct RecordIntegrityTests {
    typealias Finding = RecordVerificationReport.Finding

    /// Data through every write path: plain records created, updated and deleted; child rows appended
    /// (transitions, custody, release tests, dispensings) and a dispensing's returned units filled in.
    static func load(_ db: StorageDatabase) async throws -> Repositories {
        let repos = try await Fixture.seed(db)
        _ = try await repos.programs.create(Fixture.program(), context: Fixture.coordinator, idempotencyKey: nil)
        for n in 1...4 {
            _ = try await repos.observations.create(Fixture.observation("o-\(n)", value: 100 + Double(n)), context: Fixture.coordinator, idempotencyKey: nil)
        }
        var corrected = Fixture.observation("o-1", value: 150.5)
        corrected.specimen = nil
        _ = try await repos.observations.update(corrected, expectedVersion: 1, context: Fixture.editing())
        try await repos.observations.delete("o-4", expectedVersion: 1, context: Fixture.editing("entered for the wrong participant"))
        _ = try await repos.enrolments.create(
            Enrolment(id: "e-1", participantID: "p-1", programID: "prog-1", siteID: "site-a"), context: Fixture.coordinator, idempotencyKey: nil)
        var version = 1
        for status in [EnrolmentStatus.screening, .eligible] {
            version = try await repos.enrolments.transition("e-1", to: status, at: Fixture.instant, expectedVersion: version,
                                                            context: Fixture.editing("per protocol")).version
        }
        var lot = ChildTableTests.product()
        _ = try await repos.cellProducts.create(lot, context: Fixture.coordinator, idempotencyKey: nil)
        lot.custody.append(CustodyEvent(kind: .sampled, at: ChildTableTests.at(7200), actor: ChildTableTests.lab, location: "QC bench"))
        _ = try await repos.cellProducts.update(lot, expectedVersion: 1, context: Fixture.editing("stored"))
        var course = Fixture.course()
        _ = try await repos.medicationCourses.create(course, context: Fixture.coordinator, idempotencyKey: nil)
        course.dispensings = [Dispensing(date: CalendarDate(year: 2026, month: 1, day: 5)!, unitsDispensed: 60, daysCovered: 30)]
        _ = try await repos.medicationCourses.update(course, expectedVersion: 1, context: Fixture.editing("dispensed"))
        course.dispensings[0].unitsReturned = 4
        _ = try await repos.medicationCourses.update(course, expectedVersion: 2, context: Fixture.editing("returns counted"))
        return repos
    }

    @Test("an untouched database verifies clean: every row of every write path matches its latest entry", arguments: TestDatabase.urls)
    func untouched(url: String) async throws {
        try await TestDatabase.with(url) { db in
            _ = try await Self.load(db)
            let report = try await db.verifyRecords()
            #expect(report.findings == [])
            #expect(report.intact)
            let rows = Dictionary(uniqueKeysWithValues: report.tables.map { ($0.table, $0.rows) })
            #expect(rows["observations"] == 3)
            #expect(rows["enrolment_transitions"] == 2)
            #expect(rows["cell_product_custody_events"] == 3)
            #expect(rows["cell_product_release_tests"] == 12)
            #expect(rows["medication_dispensings"] == 1)
            #expect(try await db.repositories.audit.verify() == .intact(entries: try await db.count("audit_log")))
            // The write path kept its hash next to each change: a delete carries the tombstone.
            let deleted = try await db.store.read { sql in
                try await sql.raw("SELECT record_hash FROM audit_log WHERE table_name = 'observations' AND record_id = 'o-4' AND action = 'delete'").first()
            }
            #expect(try deleted?.decode(column: "record_hash", as: String.self) == RecordHash.tombstone)
        }
    }

    @Test("a value changed, a row deleted, a row inserted and a child row edited behind Restora's back are each named", arguments: TestDatabase.urls)
    func tamperingNamed(url: String) async throws {
        try await TestDatabase.with(url) { db in
            _ = try await Self.load(db)
            let observationColumns = (ObservationMapping.columns.map(\.name) + ["site_id", "version", "created_at", "updated_at"])
                .map { "\"\($0)\"" }.joined(separator: ", ")
            let copied = observationColumns.replacingOccurrences(of: "\"id\", ", with: "")
            try await db.rawSQL("UPDATE observations SET value_number = 999 WHERE id = 'o-2'")
            try await db.rawSQL("DELETE FROM observations WHERE id = 'o-3'")
            try await db.rawSQL("INSERT INTO observations (\(observationColumns)) SELECT 'o-9', \(copied) FROM observations WHERE id = 'o-1'")
            try await db.rawSQL("UPDATE cell_product_custody_events SET location = 'bench' WHERE id = 'cp-1:0'")
            try await db.rawSQL("UPDATE medication_dispensings SET units_returned = 0 WHERE id = 'mc-1:0'")
            try await db.rawSQL("UPDATE enrolments SET transition_count = 1 WHERE id = 'e-1'")
            try await db.rawSQL("UPDATE participants SET deleted_at = '2026-01-03T00:00:00.000Z' WHERE id = 'p-1'")
            let report = try await db.verifyRecords()
            #expect(Set(report.findings.map { $0 }) == [
                Finding(table: "participants", kind: "participant", recordID: "p-1", problem: .deleted(lastAction: "create")),
                Finding(table: "enrolments", kind: "enrolment", recordID: "e-1", problem: .listMismatch(field: "transition_count", stored: "1", expected: "2")),
                Finding(table: "observations", kind: "observation", recordID: "o-2", problem: .changed(fields: ["value_number"])),
                Finding(table: "observations", kind: "observation", recordID: "o-3", problem: .deleted(lastAction: "create")),
                Finding(table: "observations", kind: "observation", recordID: "o-9", problem: .noEntry),
                Finding(table: "cell_product_custody_events", kind: "custody event", recordID: "cp-1:0", problem: .changed(fields: ["location"])),
                Finding(table: "medication_dispensings", kind: "dispensing", recordID: "mc-1:0", problem: .changed(fields: ["units_returned"])),
            ])
            #expect(report.problems == 7)
            #expect(!report.intact)
            // The trail itself was not touched: the chains still verify, which is why the records check exists.
            #expect(try await db.repositories.audit.verify() == .intact(entries: try await db.count("audit_log")))
            #expect(report.findings.first { $0.recordID == "o-2" }?.description
                    == "observation o-2 (observations): CHANGED outside Restora, field value_number")
        }
    }

    @Test("rewriting an entry's record hash to match an edited row breaks the entry's link in the chain", arguments: TestDatabase.urls)
    func recordHashInChain(url: String) async throws {
        try await TestDatabase.with(url) { db in
            _ = try await Self.load(db)
            try await db.rawSQL("UPDATE observations SET value_number = 999 WHERE id = 'o-2'")
            let rows = try await db.store.read { sql in
                try await sql.raw("SELECT \(unsafeRaw: AuditedTables.of(ObservationMapping.self).selectList) FROM observations WHERE id = 'o-2'").all()
            }
            let table = AuditedTables.of(ObservationMapping.self)
            let forged = RecordHash.stored(table, cells: try RecordHash.cells(table, row: try #require(rows.first)))
            try await db.rawSQL("UPDATE audit_log SET record_hash = '\(forged)' WHERE table_name = 'observations' AND record_id = 'o-2'")
            #expect(try await db.verifyRecords().intact)
            guard case let .broken(_, problem) = try await db.repositories.audit.verify() else {
                Issue.record("a forged record hash must break the chain")
                return
            }
            #expect(problem.contains("does not match its hash"))
        }
    }

    @Test("canonical form: NULL differs from empty text, numbers locale-free, every type its own tag")
    func canonicalForm() {
        let table = AuditedTable(name: "t", kind: "t", columns: [Column("id"), Column("note"), Column("n", .real), Column("k", .integer), Column("f", .boolean)], softDeletes: true)
        let empty = RecordHash.stored(table, cells: ["id": .text("a"), "note": .text("")])
        let null = RecordHash.stored(table, cells: ["id": .text("a"), "note": .null])
        #expect(empty != null)
        #expect(RecordHash.encode(.real(5000)) == Array("r5000.0".utf8))
        #expect(RecordHash.encode(.real(0.1)) == Array("r0.1".utf8))
        #expect(RecordHash.encode(.integer(5000)) == Array("i5000".utf8))
        #expect(RecordHash.encode(.boolean(true)) == Array("b1".utf8))
        #expect(RecordHash.encode(.text("5000")) == Array("t4:5000".utf8))
        #expect(RecordHash.stored(table, cells: ["id": .text("a"), "k": .integer(1)]) != RecordHash.stored(table, cells: ["id": .text("a"), "f": .boolean(true)]))
        // The same row hashes the same whatever the dictionary order; a different row does not.
        let one = RecordHash.stored(table, cells: ["id": .text("a"), "n": .real(1.5), "k": .integer(2)])
        #expect(one == RecordHash.stored(table, cells: ["k": .integer(2), "n": .real(1.5), "id": .text("a")]))
        #expect(RecordHash.differingColumns(table, cells: ["id": .text("a"), "n": .real(1.25), "k": .integer(2)], stored: one) == ["n"])
        // The verifier's fast path gives the write path's digest for the same row.
        var canonical = RecordCanonicalizer(table)
        for cells in [[SQLCell.text("a"), .text(""), .real(0.1), .integer(-3), .boolean(false)], [.text("é"), .null, .null, .null, .boolean(true)]] {
            let stored = RecordHash.stored(table, cells: canonical.named(cells))
            #expect(stored.hasPrefix(canonical.digest(cells) + "."))
        }
    }

    @Test("an anchor holds while the chains only grow; a rewritten chain no longer passes through it", arguments: TestDatabase.urls)
    func anchor(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Self.load(db)
            let anchor = try await db.auditAnchor()
            #expect(anchor.heads.map(\.chain) == ["", "site-a"])
            _ = try await repos.observations.create(Fixture.observation("o-5"), context: Fixture.coordinator, idempotencyKey: nil)
            #expect(try await db.checkAnchor(anchor).allSatisfy { $0.problem == nil })
            let head = try #require(anchor.heads.last)
            try await db.rawSQL("UPDATE audit_log SET hash = 'rewritten' WHERE chain_id = 'site-a' AND sequence = \(head.sequence)")
            let checks = try await db.checkAnchor(anchor)
            #expect(checks.map { $0.problem == nil } == [true, false])
            #expect(checks.last?.line == "anchor the chain of site site-a at entry \(head.sequence): DOES NOT HOLD: entry \(head.sequence) has another hash now (the chain was rewritten at or before it)")
        }
    }

    @Test("every table whose rows soft-delete (a record table) is verified by --records, with its child tables")
    func everyRecordTableAudited() async throws {
        try await TestDatabase.with("sqlite::memory:") { db in
            let tables = try await db.store.read { sql in
                try await sql.raw("""
                    SELECT m.name AS name FROM sqlite_master m WHERE m.type = 'table'
                    AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.name = 'deleted_at') ORDER BY m.name
                    """).all().map { try $0.decode(column: "name", as: String.self) }
            }
            #expect(!tables.isEmpty)
            let audited = Set(AuditedTables.all.map(\.name))
            #expect(tables.filter { !audited.contains($0) } == [], "add the mapping to AuditedTables.all (docs/audit-integrity.md)")
            for children in ChildTables.byParent.values { #expect(children.allSatisfy(audited.contains)) }
        }
    }

    @Test("records are matched in pages: a page boundary inside one record's entries and after deleted rows", arguments: TestDatabase.urls)
    func paging(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            for n in 0..<12 {
                _ = try await repos.observations.create(Fixture.observation("o-\(10 + n)", value: Double(n)), context: Fixture.coordinator, idempotencyKey: nil)
            }
            var value = Fixture.observation("o-10", value: 1)
            for version in 1...4 {
                value.value = .quantity(Quantity(Double(version) + 0.5, "mg/dL"))
                _ = try await repos.observations.update(value, expectedVersion: version, context: Fixture.editing())
            }
            for id in ["o-12", "o-13", "o-14"] { try await repos.observations.delete(Identifier(id), expectedVersion: 1, context: Fixture.editing()) }
            try await db.rawSQL("UPDATE observations SET value_number = 7 WHERE id = 'o-21'")
            try await db.rawSQL("DELETE FROM observations WHERE id = 'o-16'")
            let report = try await RecordVerifier(store: db.store, pageSize: 3).verify(tables: [AuditedTables.of(ObservationMapping.self)])
            #expect(report.findings.map(\.recordID) == ["o-16", "o-21"])
            #expect(report.rows == 8)
        }
    }
}

/// Migration 0037 on a database an earlier release left, with data in it: every live row gets a baseline
/// entry, the upgraded database verifies clean, and tampering afterwards is named.
@Suite("Record hashes: migrating forward", .serialized)
struct RecordHashMigrationTests {
    static let name = "0037_RecordHashes"
    static var before: String {
        let index = allMigrations.firstIndex { $0.name == name } ?? 1
        return allMigrations[index - 1].name
    }

    /// The columns the table has now (a later migration's columns are not there yet).
    static func columns(_ db: StorageDatabase, _ table: String) async throws -> Set<String> {
        try await db.store.read { sql in
            let rows = try await sql.raw(db.engine == .sqlite
                ? "SELECT name FROM pragma_table_info(\(bind: table))"
                : "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = \(bind: table)").all()
            return Set(try rows.map { try $0.decode(column: "name", as: String.self) })
        }
    }

    /// A row as the application of the earlier release stored it, without any audit entry (those releases
    /// wrote entries without record hashes, which the baseline does not need).
    static func insert(_ db: StorageDatabase, _ table: String, _ cells: [String: SQLCell], deleted: Bool = false) async throws {
        let existing = try await columns(db, table)
        let stamp = StoredJSON.format(Fixture.instant)
        var all = cells.filter { existing.contains($0.key) }
        for (name, value) in ["version": SQLCell.integer(1), "created_at": .text(stamp), "updated_at": .text(stamp)] where existing.contains(name) {
            all[name] = value
        }
        if deleted { all["deleted_at"] = .text(stamp) }
        let statement = PrebuiltSQL.insert(into: table, cells: all, returning: "\"id\"")
        try await db.store.transaction { sql in try await sql.raw(statement).run() }
    }

    @Test("an upgraded database gets one baseline entry per live row and verifies clean; later tampering is named", arguments: TestDatabase.urls)
    func upgrade(url: String) async throws {
        try await TestDatabase.with(url, migrated: false) { db in
            try await db.migrator.migrate(through: Self.before)
            try await Self.insert(db, "sites", try SiteMapping.cells(of: Fixture.site()))
            try await Self.insert(db, "programs", try ProgramMapping.cells(of: Fixture.program()))
            try await Self.insert(db, "participants", try ParticipantMapping.cells(of: Fixture.participant())
                .merging(ParticipantMapping.derivedCells(of: Fixture.participant())) { _, n in n })
            for (id, deleted) in [("o-1", false), ("o-2", true)] {
                let observation = Fixture.observation(id)
                try await Self.insert(db, "observations", try ObservationMapping.cells(of: observation)
                    .merging(ObservationMapping.derivedCells(of: observation)) { _, n in n }.merging(["site_id": .text("site-a")]) { _, n in n },
                    deleted: deleted)
            }
            let transition = StatusTransition(from: .prescreened, to: .screening, actor: Actor(userID: "u-coord"), at: Fixture.instant, reason: "per protocol")
            let enrolment = Enrolment(id: "e-1", participantID: "p-1", programID: "prog-1", siteID: "site-a", status: .screening,
                                      transitions: [transition], protocolVersion: "1.0")
            try await Self.insert(db, "enrolments", try EnrolmentMapping.cells(of: enrolment))
            try await Self.insert(db, "enrolment_transitions", EnrolmentTransitionRows.cells(of: transition).merging(
                ["id": .text("e-1:0"), "enrolment_id": .text("e-1"), "position": .integer(0), "site_id": .text("site-a")]) { _, n in n })

            let applied = try await db.migrator.migrate()
            #expect(applied.first == Self.name)
            let baseline = try await db.store.read { sql in
                try await sql.raw("SELECT table_name, record_id, actor_id FROM audit_log WHERE action = 'baseline' ORDER BY table_name, record_id").all()
                    .map { "\(try $0.decode(column: "table_name", as: String.self)) \(try $0.decode(column: "record_id", as: String.self)) \(try $0.decode(column: "actor_id", as: String.self))" }
            }
            #expect(baseline == ["enrolment_transitions e-1:0 system", "enrolments e-1 system", "observations o-1 system",
                                 "participants p-1 system", "programs prog-1 system", "sites site-a system"])
            let report = try await db.verifyRecords()
            #expect(report.findings == [])
            #expect(report.rows == 6)
            #expect(try await db.repositories.audit.verify() == .intact(entries: 6))

            // The upgraded database goes on as any other: a correction through Restora verifies, one behind its back does not.
            let repos = db.repositories
            var corrected = try await repos.observations.get("o-1")
            corrected.value.value = .quantity(Quantity(180, "mg/dL"))
            _ = try await repos.observations.update(corrected.value, expectedVersion: corrected.version, context: Fixture.editing())
            #expect(try await db.verifyRecords().intact)
            try await db.rawSQL("UPDATE enrolment_transitions SET reason = 'edited' WHERE id = 'e-1:0'")
            #expect(try await db.verifyRecords().findings == [
                .init(table: "enrolment_transitions", kind: "enrolment transition", recordID: "e-1:0", problem: .changed(fields: ["reason"]))])
        }
    }
}
