import Foundation

/// The one typed configuration of the server and the admin commands. Each value comes from, in order of
/// precedence: a command-line flag, the environment, the `.env` file in the working directory, the default.
struct RestoraConfig: Sendable, Equatable {
    var databaseURL: String
    var host: String
    var port: Int
    var logLevel: String
    var maxBodyBytes: Int

    static let defaults = RestoraConfig(
        databaseURL: "sqlite://restora.sqlite", host: "127.0.0.1", port: 8080, logLevel: "info", maxBodyBytes: 1 << 20)

    /// Flags the user gave (nil when not given).
    struct Flags: Sendable {
        var databaseURL: String?
        var host: String?
        var port: Int?
        var logLevel: String?
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
        let d = defaults
        return RestoraConfig(
            databaseURL: pick(flags.databaseURL, "RESTORA_DATABASE_URL", d.databaseURL),
            host: pick(flags.host, "RESTORA_HOST", d.host),
            port: try int(flags.port, "RESTORA_PORT", d.port),
            logLevel: pick(flags.logLevel, "RESTORA_LOG_LEVEL", d.logLevel),
            maxBodyBytes: try int(nil, "RESTORA_MAX_BODY_BYTES", d.maxBodyBytes))
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
    var description: String {
        switch self {
        case let .notANumber(key): return "\(key) must be a whole number"
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
