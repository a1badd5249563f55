import Logging
import RestoraDomain

/// Keeps the dashboard's visit spans (migration 0053, SQLite) up to date in the background of `restora serve`:
/// every `interval` seconds it recomputes the participants the change log names, `batch` participants per
/// transaction, until the log is empty. The dashboard never waits for it: whoever is still in the log is computed
/// live (`DashboardModel.visitsDue`). After a protocol or program change (another fingerprint) the first pass
/// rebuilds every open enrolment's spans, batch by batch. Nothing to do on PostgreSQL.
public struct VisitDueRefresher: Sendable {
    public let repositories: Repositories
    public let catalog: ProtocolCatalog
    public let logger: Logger
    public var interval: Double = 2
    /// Participants per pass: computed on a reader, swapped in by one short write transaction.
    public var batch = 100

    public init(repositories: Repositories, catalog: ProtocolCatalog, logger: Logger) {
        self.repositories = repositories
        self.catalog = catalog
        self.logger = logger
    }

    /// Refreshes until the log is empty; returns how many participants were refreshed.
    @discardableResult
    public func refreshAll() async throws -> Int {
        let programs = try await repositories.programs.list().map(\.value)
        var total = 0
        while true {
            let done = try await repositories.dashboard.refreshKeptVisitsDue(
                catalog: catalog, programs: programs, lookAheadDays: DashboardModel.lookAheadDays, batch: batch)
            total += done
            if done < batch { return total }
            await Task.yield()
        }
    }

    /// Passes until cancelled; a failed pass is logged (no record content) and the next one tries again.
    public func run() async {
        while !Task.isCancelled {
            do {
                let done = try await refreshAll()
                if done > 0 { logger.debug("dashboard visit spans refreshed", metadata: ["participants": "\(done)"]) }
            } catch {
                logger.warning("dashboard visit span refresh failed", metadata: ["error": "\(type(of: error))"])
            }
            try? await Task.sleep(for: .seconds(interval))
        }
    }
}
