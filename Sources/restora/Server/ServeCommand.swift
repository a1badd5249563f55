import ArgumentParser
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import Prometheus
import RestoraDomain
import RestoraStorage
import RestoraWeb
import ServiceLifecycle

/// `restora serve`: opens the database (embedded SQLite file by default), applies pending migrations,
/// and serves the JSON API until interrupted.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the Restora server.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var protocols: ProtocolSource
    @Option(help: "Address to listen on (default 127.0.0.1, RESTORA_HOST).") var host: String?
    @Option(help: "Port (default 8080, RESTORA_PORT).") var port: Int?
    @Option(help: "trace, debug, info, notice, warning, error (default info, RESTORA_LOG_LEVEL).") var logLevel: String?
    @OptionGroup var transport: TransportOptions
    @OptionGroup var smtp: SMTPOptions
    @Option(name: .customLong("export-directory"), help: "Where export jobs write their packages (default: exports/ beside the SQLite database, RESTORA_EXPORT_DIRECTORY).")
    var exportDirectory: String?

    func run() async throws {
        let command = self
        try await runReportingErrors { try await command.execute() }
    }

    func execute() async throws {
        let config = try RestoraConfig.load(flags: .init(
            databaseURL: database.databaseURL, host: host, port: port, logLevel: logLevel, tlsCert: transport.tlsCert,
            tlsKey: transport.tlsKey, publicURL: transport.publicURL, insecureHTTP: transport.insecureHTTP,
            exportDirectory: exportDirectory))
        var logger = Logger(label: "restora")
        logger.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
        // Refusals (plain HTTP on the network, unreadable certificate) come before the database is touched.
        let plan = try TransportPlan.decide(config)
        let server = try plan.server()
        let catalog = try protocols.catalog()
        let storage = try await StorageDatabase.open(url: config.databaseURL, logger: logger, connections: config.databaseConnections)
        do {
            let applied = try await DatabaseFailure.wrap(storage.location) { try await storage.migrator.migrate() }
            // The redacted location: never the password of a PostgreSQL URL.
            logger.info("database ready", metadata: ["database": "\(storage.location.redacted)", "migrations.applied": "\(applied.count)"])
            try await Self.serve(storage, config: config, plan: plan, server: server, catalog: catalog, logger: logger,
                                 notifications: try NotificationSetup.load(smtp))
            try await storage.shutdown()
        } catch {
            try? await storage.shutdown()
            throw error
        }
    }

    /// What the web app learns from the database itself: a demo database is labelled synthetic on every page
    /// and in the report, and its report's data cut-off is the demo's fixed today (`ReportCutOff`).
    static func describeDatabase(_ storage: StorageDatabase, in web: inout WebConfiguration) async throws {
        web.syntheticLabel = try await storage.isDemo() ? "SYNTHETIC DEMO DATA — not real people" : nil
        web.demoToday = try await storage.demoToday()
    }

    /// Serves the JSON API over an opened, migrated database until interrupted (shared with `restora demo`).
    static func serve(
        _ storage: StorageDatabase, config: RestoraConfig, plan: TransportPlan, server: HTTPServerBuilder, catalog: ProtocolCatalog,
        logger: Logger, notifications: NotificationSetup? = nil
    ) async throws {
        let registry = PrometheusCollectorRegistry()
        var web = WebConfiguration(host: config.host, port: config.port, maxBodyBytes: config.maxBodyBytes)
        try await Self.describeDatabase(storage, in: &web)
        web.secureCookies = plan.secureCookies
        let throttle = SignInThrottlePolicy()
        web.signInThrottle = SignInThrottlePolicy(
            maxFailuresPerAccount: config.signInMaxFailures ?? throttle.maxFailuresPerAccount,
            maxFailuresPerClient: config.signInMaxFailuresPerClient ?? throttle.maxFailuresPerClient,
            windowSeconds: config.signInWindowSeconds ?? throttle.windowSeconds,
            lockoutSeconds: config.signInLockoutSeconds ?? throttle.lockoutSeconds)
        web.trustForwardedFor = config.trustForwardedFor
        web.metricsToken = config.metricsToken
        web.exportDirectory = ExportDirectory.resolve(config.exportDirectory, database: storage.location)
        // Export jobs run inside the server process: any left queued or running were stopped with it (docs/exports.md).
        let interrupted = try await storage.repositories.exportJobs.failUnfinished(
            message: "the server stopped before this export finished; ask for it again", at: Date(),
            context: AuditContext(actor: Actor(userID: "system", role: nil), requestID: "startup-\(UUIDGenerator().next())"))
        if interrupted > 0 { logger.notice("export jobs interrupted by a restart marked failed", metadata: ["count": "\(interrupted)"]) }
        _ = try await storage.repositories.fhirBulk.jobs.failUnfinished(  // FHIR $export jobs, likewise (docs/fhir.md "Bulk Data")
            message: "the server stopped before this export finished; kick it off again", at: Date(),
            context: AuditContext(actor: Actor(userID: "system", role: nil), requestID: "startup-\(UUIDGenerator().next())"))
        if let warning = plan.warning { CLIOutput.warn(warning) }
        logger.info("serving", metadata: [
            "url": "\(plan.publicURL)", "tls": "\(plan.tls != nil)", "cookies.secure": "\(plan.secureCookies)"])
        let app = buildApplication(
            web, WebDependencies(repositories: storage.repositories, logger: logger, metrics: registry, catalog: catalog),
            server: server)
        // The notification worker runs beside the HTTP server (docs/notifications.md); the group stops it first.
        let worker = try (notifications ?? NotificationSetup.load(nil))
            .worker(storage, catalog: catalog, baseURL: plan.publicURL, logger: logger)
        // The dashboard's kept visit spans are refreshed beside it too (DashboardModel.visitsDue, migration 0053).
        let refresher = VisitDueRefresherService(refresher: VisitDueRefresher(repositories: storage.repositories, catalog: catalog, logger: logger))
        let group = ServiceGroup(configuration: .init(
            services: [app, worker, refresher], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// `VisitDueRefresher` as a service of `restora serve`'s group: stops at a graceful shutdown.
struct VisitDueRefresherService: Service {
    let refresher: VisitDueRefresher
    func run() async throws {
        await cancelWhenGracefulShutdown { await refresher.run() }
    }
}
