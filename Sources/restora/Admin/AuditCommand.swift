import ArgumentParser
import Foundation
import RestoraDomain
import RestoraStorage

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Work with the audit trail.", subcommands: [AuditVerifyCommand.self, AuditAnchorCommand.self])
}

/// Walks every hash chain (one per site, one for site-less records) and prints one line per chain; exit
/// code 1 when any chain does not hold, with its first broken link named.
struct AuditVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check every chain of the audit trail (one per site, one site-less) and name the first broken link of each.")

    @OptionGroup var database: DatabaseOptions

    @Flag(name: .customLong("records"), help: "Also recompute every live row's hash of every audited table and compare it with its latest audit entry: rows changed, deleted or inserted outside Restora are named (docs/audit-integrity.md).")
    var records = false

    @Option(name: .customLong("anchor"), help: "An anchor file written by `restora audit anchor`: check that every chain still passes through the heads it recorded.")
    var anchor: String?

    func run() async throws {
        let anchor = try self.anchor.map(AuditAnchorCommand.read)
        let (lines, intact) = try await database.withDatabase(logger: CommandLineActor.logger()) { db in
            try await Self.verify(db, records: records, anchor: anchor)
        }
        lines.forEach { print($0) }
        if !intact { throw ExitCode(1) }
    }

    /// The chain report (unchanged), then the anchor's checks and the record verification when asked for.
    static func verify(_ db: StorageDatabase, records: Bool, anchor: AuditAnchor?) async throws -> (lines: [String], intact: Bool) {
        var (lines, intact) = report(try await db.repositories.audit.verifyEachChainIfKept())
        if let anchor {
            let checks = try await db.checkAnchor(anchor)
            lines += checks.map(\.line)
            let failed = checks.filter { $0.problem != nil }.count
            lines.append(failed == 0 ? "anchor of \(anchor.writtenAt): every chain still passes through its \(checks.count) anchored heads"
                                     : "anchor of \(anchor.writtenAt): \(failed) of \(checks.count) anchored heads DO NOT HOLD")
            intact = intact && failed == 0
        }
        if records {
            let started = Date()
            let result = try await db.verifyRecords()
            let seconds = Date().timeIntervalSince(started)
            let report = recordReport(result, seconds: seconds)
            lines += report
            intact = intact && result.intact
        }
        return (lines, intact)
    }

    /// Each finding on its own line (table, id, field where it can tell), one line per table with problems,
    /// then the verdict with the rate.
    static func recordReport(_ result: RecordVerificationReport, seconds: Double) -> [String] {
        var lines = result.findings.map(\.description)
        if result.findings.count < result.problems {
            lines.append("… and \(result.problems - result.findings.count) more not listed")
        }
        for table in result.tables where table.problems > 0 {
            lines.append("\(table.table): \(table.problems) of \(table.rows) rows differ from the audit trail")
        }
        let rate = seconds > 0 ? " in \(String(format: "%.2f", seconds)) s (\(Int(Double(result.rows) / seconds)) rows/s)" : ""
        lines.append(result.intact
            ? "records intact: \(result.rows) rows in \(result.tables.count) tables match their latest audit entry\(rate)"
            : "records DIFFER: \(result.problems) problems in \(result.tables.filter { $0.problems > 0 }.count) of \(result.tables.count) tables (\(result.rows) rows checked\(rate))")
        return lines
    }

    /// One line per chain, then the verdict; `intact` is false when any chain is broken.
    static func report(_ chains: [AuditChainVerification]) -> (lines: [String], intact: Bool) {
        var lines: [String] = []
        var entries = 0
        var broken = 0
        for chain in chains {
            switch chain.result {
            case let .intact(count):
                entries += count
                lines.append("\(chain.chainName): intact, \(count) entries")
            case let .broken(sequence, problem):
                broken += 1
                lines.append("\(chain.chainName): BROKEN at entry \(sequence): \(problem)")
            }
        }
        lines.append(broken > 0 ? "audit trail BROKEN: \(broken) of \(chains.count) chains"
                                : "audit trail intact: \(entries) entries in \(chains.count) chains")
        return (lines, broken == 0)
    }
}

/// Writes the head (sequence, hash) of every chain to a file to keep outside the database's reach; a later
/// `restora audit verify --anchor FILE` checks the chains still pass through them (docs/audit-integrity.md).
struct AuditAnchorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anchor", abstract: "Write the head of every audit chain to a file to keep elsewhere (default: print it).")

    @OptionGroup var database: DatabaseOptions

    @Option(name: .customLong("output"), help: "Where to write the anchor (JSON); printed when not given.")
    var output: String?

    func run() async throws {
        let anchor = try await database.withDatabase(logger: CommandLineActor.logger()) { db in try await db.auditAnchor() }
        let text = try Self.text(anchor)
        if let output {
            try OutputFile.write(text, to: output)
            for head in anchor.heads { print("\(head.chainName): entry \(head.sequence), hash \(head.hash)") }
            print("anchor of \(anchor.heads.count) chains written to \(output): keep it where the database's writers cannot change it")
        } else {
            print(text, terminator: "")
        }
    }

    static func text(_ anchor: AuditAnchor) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(anchor), as: UTF8.self) + "\n"
    }

    static func read(_ path: String) throws -> AuditAnchor {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read the anchor file \(path)")
        }
        guard let anchor = try? JSONDecoder().decode(AuditAnchor.self, from: data), anchor.format == AuditAnchor.currentFormat else {
            throw ValidationError("\(path) is not an anchor written by `restora audit anchor` (\(AuditAnchor.currentFormat))")
        }
        return anchor
    }
}

extension AuditLogReader {
    /// Each chain's result when the trail keeps several, else the one result as the site-less chain.
    func verifyEachChainIfKept() async throws -> [AuditChainVerification] {
        if let chains = self as? any AuditChainsReader { return try await chains.verifyEachChain() }
        return [AuditChainVerification(siteID: nil, result: try await verify())]
    }
}
