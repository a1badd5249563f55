import ArgumentParser
import RestoraDomain
import RestoraStorage

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Work with the audit trail.", subcommands: [AuditVerifyCommand.self])
}

/// Walks the hash chain; exit code 1 and the first broken link when it does not hold.
struct AuditVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check the audit trail's hash chain and name the first broken link.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let result = try await database.withDatabase(logger: CommandLineActor.logger()) { db in
            try await db.repositories.audit.verify()
        }
        switch result {
        case let .intact(entries):
            print("audit trail intact: \(entries) entries")
        case let .broken(sequence, problem):
            print("audit trail BROKEN at entry \(sequence): \(problem)")
            throw ExitCode(1)
        }
    }
}
