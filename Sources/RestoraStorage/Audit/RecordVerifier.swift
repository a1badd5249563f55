import Foundation
import SQLKit

/// What `restora audit verify --records` found (docs/audit-integrity.md).
public struct RecordVerificationReport: Sendable, Equatable {
    public struct Finding: Sendable, Hashable, CustomStringConvertible {
        public enum Problem: Sendable, Hashable {
            /// The row differs from the content its latest entry hashed; `fields` where the tags can tell.
            case changed(fields: [String])
            /// The latest entry is not a delete, but no live row has the id (removed, or marked deleted outside Restora).
            case deleted(lastAction: String)
            /// A live row no entry vouches for (inserted outside Restora).
            case noEntry
            /// A live row whose latest entry is a delete (restored outside Restora).
            case deletedButLive
            /// A parent's list bookkeeping that does not match its child rows (`expected` from the rows).
            case listMismatch(field: String, stored: String, expected: String)
        }

        public var table: String
        public var kind: String
        public var recordID: String
        public var problem: Problem

        public var description: String {
            let what = "\(kind) \(recordID) (\(table))"
            switch problem {
            case let .changed(fields) where fields.isEmpty:
                return "\(what): CHANGED outside Restora (a field was emptied or the change cannot be placed)"
            case let .changed(fields):
                return "\(what): CHANGED outside Restora, field\(fields.count == 1 ? "" : "s") \(fields.joined(separator: ", "))"
            case let .deleted(action):
                return "\(what): DELETED outside Restora (its latest entry is '\(action)', the live row is gone)"
            case .noEntry:
                return "\(what): NO AUDIT ENTRY (inserted outside Restora)"
            case .deletedButLive:
                return "\(what): LIVE although its latest entry is a delete (restored outside Restora)"
            case let .listMismatch(field, stored, expected):
                return "\(what): field \(field) is \(stored) but its rows say \(expected) (changed outside Restora)"
            }
        }
    }

    public struct TableCount: Sendable, Equatable {
        public var table: String
        public var rows: Int
        public var problems: Int
    }

    public var tables: [TableCount] = []
    /// The first `RecordVerifier.findingLimit` findings (memory stays bounded on a badly damaged database).
    public var findings: [Finding] = []
    public var problems: Int { tables.reduce(0) { $0 + $1.problems } }
    public var rows: Int { tables.reduce(0) { $0 + $1.rows } }
    public var intact: Bool { problems == 0 }
}

/// Recomputes every live row's hash of every audited table and compares it with the latest hashed entry of
/// the row, table by table: the rows in keyset-paged chunks ordered by id, merge-joined with the latest
/// entries read in the same order (one ordered query per chunk on `audit_log(table_name, record_id)`), so
/// memory stays bounded by a page whatever the size of the trail.
struct RecordVerifier: Sendable {
    let store: any SQLStore
    var pageSize = 5000
    static let findingLimit = 10_000

    func verify(tables: [AuditedTable] = AuditedTables.all) async throws -> RecordVerificationReport {
        var report = RecordVerificationReport()
        for table in tables {
            var count = RecordVerificationReport.TableCount(table: table.name, rows: 0, problems: 0)
            func add(_ id: String, _ problem: RecordVerificationReport.Finding.Problem) {
                count.problems += 1
                if report.findings.count < Self.findingLimit {
                    report.findings.append(.init(table: table.name, kind: table.kind, recordID: id, problem: problem))
                }
            }
            // Rows and entries are matched by id within each chunk's id range, the range bounds compared by the
            // database (its collation orders both streams), never by Swift's string order.
            var entries = LatestEntries(store: store, table: table.name, pageSize: pageSize)
            var canonical = RecordCanonicalizer(table)
            var rows = try await page(canonical, after: nil)
            while true {
                let full = rows.count == pageSize
                // The next chunk is read while this one is hashed (the driver's thread and ours overlap).
                let reader = canonical
                let next = full ? rows.last.map { last in Task { try await page(reader, after: last.id) } } : nil
                var pending = Dictionary(rows.map { ($0.id, $0.cells) }, uniquingKeysWith: { a, _ in a })
                count.rows += rows.count
                entries.begin(upTo: full ? rows.last?.id : nil)
                while let entry = try await entries.next() {
                    guard let cells = pending.removeValue(forKey: entry.recordID) else {
                        // An entry with no live row: fine after a delete, else the row went outside Restora.
                        if entry.hash != RecordHash.tombstone { add(entry.recordID, .deleted(lastAction: entry.action)) }
                        continue
                    }
                    if entry.hash == RecordHash.tombstone { add(entry.recordID, .deletedButLive); continue }
                    let digest = canonical.digest(cells)
                    if !(entry.hash.hasPrefix(digest) && entry.hash.utf8.dropFirst(digest.utf8.count).first == UInt8(ascii: ".")) {
                        add(entry.recordID, .changed(fields: RecordHash.differingColumns(table, cells: canonical.named(cells), stored: entry.hash)))
                    }
                }
                for row in rows where pending[row.id] != nil { add(row.id, .noEntry) }
                guard let next else { break }
                rows = try await next.value
            }
            for check in table.lists {
                for (id, stored, expected) in try await listMismatches(table, check) {
                    add(id, .listMismatch(field: check.column, stored: stored, expected: expected))
                }
            }
            report.tables.append(count)
        }
        return report
    }

    /// One chunk of live rows after `after`, ordered by id, as hashed cells in column order (`id` first).
    private func page(_ canonical: RecordCanonicalizer, after: String?) async throws -> [(id: String, cells: [SQLCell])] {
        let table = canonical.table
        let live = table.softDeletes ? "\"deleted_at\" IS NULL AND " : ""
        let size = pageSize
        return try await store.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: table.selectList) FROM \(unsafeRaw: PrebuiltSQL.quoted(table.name))
                WHERE \(unsafeRaw: live)"id" > \(bind: after ?? "") ORDER BY "id" LIMIT \(unsafeRaw: String(size))
                """).all().map { row in
                let cells = try canonical.read(row)
                return (cells.first?.text ?? "", cells)
            }
        }
    }

    /// Live parents whose list bookkeeping column differs from the aggregate of their child rows.
    private func listMismatches(_ table: AuditedTable, _ check: AuditedTable.ListCheck) async throws -> [(String, String, String)] {
        try await store.read { db in
            try await db.raw("""
                SELECT p."id" AS id, p.\(unsafeRaw: PrebuiltSQL.quoted(check.column)) AS stored, \(unsafeRaw: check.aggregate) AS expected
                FROM \(unsafeRaw: PrebuiltSQL.quoted(table.name)) p
                LEFT JOIN \(unsafeRaw: PrebuiltSQL.quoted(check.childTable)) c ON c.\(unsafeRaw: PrebuiltSQL.quoted(check.parentColumn)) = p."id"
                WHERE p."deleted_at" IS NULL
                GROUP BY p."id", p.\(unsafeRaw: PrebuiltSQL.quoted(check.column))
                HAVING p.\(unsafeRaw: PrebuiltSQL.quoted(check.column)) <> \(unsafeRaw: check.aggregate)
                ORDER BY p."id"
                """).all().map { row in
                (try row.decode(column: "id", as: String.self), String(try row.decode(column: "stored", as: Int.self)),
                 String(try row.decode(column: "expected", as: Int.self)))
            }
        }
    }
}

/// The latest hashed entry of each record of one table, in record id order, read a page at a time (keyset
/// on record id and sequence, compared by the database) up to a bound set per chunk of rows. A record's
/// entries are in its site's chain, so its latest is the one with the highest sequence.
struct LatestEntries {
    struct Entry { var recordID: String; var hash: String; var action: String }

    let store: any SQLStore
    let table: String
    let pageSize: Int
    private var buffer: [Entry] = []
    private var position = 0
    /// Where the next page starts: after this record id and sequence.
    private var cursor: (recordID: String, sequence: Int)? = nil
    private var bound: String? = nil
    private var exhausted = false
    /// The last record of a page, held back until the next page shows whether it has later entries.
    private var pendingTail: Entry? = nil

    init(store: any SQLStore, table: String, pageSize: Int) {
        self.store = store
        self.table = table
        self.pageSize = pageSize
    }

    /// The next entries are those with record id up to `bound` (all the rest when nil).
    mutating func begin(upTo bound: String?) {
        self.bound = bound
        exhausted = false
    }

    mutating func next() async throws -> Entry? {
        while position >= buffer.count {
            if exhausted {
                defer { pendingTail = nil }
                return pendingTail
            }
            try await fill()
        }
        defer { position += 1 }
        return buffer[position]
    }

    private mutating func fill() async throws {
        let table = self.table
        let size = pageSize
        let cursor = self.cursor
        let bound = self.bound
        let rows: [(String, Int, String, String)] = try await store.read { db in
            var sql: SQLQueryString = """
                SELECT "record_id", "sequence", "record_hash", "action" FROM "audit_log"
                WHERE "table_name" = \(bind: table) AND "record_hash" IS NOT NULL
                """
            if let cursor {
                sql.appendLiteral(" AND \"record_id\" >= ")
                sql.appendInterpolation(bind: cursor.recordID)
                sql.appendLiteral(" AND (\"record_id\" > ")
                sql.appendInterpolation(bind: cursor.recordID)
                sql.appendLiteral(" OR \"sequence\" > ")
                sql.appendInterpolation(bind: cursor.sequence)
                sql.appendLiteral(")")
            }
            if let bound {
                sql.appendLiteral(" AND \"record_id\" <= ")
                sql.appendInterpolation(bind: bound)
            }
            sql.appendLiteral(" ORDER BY \"record_id\", \"sequence\" LIMIT \(size)")
            let found = try await db.raw(sql).all()
            // The sequence matters only for where the next page starts.
            let lastSequence = try found.last?.decode(column: "sequence", as: Int.self) ?? 0
            return try found.enumerated().map { n, row in
                (try row.decode(column: "record_id", as: String.self), n == found.count - 1 ? lastSequence : 0,
                 try row.decode(column: "record_hash", as: String.self), try row.decode(column: "action", as: String.self))
            }
        }
        if rows.count < size { exhausted = true }
        if let last = rows.last { self.cursor = (last.0, last.1) }
        // The last entry per record; a record continuing from the previous page replaces the held tail.
        var latest: [Entry] = []
        if let held = pendingTail { latest.append(held) }
        pendingTail = nil
        for (recordID, _, hash, action) in rows {
            let entry = Entry(recordID: recordID, hash: hash, action: action)
            if let last = latest.last, last.recordID == recordID { latest[latest.count - 1] = entry } else { latest.append(entry) }
        }
        // The page's last record may continue on the next page: hold it back (at the bound it is complete).
        if !exhausted, let last = latest.popLast() { pendingTail = last }
        buffer = latest
        position = 0
    }
}
