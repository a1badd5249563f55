import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// The audit entries of one unit of work (`SQLUnitOfWork`), appended to their chains together just before it
/// commits: per chain one head read, one multi-row INSERT and one head update for the whole clinical action,
/// instead of three statements for each record it writes (a semen panel of five values wrote fifteen). The
/// entries commit with the records they describe or not at all, as before:
/// - a savepoint that rolls back (`TransactionBoundStore.transaction`) drops the entries added inside it;
/// - a unit of work that throws never flushes, and its transaction rolls back;
/// - a read of the audit trail inside the unit of work flushes first (`SQLStore.readAuditTrail`), so it sees
///   the action's own entries.
/// Each entry keeps the instant it was recorded at; the chain order of a record's entries is the order they
/// were written in. A nested unit of work shares its outer one's entries (a savepoint, not a commit).
final class PendingAudit: Sendable {
    /// Appends for real (its own `pending` is nil).
    let writer: AuditWriter
    private let entries = NIOLockedValueBox<[AuditWriter.Pending]>([])

    init(writer: AuditWriter) {
        var immediate = writer
        immediate.pending = nil
        self.writer = immediate
    }

    var count: Int { entries.withLockedValue { $0.count } }

    func add(_ items: [AuditWriter.Pending]) {
        entries.withLockedValue { $0.append(contentsOf: items) }
    }

    /// Drops what was added after `count` entries (a rolled-back savepoint's).
    func truncate(to count: Int) {
        entries.withLockedValue { if $0.count > count { $0.removeSubrange(count...) } }
    }

    /// Appends every waiting entry on `db` (the unit of work's connection) and empties the list.
    func flush(_ db: any SQLDatabase) async throws {
        let items = entries.withLockedValue { items in
            defer { items.removeAll(keepingCapacity: true) }
            return items
        }
        guard !items.isEmpty else { return }
        try await writer.appendAll(db, items)
    }
}

extension SQLStore {
    /// `read` for statements over the audit trail: inside a unit of work its waiting entries are appended first.
    func readAuditTrail<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        if let bound = self as? TransactionBoundStore, let pending = bound.pendingAudit {
            return try await read { db in
                try await pending.flush(db)
                return try await body(db)
            }
        }
        return try await read(body)
    }
}
