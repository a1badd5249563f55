import RestoraDomain
import SQLKit

/// The one place a locked casebook or visit refuses a write (issue #16 item 4, docs/locking.md; REFERENCE.md H2:
/// data locked after investigator sign-off stays unchanged until an admin unlocks it with a documented reason).
/// Called inside the write's own transaction by the central write paths — `RecordStore.create`, `write` (every
/// update), `delete`, `ChildRows.insert` and `ChildAwareRecords.modify` — so every door (web forms, JSON API, the
/// demo seeder, later FHIR) is held to it without a check per controller.
///
/// What a lock covers, by table (a table missing here is never locked — data queries, SDV marks, signatures,
/// safety alerts, notifications, consents, the participant's own row and records not linked to an enrolment):
/// - a casebook lock of enrolment E: the enrolment row and its transitions; its visits; every observation,
///   procedure, cell product, medication course, adverse event, screening and protocol deviation whose
///   `enrolment_id` is E (or, for an observation, whose visit is one of E's); the child rows (custody events,
///   release tests, dispensings) of those lots and courses;
/// - a visit lock of visit V: the visit row and the observations taken at V.
enum LockGuard {
    /// Where a row finds the casebook (enrolment) and the visit it belongs to.
    enum Scope: Sendable, Equatable {
        /// The row's own columns: its enrolment's id, and its visit's id when it has one.
        case columns(enrolment: String, visit: String?)
        /// A child row: the `enrolment_id` of the parent row that `column` names in `table`.
        case parent(table: String, column: String)
    }

    static let tables: [String: Scope] = [
        "enrolments": .columns(enrolment: "id", visit: nil),
        "enrolment_transitions": .columns(enrolment: "enrolment_id", visit: nil),
        "visits": .columns(enrolment: "enrolment_id", visit: "id"),
        "observations": .columns(enrolment: "enrolment_id", visit: "visit_id"),
        "procedures": .columns(enrolment: "enrolment_id", visit: nil),
        "cell_products": .columns(enrolment: "enrolment_id", visit: nil),
        "medication_courses": .columns(enrolment: "enrolment_id", visit: nil),
        "adverse_events": .columns(enrolment: "enrolment_id", visit: nil),
        "screenings": .columns(enrolment: "enrolment_id", visit: nil),
        "protocol_deviations": .columns(enrolment: "enrolment_id", visit: nil),
        "cell_product_custody_events": .parent(table: "cell_products", column: "cell_product_id"),
        "cell_product_release_tests": .parent(table: "cell_products", column: "cell_product_id"),
        "medication_dispensings": .parent(table: "medication_courses", column: "medication_course_id"),
    ]

    /// An update: the row as stored and as it would be stored (moving a record into a locked casebook is refused
    /// as well as moving one out of it).
    static func refuseIfLocked(
        table: String, kind: String, id: String, old: [String: SQLCell], new: [String: SQLCell], in db: any SQLDatabase
    ) async throws {
        guard let scope = tables[table] else { return }
        try await refuseIfLocked(table: table, kind: kind, id: id, cells: old, in: db)
        let columns: [String]
        switch scope {
        case let .columns(enrolment, visit): columns = [enrolment] + (visit.map { [$0] } ?? [])
        case let .parent(_, column): columns = [column]
        }
        if columns.contains(where: { new[$0] != nil && new[$0] != old[$0] }) {
            try await refuseIfLocked(table: table, kind: kind, id: id, cells: new, in: db)
        }
    }

    /// Throws `RepositoryError.locked` naming the lock when the row of `table` with `cells` (as stored before the
    /// write, or as it will be stored) belongs to a standing lock. On PostgreSQL it first takes `FOR KEY SHARE` on
    /// the enrolment row, which `RecordLocking` takes `FOR UPDATE` before it checks the signature and writes a
    /// lock: a write and a lock of the same casebook never interleave (SQLite has one writer).
    static func refuseIfLocked(table: String, kind: String, id: String, cells: [String: SQLCell], in db: any SQLDatabase) async throws {
        guard let scope = tables[table] else { return }
        var enrolment: String?
        var visit: String?
        switch scope {
        case let .columns(enrolmentColumn, visitColumn):
            enrolment = cells[enrolmentColumn]?.text
            visit = visitColumn.flatMap { cells[$0]?.text }
        case let .parent(parent, column):
            guard let parentID = cells[column]?.text else { return }
            let row = try await db.raw(PrebuiltSQL.select(["enrolment_id"], from: parent, where: "id", in: [parentID])).first()
            enrolment = try row?.decode(column: "enrolment_id", as: String?.self) ?? nil
        }
        if enrolment == nil, let visit {
            enrolment = try await db.raw(PrebuiltSQL.select(["enrolment_id"], from: "visits", where: "id", in: [visit])).first()?
                .decode(column: "enrolment_id", as: String.self)
        }
        guard let enrolment else { return }
        if db.dialect.name == "postgresql" {
            _ = try await db.raw("SELECT id FROM enrolments WHERE id = \(bind: enrolment) FOR KEY SHARE").first()
        }
        let lock = try await db.raw("""
            SELECT target_kind, target_id, locked_by_user, locked_by_role, locked_at FROM record_locks
            WHERE enrolment_id = \(bind: enrolment) AND unlocked_at IS NULL AND deleted_at IS NULL
              AND (target_kind = 'enrolments' OR visit_id = \(bind: visit ?? ""))
            ORDER BY target_kind LIMIT 1
            """).first()
        guard let lock else { return }
        throw try refusal(lock, kind: kind, id: id)
    }

    /// The refusal naming a standing lock row (target kind and id, who locked it, when).
    static func refusal(_ lock: any SQLRow, kind: String, id: String) throws -> RepositoryError {
        let target = LockTarget(
            kind: LockedRecordKind(rawValue: try lock.decode(column: "target_kind", as: String.self)) ?? .casebook,
            id: try lock.decode(column: "target_id", as: String.self))
        let user = try lock.decode(column: "locked_by_user", as: String.self)
        let by = try lock.decode(column: "locked_by_role", as: String?.self).map { "\(user) (\($0))" } ?? user
        let at = try lock.decode(column: "locked_at", as: String.self)
        return RepositoryError.locked(kind: kind, id: id, lock: "\(target.words) (locked \(at) by \(by))")
    }

    /// `refuseIfLocked(cells:)` for many new rows of `table` (a batch insert), with one statement per 500 ids
    /// for each read instead of one per row: the visits' enrolments, on PostgreSQL `FOR KEY SHARE` on the
    /// enrolment rows, and the standing locks of those enrolments. A locked row throws `BatchItemError` with its
    /// position, naming the same lock the single check names (a casebook lock before a visit lock).
    static func refuseIfLocked(table: String, kind: String, rows: [(id: String, cells: [String: SQLCell])], in db: any SQLDatabase) async throws {
        guard let scope = tables[table] else { return }
        guard case let .columns(enrolmentColumn, visitColumn) = scope else {
            for (index, row) in rows.enumerated() {
                do { try await refuseIfLocked(table: table, kind: kind, id: row.id, cells: row.cells, in: db) } catch {
                    throw BatchItemError(index: index, error: error)
                }
            }
            return
        }
        var enrolments = rows.map { $0.cells[enrolmentColumn]?.text }
        let visits = rows.map { row in visitColumn.flatMap { row.cells[$0]?.text } }
        let unresolved = Set(rows.indices.filter { enrolments[$0] == nil }.compactMap { visits[$0] })
        if !unresolved.isEmpty {
            var enrolmentOfVisit: [String: String] = [:]
            for chunk in chunks(unresolved) {
                for row in try await db.raw(PrebuiltSQL.select(["id", "enrolment_id"], from: "visits", where: "id", in: chunk)).all() {
                    enrolmentOfVisit[try row.decode(column: "id", as: String.self)] = try row.decode(column: "enrolment_id", as: String.self)
                }
            }
            for index in rows.indices where enrolments[index] == nil {
                enrolments[index] = visits[index].flatMap { enrolmentOfVisit[$0] }
            }
        }
        let wanted = Set(enrolments.compactMap { $0 })
        guard !wanted.isEmpty else { return }
        var locks: [String: [any SQLRow]] = [:]
        for chunk in chunks(wanted) {
            if db.dialect.name == "postgresql" {
                _ = try await db.select().column("id").from("enrolments").where("id", .in, chunk).orderBy("id")
                    .lockingClause(SQLRaw("FOR KEY SHARE")).all()
            }
            let found = try await db.raw(PrebuiltSQL.select(
                ["enrolment_id", "visit_id", "target_kind", "target_id", "locked_by_user", "locked_by_role", "locked_at"],
                from: "record_locks", where: "enrolment_id", in: chunk,
                then: #"AND "unlocked_at" IS NULL AND "deleted_at" IS NULL ORDER BY "target_kind" ASC"#)).all()
            for lock in found { locks[try lock.decode(column: "enrolment_id", as: String.self), default: []].append(lock) }
        }
        guard !locks.isEmpty else { return }
        for (index, row) in rows.enumerated() {
            guard let enrolment = enrolments[index], let standing = locks[enrolment] else { continue }
            for lock in standing {
                let target = try lock.decode(column: "target_kind", as: String.self)
                let visit = try lock.decode(column: "visit_id", as: String?.self)
                if target == "enrolments" || visit == (visits[index] ?? "") {
                    throw BatchItemError(index: index, error: try refusal(lock, kind: kind, id: row.id))
                }
            }
        }
    }

    private static func chunks(_ ids: Set<String>) -> [[String]] {
        let sorted = ids.sorted()
        return stride(from: 0, to: sorted.count, by: 500).map { Array(sorted[$0..<min($0 + 500, sorted.count)]) }
    }
}
