import Foundation

/// The one typed configuration of the server and the admin commands. Each value comes from, in order of
/// precedence: a command-line flag, the environment, the `.env` file in the working directory, the default.
struct RestoraConfig: Sendable, Equatable {
    var databaseURL: String
    var host: String
    var port: Int
    var logLevel: String
    var maxBodyBytes: Int
    /// HTTPS: PEM certificate chain and private key (`--tls-cert`, `--tls-key`; README "Deploying").
    var tlsCert: String? = nil
    var tlsKey: String? = nil
    /// The address people open when a reverse proxy terminates HTTPS (`--public-url https://…`).
    var publicURL: String? = nil
    /// Plain HTTP on a non-loopback address is refused unless this is set (`--insecure-http`).
    var insecureHTTP = false
    /// Sign-in throttling; nil keeps the default of `SignInThrottlePolicy` (README "Sign-in throttling").
    var signInMaxFailures: Int? = nil
    var signInMaxFailuresPerClient: Int? = nil
    var signInWindowSeconds: Int? = nil
    var signInLockoutSeconds: Int? = nil
    /// Believe `X-Forwarded-For` (only behind a reverse proxy that sets it; RESTORA_TRUST_FORWARDED_FOR=1).
    var trustForwardedFor = false
    /// The bearer token `/metrics` asks for (RESTORA_METRICS_TOKEN); without one it answers loopback only.
    var metricsToken: String? = nil
    /// Database connections for reads (RESTORA_DATABASE_CONNECTIONS, 1–64): SQLite reader connections beside
    /// the one writer, or the PostgreSQL pool's size; nil keeps the engine's default (4 readers; 8 pooled).
    var databaseConnections: Int? = nil
    /// Where the server's export jobs write their packages (RESTORA_EXPORT_DIRECTORY, `--export-directory`); nil:
    /// `exports/` beside the SQLite database, or in the working directory for PostgreSQL (docs/exports.md).
    var exportDirectory: String? = nil

    static let defaults = RestoraConfig(
        databaseURL: "sqlite://restora.sqlite", host: "127.0.0.1", port: 8080, logLevel: "info", maxBodyBytes: 1 << 20)

    /// Flags the user gave (nil when not given).
    struct Flags: Sendable {
        var databaseURL: String?
        var host: String?
        var port: Int?
        var logLevel: String?
        var tlsCert: String? = nil
        var tlsKey: String? = nil
        var publicURL: String? = nil
        /// True when `--insecure-http` was given (a flag can only switch it on).
        var insecureHTTP = false
        var exportDirectory: String? = nil
    }

    static func resolve(flags: Flags, environment: [String: String], dotEnv: [String: String]) throws -> RestoraConfig {
        func pick(_ flag: String?, _ key: String, _ fallback: String) -> String {
            flag ?? environment[key] ?? dotEnv[key] ?? fallback
        }
        func int(_ flag: Int?, _ key: String, _ fallback: Int) throws -> Int {
            if let flag { return flag }
            guard let text = environment[key] ?? dotEnv[key] else { return fallback }
            guard let value = Int(text) else { throw ConfigError.notANumber(key: key) }
            return value
        }
        func optional(_ flag: String?, _ key: String) -> String? {
            let value = flag ?? environment[key] ?? dotEnv[key]
            return value?.isEmpty == true ? nil : value
        }
        func yes(_ flag: Bool, _ key: String) throws -> Bool {
            if flag { return true }
            guard let text = environment[key] ?? dotEnv[key], !text.isEmpty else { return false }
            switch text.lowercased() {
            case "1", "true", "yes": return true
            case "0", "false", "no": return false
            default: throw ConfigError.notABoolean(key: key)
            }
        }
        let d = defaults
        var config = RestoraConfig(
            databaseURL: pick(flags.databaseURL, "RESTORA_DATABASE_URL", d.databaseURL),
            host: pick(flags.host, "RESTORA_HOST", d.host),
            port: try int(flags.port, "RESTORA_PORT", d.port),
            logLevel: pick(flags.logLevel, "RESTORA_LOG_LEVEL", d.logLevel),
            maxBodyBytes: try int(nil, "RESTORA_MAX_BODY_BYTES", d.maxBodyBytes))
        config.tlsCert = optional(flags.tlsCert, "RESTORA_TLS_CERT")
        config.tlsKey = optional(flags.tlsKey, "RESTORA_TLS_KEY")
        config.publicURL = optional(flags.publicURL, "RESTORA_PUBLIC_URL")
        config.insecureHTTP = try yes(flags.insecureHTTP, "RESTORA_INSECURE_HTTP")
        func setting(_ key: String) throws -> Int? {
            guard let text = environment[key] ?? dotEnv[key], !text.isEmpty else { return nil }
            guard let value = Int(text) else { throw ConfigError.notANumber(key: key) }
            return value
        }
        config.signInMaxFailures = try setting("RESTORA_SIGNIN_MAX_FAILURES")
        config.signInMaxFailuresPerClient = try setting("RESTORA_SIGNIN_MAX_FAILURES_PER_CLIENT")
        config.signInWindowSeconds = try setting("RESTORA_SIGNIN_WINDOW_SECONDS")
        config.signInLockoutSeconds = try setting("RESTORA_SIGNIN_LOCKOUT_SECONDS")
        config.trustForwardedFor = try yes(false, "RESTORA_TRUST_FORWARDED_FOR")
        config.metricsToken = optional(nil, "RESTORA_METRICS_TOKEN")
        config.databaseConnections = try setting("RESTORA_DATABASE_CONNECTIONS")
        config.exportDirectory = optional(flags.exportDirectory, "RESTORA_EXPORT_DIRECTORY")
        if let connections = config.databaseConnections, !(1...64).contains(connections) {
            throw ConfigError.outOfRange(key: "RESTORA_DATABASE_CONNECTIONS", range: "1 to 64")
        }
        return config
    }

    /// Resolves against this process: its environment and `./.env` if present.
    static func load(flags: Flags, directory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) throws -> RestoraConfig {
        let file = directory.appendingPathComponent(".env")
        let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        return try resolve(flags: flags, environment: ProcessInfo.processInfo.environment, dotEnv: DotEnv.parse(text))
    }
}

enum ConfigError: Error, CustomStringConvertible {
    case notANumber(key: String)
    case notABoolean(key: String)
    case outOfRange(key: String, range: String)
    var description: String {
        switch self {
        case let .notANumber(key): return "\(key) must be a whole number"
        case let .notABoolean(key): return "\(key) must be 1, true, yes, 0, false or no"
        case let .outOfRange(key, range): return "\(key) must be a whole number from \(range)"
        }
    }
}

/// `KEY=value` lines; `#` comments and blank lines ignored; values may be wrapped in single or double quotes.
enum DotEnv {
    static func parse(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
            var key = line[..<equals].trimmingCharacters(in: .whitespaces)
            if key.hasPrefix("export ") { key = String(key.dropFirst("export ".count)).trimmingCharacters(in: .whitespaces) }
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == value.last, first == "\"" || first == "'" {
                value = String(value.dropFirst().dropLast())
            }
            values[key] = value
        }
        return values
    }
}
