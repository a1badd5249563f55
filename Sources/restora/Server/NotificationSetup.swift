import ArgumentParser
import Foundation
import Logging
import RestoraDomain
import RestoraNotify
import RestoraStorage

/// `restora serve --smtp-…` (docs/notifications.md). The password is read from the environment only
/// (`RESTORA_SMTP_PASSWORD`): a flag would show in the process list.
struct SMTPOptions: ParsableArguments {
    @Option(name: .customLong("smtp-host"), help: "SMTP relay for notification e-mail; none: e-mail off, the in-app inbox still works (RESTORA_SMTP_HOST).")
    var host: String?
    @Option(name: .customLong("smtp-port"), help: "SMTP port (default 587, or 25 with --smtp-starttls off; RESTORA_SMTP_PORT).")
    var port: Int?
    @Option(name: .customLong("smtp-from"), help: "Sender address, e.g. 'Restora <restora@clinic.example>' (RESTORA_SMTP_FROM).")
    var from: String?
    @Option(name: .customLong("smtp-user"), help: "SMTP user for AUTH PLAIN/LOGIN; the password comes from RESTORA_SMTP_PASSWORD (RESTORA_SMTP_USER).")
    var user: String?
    @Option(name: .customLong("smtp-starttls"), help: "opportunistic (default), required or off (RESTORA_SMTP_STARTTLS).")
    var startTLS: String?
}

/// The notification worker's settings, resolved like `RestoraConfig`: flag > environment > `.env` > default.
struct NotificationSetup: Equatable {
    var smtp: SMTPConfiguration?
    var intervalSeconds: Double = 15
    var backoffSeconds: Double = 60

    static func resolve(_ options: SMTPOptions?, environment: [String: String], dotEnv: [String: String]) throws -> NotificationSetup {
        func value(_ flag: String?, _ key: String) -> String? {
            let text = flag ?? environment[key] ?? dotEnv[key]
            return text?.trimmingCharacters(in: .whitespaces).isEmpty == false ? text : nil
        }
        func seconds(_ key: String, _ fallback: Double) throws -> Double {
            guard let text = value(nil, key) else { return fallback }
            guard let number = Double(text), number > 0, number <= 86_400 else {
                throw CLIFailure("\(key) must be a number of seconds from 0 to 86400")
            }
            return number
        }
        var setup = NotificationSetup()
        setup.intervalSeconds = try seconds("RESTORA_NOTIFY_INTERVAL_SECONDS", 15)
        setup.backoffSeconds = try seconds("RESTORA_NOTIFY_BACKOFF_SECONDS", 60)
        guard let host = value(options?.host, "RESTORA_SMTP_HOST") else { return setup }
        let modeText = value(options?.startTLS, "RESTORA_SMTP_STARTTLS") ?? SMTPConfiguration.StartTLS.opportunistic.rawValue
        guard let mode = SMTPConfiguration.StartTLS(rawValue: modeText.lowercased()) else {
            throw CLIFailure("--smtp-starttls / RESTORA_SMTP_STARTTLS must be opportunistic, required or off")
        }
        var port = mode == .off ? 25 : 587
        if let flag = options?.port { port = flag } else if let text = value(nil, "RESTORA_SMTP_PORT") {
            guard let number = Int(text) else { throw CLIFailure("RESTORA_SMTP_PORT must be a whole number") }
            port = number
        }
        guard (1...65_535).contains(port) else { throw CLIFailure("the SMTP port must be from 1 to 65535") }
        let from = value(options?.from, "RESTORA_SMTP_FROM") ?? "Restora <restora@localhost>"
        let user = value(options?.user, "RESTORA_SMTP_USER")
        let password = value(nil, "RESTORA_SMTP_PASSWORD")
        if (user == nil) != (password == nil) {
            throw CLIFailure("SMTP authentication needs both RESTORA_SMTP_USER (or --smtp-user) and RESTORA_SMTP_PASSWORD")
        }
        setup.smtp = SMTPConfiguration(host: host, port: port, from: from, username: user, password: password, startTLS: mode)
        return setup
    }

    static func load(_ options: SMTPOptions?) throws -> NotificationSetup {
        let file = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".env")
        let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        return try resolve(options, environment: ProcessInfo.processInfo.environment, dotEnv: DotEnv.parse(text))
    }

    /// The worker for `restora serve`: e-mail over SMTP when a host is set, the inbox only otherwise.
    func worker(_ storage: StorageDatabase, catalog: ProtocolCatalog, baseURL: String, logger: Logger) -> DeliveryWorker {
        var settings = DeliveryWorker.Settings(baseURL: baseURL, from: smtp?.from ?? "")
        settings.interval = intervalSeconds
        settings.backoffSeconds = backoffSeconds
        let repositories = storage.repositories
        var workerLogger = logger
        workerLogger[metadataKey: "service"] = "notifications"
        return DeliveryWorker(
            repositories: repositories, transport: smtp.map { SMTPClient(configuration: $0) },
            scheduler: NotificationScheduler(repositories: repositories, catalog: catalog, ids: UUIDGenerator()),
            settings: settings, logger: workerLogger)
    }
}
