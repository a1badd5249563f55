import Logging

/// The logger the database drivers are given. SQLKit, SQLiteNIO and PostgresNIO log each statement with its
/// bind values (MRNs, names, search terms, token hashes) at debug or trace; patient data and secrets never go
/// to a log, so the drivers only ever see a logger that drops everything below `info`, whatever level Restora
/// runs at (issue 12, item 6). The statement logging is also switched off where the driver allows it
/// (`queryLogLevel: nil`). Restora's own debug logs are untouched: the caller's logger and its handler are not
/// changed, the clamp wraps a copy.
enum DriverLogger {
    /// The lowest level a driver message may have to reach the log.
    static let minimum: Logger.Level = .info

    static func clamped(_ logger: Logger) -> Logger {
        let base = logger.handler
        return Logger(label: logger.label) { _ in ClampedLogHandler(base: base, minimum: minimum) }
    }
}

/// Forwards to `base` only messages at `minimum` or above (and at or above `base`'s own level). Metadata the
/// driver attaches stays in this handler (value semantics) and is merged into each forwarded message.
struct ClampedLogHandler: LogHandler {
    let base: any LogHandler
    let minimum: Logger.Level
    var metadata: Logger.Metadata = [:]

    var logLevel: Logger.Level {
        get { max(base.logLevel, minimum) }
        // A driver may not lower the clamp; raising it is harmless and ignored too.
        set {}
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { base.metadataProvider }
        set {}
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        guard event.level >= minimum, event.level >= base.logLevel else { return }
        var event = event
        if !metadata.isEmpty {
            event.metadata = metadata.merging(event.metadata ?? [:]) { _, new in new }
        }
        base.log(event: event)
    }
}
