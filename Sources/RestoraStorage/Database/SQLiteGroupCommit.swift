import SQLKit

/// Group commit for the embedded database's one writer (issue #13 item 4). Concurrent write transactions
/// are queued; the writer takes every waiting one (up to `maxBatch`), opens one `BEGIN IMMEDIATE`, runs each
/// in a savepoint of its own — one that throws is rolled back alone and gets its own error — and commits
/// them all with one `COMMIT`, so they share one sync of the disk instead of one each. A transaction's caller
/// hears of success only after that COMMIT returned: every acknowledged write is durable (synchronous FULL,
/// WAL). When the COMMIT itself fails, every transaction of the batch gets the error and none is applied.
/// A lone writer gets a batch of one: no waiting for company, and no savepoint (its failure rolls the batch back);
/// when nothing else is running or queued it runs on its own task, without the queue (`runAlone`).
actor SQLiteGroupCommit {
    /// One queued transaction: `run` executes it on the shared connection and returns how to report the
    /// batch's outcome; `fail` reports an error for a job that never ran (the batch could not begin).
    struct Job: Sendable {
        /// `alone`: the batch has only this job, so it needs no savepoint of its own (a failure rolls back the batch).
        var run: @Sendable (_ db: any SQLDatabase, _ alone: Bool) async -> Report
        var fail: @Sendable (any Error) -> Void
    }

    /// What a job that ran hands back: whether its own body succeeded, and how to tell its caller the outcome.
    struct Report: Sendable {
        var succeeded: Bool
        var deliver: @Sendable (Result<Void, any Error>) -> Void
    }

    private let db: any SQLDatabase
    private let lock: AsyncSerialLock
    private let maxBatch: Int
    private var pending: [Job] = []
    private var draining = false
    /// Batches and transactions committed so far (a measure of the grouping, for tests and benchmarks).
    private(set) var committed = (batches: 0, transactions: 0)

    init(db: any SQLDatabase, lock: AsyncSerialLock, maxBatch: Int = 64) {
        self.db = db
        self.lock = lock
        self.maxBatch = maxBatch
    }

    /// Runs `body` as its own savepoint inside the next batch; returns its result once the batch committed. When no
    /// batch is running or waiting, it runs at once on the caller's task as a batch of one (`runAlone`).
    nonisolated func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        if await claimIdle() {
            let outcome: Result<R, any Error>
            do { outcome = .success(try await runAlone(body)) } catch { outcome = .failure(error) }
            await releaseIdle(committed: (try? outcome.get()) != nil)
            return try outcome.get()
        }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<R, any Error>) in
            let job = Job(run: { db, alone in
                do {
                    let result = alone ? try await body(db) : try await Self.inSavepoint(db, body)
                    return Report(succeeded: true) { outcome in continuation.resume(with: outcome.map { result }) }
                } catch {
                    // Rolled back to its savepoint (alone: with the batch): nothing of it is committed; it reports its own error.
                    return Report(succeeded: false) { _ in continuation.resume(throwing: error) }
                }
            }, fail: { continuation.resume(throwing: $0) })
            Task { await self.submit(job) }
        }
    }

    /// The writer is free and nobody waits: the caller takes it (later arrivals queue as `pending` meanwhile).
    private func claimIdle() -> Bool {
        guard !draining, pending.isEmpty else { return false }
        draining = true
        return true
    }

    /// The caller that claimed the writer is done: the transactions that queued meanwhile get their batch.
    private func releaseIdle(committed succeeded: Bool) {
        if succeeded { committed = (committed.batches + 1, committed.transactions + 1) }
        if pending.isEmpty {
            draining = false
        } else {
            Task { await drain() }
        }
    }

    /// A batch of one on the caller's own task: without the queue's task switches (a job handed to the draining task
    /// and its result handed back), which cost a lone writer — a quiet clinic, the demo seed — as much as its
    /// statements. No savepoint: a failure rolls the whole transaction back.
    private nonisolated func runAlone<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let db = self.db
        return try await lock.withLock {
            try await db.runFixed("BEGIN IMMEDIATE")
            do {
                let result = try await body(db)
                try await db.runFixed("COMMIT")
                return result
            } catch {
                try? await db.runFixed("ROLLBACK")
                throw error
            }
        }
    }

    private func submit(_ job: Job) {
        pending.append(job)
        guard !draining else { return }
        draining = true
        Task { await drain() }
    }

    private func take() -> [Job] {
        let batch = Array(pending.prefix(maxBatch))
        pending.removeFirst(batch.count)
        if batch.isEmpty { draining = false }
        return batch
    }

    private func drain() async {
        while true {
            let batch = take()
            guard !batch.isEmpty else { return }
            let db = self.db
            let result: Result<[Report], any Error>
            do {
                result = .success(try await lock.withLock {
                    // IMMEDIATE takes the write lock at BEGIN, so a second process cannot interleave a write.
                    try await db.runFixed("BEGIN IMMEDIATE")
                    var reports: [Report] = []
                    for job in batch { reports.append(await job.run(db, batch.count == 1)) }
                    if batch.count == 1, !reports[0].succeeded {
                        // A lone job that failed ran without a savepoint: the batch rolls back, with its error.
                        try? await db.runFixed("ROLLBACK")
                        return reports
                    }
                    do {
                        try await db.runFixed("COMMIT")
                    } catch {
                        try? await db.runFixed("ROLLBACK")
                        for report in reports { report.deliver(.failure(error)) }
                        return []
                    }
                    return reports
                })
            } catch {
                result = .failure(error)
            }
            switch result {
            case let .success(reports):
                if !reports.isEmpty {
                    committed = (committed.batches + 1, committed.transactions + reports.filter(\.succeeded).count)
                }
                for report in reports { report.deliver(.success(())) }
            case let .failure(error): for job in batch { job.fail(error) }   // BEGIN failed: no job ran
            }
        }
    }

    static func inSavepoint<R: Sendable>(_ db: any SQLDatabase, _ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await db.runFixed("SAVEPOINT restora_group")
        do {
            let result = try await body(db)
            try await db.runFixed("RELEASE SAVEPOINT restora_group")
            return result
        } catch {
            try? await db.runFixed("ROLLBACK TO SAVEPOINT restora_group")
            try? await db.runFixed("RELEASE SAVEPOINT restora_group")
            throw error
        }
    }
}
