import Logging
import Prometheus
import RestoraDomain

/// What the web application needs to know, already resolved by the composition root (flags > environment
/// > .env > defaults happen in `restora`, not here).
public struct WebConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Larger request bodies are refused with 413 before any decoding.
    public var maxBodyBytes: Int

    /// Set when the database holds synthetic demo data: every page and report says so.
    public var syntheticLabel: String?
    /// The demo clinic's fixed "today": the report's data cut-off on a demo database (`ReportCutOff`).
    public var demoToday: CalendarDate?

    /// The session cookie carries `Secure` (sent over HTTPS only). False only when `restora serve` was told
    /// `--insecure-http` and no HTTPS public URL is given (README "Deploying").
    public var secureCookies: Bool = true

    /// Failed sign-ins tolerated per account and per client address before a growing lock-out (429).
    public var signInThrottle = SignInThrottlePolicy()
    /// Take the client address from the last `X-Forwarded-For` entry (set only behind a reverse proxy that
    /// writes it); otherwise the connection's peer address is the client, whatever the headers say.
    public var trustForwardedFor = false
    /// `/metrics` answers requests with `Authorization: Bearer <metricsToken>`; with no token set, it
    /// answers only requests from this machine (loopback, not forwarded by a proxy).
    public var metricsToken: String?
    /// Where export jobs write their packages, one folder per job (`<exportDirectory>/<job id>`; issue #18,
    /// docs/exports.md). `restora serve` sets it (`--export-directory`, `RESTORA_EXPORT_DIRECTORY`, default
    /// `exports/` beside the SQLite database); nil refuses new export jobs (503).
    public var exportDirectory: String?

    public init(host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 1 << 20, syntheticLabel: String? = nil) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.syntheticLabel = syntheticLabel
    }
}

/// Everything the handlers use, passed in (no globals): repositories through the domain protocols,
/// injected time and ids, the logger and the metrics registry.
public struct WebDependencies: Sendable {
    public var repositories: Repositories
    public var clock: any Clock
    public var ids: any IDGenerator
    public var logger: Logger
    public var metrics: PrometheusCollectorRegistry
    /// The protocols whose safety rules, eligibility criteria and release specifications the API applies.
    public var catalog: ProtocolCatalog
    /// How far each running export job is (participants written), shared by the API and the page.
    public var exportProgress = ExportProgressBoard()

    public init(
        repositories: Repositories, clock: any Clock = SystemClock(), ids: any IDGenerator = UUIDGenerator(),
        logger: Logger, metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        catalog: ProtocolCatalog = ProtocolCatalog(directory: "", protocols: [])
    ) {
        self.catalog = catalog
        self.repositories = repositories
        self.clock = clock
        self.ids = ids
        self.logger = logger
        self.metrics = metrics
    }

    /// Recording observations and adverse events with the protocol safety rules (shared with the demo).
    var clinicalEntry: ClinicalEntry { ClinicalEntry(repositories: repositories, catalog: catalog, ids: ids) }
    /// Procedures, release testing and release decisions of autologous cell products.
    var cellTherapy: CellTherapyEntry { CellTherapyEntry(repositories: repositories, catalog: catalog) }
}
