/// In-process locks by name: the conditional creates of one (type, condition) run one at a time, so two
/// clients asking at once cannot both find nothing and both create (the check and the create also share one
/// database transaction). Another server process on the same database does not see these locks
/// (docs/fhir.md "Conditional create" says what that means).
actor FHIRServerLocks {
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    func acquire(_ key: String) async {
        if waiting[key] == nil {
            waiting[key] = []
            return
        }
        await withCheckedContinuation { continuation in waiting[key, default: []].append(continuation) }
    }

    func release(_ key: String) {
        guard var queue = waiting[key] else { return }
        if queue.isEmpty {
            waiting[key] = nil
        } else {
            let next = queue.removeFirst()
            waiting[key] = queue
            next.resume()
        }
    }

    /// Runs `body` holding every lock of `keys` (taken in sorted order, so two holders of overlapping sets
    /// cannot deadlock).
    nonisolated func withLocks<R: Sendable>(_ keys: [String], _ body: @Sendable () async throws -> R) async throws -> R {
        let sorted = Array(Set(keys)).sorted()
        for key in sorted { await acquire(key) }
        do {
            let result = try await body()
            for key in sorted.reversed() { await release(key) }
            return result
        } catch {
            for key in sorted.reversed() { await release(key) }
            throw error
        }
    }

    nonisolated func withLock<R: Sendable>(_ key: String, _ body: @Sendable () async throws -> R) async throws -> R {
        try await withLocks([key], body)
    }
}
