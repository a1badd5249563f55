import ArgumentParser
import RestoraDomain
import RestoraStorage

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Work with the audit trail.", subcommands: [AuditVerifyCommand.self])
}

/// Walks every hash chain (one per site, one for site-less records) and prints one line per chain; exit
/// code 1 when any chain does not hold, with its first broken link named.
struct AuditVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check every chain of the audit trail (one per site, one site-less) and name the first broken link of each.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let chains = try await database.withDatabase(logger: CommandLineActor.logger()) { db in
            try await db.repositories.audit.verifyEachChainIfKept()
        }
        let (lines, intact) = Self.report(chains)
        lines.forEach { print($0) }
        if !intact { throw ExitCode(1) }
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

extension AuditLogReader {
    /// Each chain's result when the trail keeps several, else the one result as the site-less chain.
    func verifyEachChainIfKept() async throws -> [AuditChainVerification] {
        if let chains = self as? any AuditChainsReader { return try await chains.verifyEachChain() }
        return [AuditChainVerification(siteID: nil, result: try await verify())]
    }
}
