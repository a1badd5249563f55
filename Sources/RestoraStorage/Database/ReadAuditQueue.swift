import Foundation
import RestoraDomain
import SQLKit

/// The `read` audit entries of opened records (issue #13 item 4). Opening a participant's record reads it
/// on a reader connection and queues its audit entry here instead of committing a transaction of its own;
/// the queue appends every waiting entry in one write transaction, which the embedded database's group
/// commit shares with the writes waiting at the same moment. So a thousand concurrent readers cost one
/// commit, not a thousand.
///
/// What a crash can lose: the `read` entries queued since the last commit of this queue (in practice the
/// reads of the last few milliseconds; `pendingCount` says how many wait now). It never loses a write's own
/// entry: those are appended in the write's transaction, as before. A clean shutdown flushes the queue
/// (`StorageDatabase.shutdown`).
///
/// When appending fails (disk full, database locked for longer than the busy timeout), the entries stay
/// queued and are retried, and until a flush succeeds again `isHealthy` is false: the repository then falls
/// back to reading and logging in one transaction, so a read that cannot be logged is not shown.
actor ReadAuditQueue {
    struct Entry: Sendable {
        var table: String
        var recordID: String
        var context: AuditContext
        /// The record's site: its entry joins that site's audit chain (nil: the site-less chain).
        var siteID: String? = nil
    }

    private let store: any SQLStore
    private let audit: AuditWriter
    private var pending: [Entry] = []
    private var flushing: Task<Void, Never>?
    private(set) var isHealthy = true
    /// Flush transactions committed and entries they carried (for tests and benchmarks).
    private(set) var flushed = (transactions: 0, entries: 0)
    /// The most entries one flush transaction carries; a longer queue is flushed in several.
    static let maxBatch = 2_000
    /// Pause before retrying a failed flush.
    static let retryDelay: Duration = .milliseconds(200)

    init(store: any SQLStore, audit: AuditWriter) {
        self.store = store
        self.audit = audit
    }

    var pendingCount: Int { pending.count }

    /// Queues `entry` and answers true, or answers false (queuing nothing) while flushes are failing, so
    /// the caller logs the read in a transaction of its own instead.
    func enqueueIfHealthy(_ entry: Entry) -> Bool {
        guard isHealthy else { return false }
        pending.append(entry)
        if flushing == nil { flushing = Task { await self.drain() } }
        return true
    }

    /// Waits until every entry queued before this call is committed (or the queue is unhealthy).
    func flush() async {
        while let task = flushing {
            await task.value
            if !isHealthy { return }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(Self.maxBatch))
            pending.removeFirst(batch.count)
            let audit = self.audit
            do {
                let pending = batch.map {
                    AuditWriter.Pending(action: .read, table: $0.table, recordID: $0.recordID, changes: [], context: $0.context, siteID: $0.siteID)
                }
                try await store.transaction { db in try await audit.appendAll(db, pending) }
                isHealthy = true
                flushed = (flushed.transactions + 1, flushed.entries + batch.count)
            } catch {
                // Keep them, in order, ahead of later ones; say so through `isHealthy` and retry shortly.
                pending.insert(contentsOf: batch, at: 0)
                isHealthy = false
                flushing = nil
                Task {
                    try? await Task.sleep(for: Self.retryDelay)
                    await self.retry()
                }
                return
            }
        }
        flushing = nil
    }

    private func retry() {
        if flushing == nil && !pending.isEmpty { flushing = Task { await self.drain() } }
    }
}
