import ArgumentParser
import RestoraDomain
import RestoraStorage

struct ProgramCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "program", abstract: "Manage programs.", subcommands: [ProgramAddCommand.self])
}

/// Registers a program (a protocol version run at some sites), so participants can be enrolled in it.
struct ProgramAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a program run at one or more sites.")

    @Option(help: "Protocol identifier, e.g. ISO-AZO.") var protocolID: String
    @Option(help: "Protocol version.") var protocolVersion: String
    @Option(help: "Display name.") var name: String
    @Option(name: .customLong("site"), help: "Site code where it runs (repeatable).") var sites: [String] = []
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await database.withDatabase(logger: CommandLineActor.logger()) { db in
            let known = try await db.repositories.sites.list()
            let siteIDs = try sites.map { code in
                guard let site = known.first(where: { $0.value.code == code }) else { throw ValidationError("no site with code '\(code)'") }
                return site.value.id
            }
            let program = Program(id: Identifier(UUIDGenerator().next()), protocolID: protocolID, protocolVersion: protocolVersion,
                                  name: name, siteIDs: siteIDs)
            _ = try await db.repositories.programs.create(program, context: CommandLineActor.context(), idempotencyKey: nil)
            print("program \(protocolID) v\(protocolVersion) added (id \(program.id))")
        }
    }
}
