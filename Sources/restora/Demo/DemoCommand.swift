import ArgumentParser
import Foundation
import Logging
import RestoraDemo
import RestoraDomain
import RestoraStorage

/// `restora demo`: a fresh embedded database in a folder, seeded with the synthetic demo clinic through the
/// repositories, then served exactly like `restora serve`. See docs/demo-clinic.md.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Create a SYNTHETIC demo clinic database and serve it (one command to try Restora).",
        discussion: """
        Creates <folder>/\(DemoFolder.databaseName) (replacing an earlier demo database there, never anything \
        else), seeds the synthetic demo clinic, prints the demo logins and serves the app like `restora serve`. \
        --seed-only seeds and exits.
        """)

    @Option(help: "Folder for the demo database (created if missing).") var folder = "restora-demo"
    @Option(help: "Port (default 8080, RESTORA_PORT).") var port: Int?
    @Option(help: "Address to listen on (default 127.0.0.1, RESTORA_HOST).") var host: String?
    @Option(help: "trace, debug, info, notice, warning, error (default info, RESTORA_LOG_LEVEL).") var logLevel: String?
    @Flag(help: "Create and seed the database, print where it is, and exit without serving.") var seedOnly = false
    @Option(help: ArgumentHelp("Participants in all (benchmarks): the default clinic plus generated ones, spread over its programs and sites.", valueName: "N"))
    var participants: String?
    @Option(help: "Seed of the generated participants (--participants); the default clinic never changes.") var seed: String?
    @OptionGroup var protocols: ProtocolSource
    @OptionGroup var transport: TransportOptions

    func run() async throws {
        let command = self
        try await runReportingErrors { try await command.execute() }
    }

    func execute() async throws {
        let place = DemoFolder(path: folder)
        let config = try RestoraConfig.load(flags: .init(
            databaseURL: place.databaseURL, host: host, port: port, logLevel: logLevel, tlsCert: transport.tlsCert,
            tlsKey: transport.tlsKey, publicURL: transport.publicURL, insecureHTTP: transport.insecureHTTP))
        var logger = Logger(label: "restora")
        logger.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
        // Decided before seeding: a refused address should not cost a 30-second seed first.
        let plan = try TransportPlan.decide(config)
        let server = try plan.server()
        let catalog = try protocols.catalog()
        let (total, extraSeed) = try Self.scale(participants: participants, seed: seed)
        if FileManager.default.fileExists(atPath: place.databasePath) {
            CLIOutput.printNow("SYNTHETIC DEMO DATA: \(place.databasePath) exists; replacing it only if it is a Restora demo database")
        }
        var quiet = logger
        quiet.logLevel = .warning
        let started = ContinuousClock.now
        let result = try await place.createAndSeed(catalog: catalog, logger: quiet, participants: total, seed: extraSeed) { summary in
            let seconds = Self.seconds(ContinuousClock.now - started)
            CLIOutput.printNow("SYNTHETIC DEMO DATA: \(summary.participants) participants, \(summary.observations) observations in \(String(format: "%.0f", seconds)) s (\(String(format: "%.0f", Double(summary.observations) / max(seconds, 0.001))) observations/s)")
        }
        // Flushed: the logins must show even when the output is a pipe or a file and the server keeps running.
        CLIOutput.printNow(Self.banner(result, path: place.databasePath, url: plan.publicURL, serving: !seedOnly))
        do {
            if !seedOnly {
                try await ServeCommand.serve(result.storage, config: config, plan: plan, server: server, catalog: catalog, logger: logger)
            }
            try await result.storage.shutdown()
        } catch {
            try? await result.storage.shutdown()
            throw error
        }
    }

    /// `--participants` and `--seed` as numbers, or a message naming the option and the value.
    static func scale(participants: String?, seed: String?) throws -> (total: Int?, seed: UInt64) {
        var total: Int?
        if let participants {
            guard let n = Int(participants.trimmingCharacters(in: .whitespaces)), n > 0 else {
                throw CLIFailure("--participants must be a whole number of participants (at least the default clinic's), not '\(participants)'")
            }
            total = n
        }
        var value = DemoClinic.defaultSeed
        if let seed {
            guard let parsed = UInt64(seed.trimmingCharacters(in: .whitespaces)) else {
                throw CLIFailure("--seed must be a whole number from 0 to \(UInt64.max), not '\(seed)'")
            }
            guard total != nil else { throw CLIFailure("--seed only applies to the generated participants: give --participants N with it") }
            value = parsed
        }
        return (total, value)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func banner(_ result: DemoSeedResult, path: String, url: String, serving: Bool) -> String {
        let s = result.summary
        let seconds = Self.seconds(result.elapsed)
        var lines = [
            "==== SYNTHETIC DEMO DATA: not real people ====",
            result.replaced ? "Replaced the earlier demo database." : "Created a new demo database.",
            "Database: \(path)",
            "Seeded in \(String(format: "%.1f", seconds)) s through the repositories: \(s.sites) sites, \(s.programs) programs, "
                + "\(s.participants) participants, \(s.observations) observations, \(s.adverseEvents) adverse events, "
                + "\(s.screenings) screenings, \(s.cellProducts) cell products; safety alerts raised \(s.alertsRaised), "
                + "acknowledged \(s.alertsAcknowledged), open \(s.alertsOpen) "
                + "(\(String(format: "%.0f", Double(s.observations) / max(seconds, 0.001))) observations/s).",
        ]
        let url = url.hasSuffix("/") ? url : url + "/"
        if serving {
            lines.append("Open \(url) (JSON API at \(url)api/v1, health at \(url)healthz); stop with Ctrl-C.")
        } else {
            lines.append("Not serving (--seed-only). Serve it with: restora serve --database-url sqlite://\(path)")
        }
        lines.append("Demo logins (passwords are public and exist only in this demo database):")
        for login in DemoLogin.all {
            let sites = login.siteCodes.isEmpty ? "all sites" : login.siteCodes.joined(separator: ", ")
            lines.append("  \(login.username.padding(toLength: 12, withPad: " ", startingAt: 0)) password \(login.password.padding(toLength: 18, withPad: " ", startingAt: 0)) \(login.role.rawValue) (\(sites)): \(login.canDo)")
        }
        lines.append("Report: restora report --demo-folder \(URL(fileURLWithPath: path).deletingLastPathComponent().path) --program isotretinoin-noa --format html --output report.html")
        lines.append("==== SYNTHETIC DEMO DATA ====")
        return lines.joined(separator: "\n")
    }
}
