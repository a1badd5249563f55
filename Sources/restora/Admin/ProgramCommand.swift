import ArgumentParser
import RestoraDomain
import RestoraStorage

struct ProgramCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "program", abstract: "Manage programs.",
        subcommands: [ProgramAddCommand.self, ProgramSetVersionCommand.self, ProgramReconsentCommand.self])
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

/// Moves a program to another loaded version of its protocol (an approved amendment; docs/amendments.md): new
/// enrolments take it, existing ones stay on theirs until a re-consent (`restora program reconsent`). Audited.
struct ProgramSetVersionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-version", abstract: "Move a program to another version of its protocol (existing enrolments keep theirs).")

    @Argument(help: "The program: its id, or its protocol id when one program runs it.") var program: String
    @Argument(help: "The protocol version, loaded from the protocols folder (e.g. 1.1 from <id>@1.1.yaml).") var version: String
    @Option(help: "Why (the amendment's approval), kept in the audit trail.") var reason: String
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var source: ProtocolSource

    func run() async throws { try await execute() }

    func execute() async throws {
        let (program, version, reason) = (self.program, self.version, self.reason)
        try await ProgramLookup.versioning(database, source) { versioning in
            let found = try await ProgramLookup.find(program, in: versioning.repositories)
            let moved = try await versioning.setProgramVersion(found.id, to: version, context: CommandLineActor.context(reason: reason))
            print("program \(moved.value.name) now runs \(moved.value.protocolID) v\(moved.value.protocolVersion); existing enrolments keep their version")
        }
    }
}

/// Moves one enrolment to its program's current protocol version: the participant re-consented to the
/// amendment (docs/amendments.md). Audited with the reason.
struct ProgramReconsentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconsent", abstract: "Move an enrolment to its program's current protocol version (after re-consent).")

    @Argument(help: "The enrolment id.") var enrolment: String
    @Option(help: "The re-consent (date, form version), kept in the audit trail.") var reason: String
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var source: ProtocolSource

    func run() async throws { try await execute() }

    func execute() async throws {
        let (enrolment, reason) = (self.enrolment, self.reason)
        try await ProgramLookup.versioning(database, source) { versioning in
            let moved = try await versioning.reconsent(Identifier(enrolment), context: CommandLineActor.context(reason: reason))
            print("enrolment \(enrolment) now runs under protocol v\(moved.value.protocolVersion ?? "?")")
        }
    }
}

/// A program named by id, or by protocol id when exactly one program runs that protocol.
enum ProgramLookup {
    /// Runs `body` with the protocol versioning service over the database; a refusal is the command's message.
    static func versioning(_ database: DatabaseOptions, _ source: ProtocolSource,
                           _ body: (ProtocolVersioning) async throws -> Void) async throws {
        let catalog = try source.catalog()
        try await database.withDatabase(logger: CommandLineActor.logger()) { db in
            do {
                try await body(ProtocolVersioning(repositories: db.repositories, catalog: catalog))
            } catch let error as DomainError {
                throw CLIFailure(error.description)
            }
        }
    }

    static func find(_ name: String, in repositories: Repositories) async throws -> Program {
        let programs = try await repositories.programs.list().map(\.value)
        if let byID = programs.first(where: { $0.id.rawValue == name }) { return byID }
        let byProtocol = programs.filter { $0.protocolID == name }
        if byProtocol.count == 1 { return byProtocol[0] }
        let known = programs.map { "\($0.id) (\($0.protocolID) v\($0.protocolVersion))" }.sorted().joined(separator: ", ")
        throw CLIFailure(byProtocol.isEmpty ? "no program '\(name)'; programs: \(known.isEmpty ? "none" : known)"
                                           : "several programs run \(name): name one by id (\(known))")
    }
}
