import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit

/// PostgreSQL through a connection pool. A transaction holds one pooled connection from BEGIN to COMMIT.
/// Unchecked Sendable: the async-kit pool guards its state with its own locks but predates Sendable.
final class PostgresStore: SQLStore, @unchecked Sendable {
    let engine = SQLEngine.postgres
    private let pool: EventLoopGroupConnectionPool<PostgresConnectionSource>
    private let logger: Logger

    /// `schema` puts the tables in a schema of their own (tests run each in a fresh one).
    static let defaultConnections = 8

    init(url: String, logger: Logger, maxConnections: Int = defaultConnections, schema: String? = nil) throws {
        var configuration = try SQLPostgresConfiguration(url: url)
        if let schema { configuration.searchPath = [schema] }
        self.pool = EventLoopGroupConnectionPool(
            source: PostgresConnectionSource(sqlConfiguration: configuration),
            maxConnectionsPerEventLoop: max(1, maxConnections / System.coreCount),
            requestTimeout: .seconds(30),
            pruneInterval: nil,
            logger: logger,
            on: MultiThreadedEventLoopGroup.singleton)
        self.logger = logger
    }

    private func withConnection<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let connection = try await pool.requestConnection(logger: logger).get()
        do {
            let result = try await body(connection.sql(queryLogLevel: nil, logger: logger))
            pool.releaseConnection(connection, logger: logger)
            return result
        } catch {
            pool.releaseConnection(connection, logger: logger)
            throw error
        }
    }

    func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await withConnection { db in try await runInTransaction(db, begin: "BEGIN", body) }
    }

    func read<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await withConnection(body)
    }

    func shutdown() async throws {
        try await pool.shutdownAsync()
    }
}
