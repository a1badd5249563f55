import ArgumentParser
import Foundation
import RestoraDomain
import RestoraStorage

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage users.", subcommands: [UserAddCommand.self])
}

struct UserAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a user with a role at one or more sites.")

    @Option(help: "Sign-in name (unique).") var username: String
    @Option(help: "admin, investigator, coordinator, monitor or auditor.") var role: String
    @Option(name: .customLong("site"), help: "Site code the user belongs to (repeatable).") var sites: [String] = []
    @Option(name: .customLong("full-name"), help: "Printed name shown with the user's electronic signatures (21 CFR 11.50); required to sign.")
    var fullName: String?
    @Flag(help: "Read the password from standard input (first line). Without it the user signs in by token only.")
    var passwordStdin = false
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        guard let role = UserRole(rawValue: role) else {
            throw ValidationError("unknown role '\(role)'; use one of: \(UserRole.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let password = passwordStdin ? readLine(strippingNewline: true) : nil
        if passwordStdin, (password ?? "").count < 12 {
            throw ValidationError("the password read from standard input must have at least 12 characters")
        }
        try await database.withDatabase(logger: CommandLineActor.logger()) { db in
            let repos = db.repositories
            let known = try await repos.sites.list()
            let siteIDs = try sites.map { code in
                guard let site = known.first(where: { $0.value.code == code }) else { throw ValidationError("no site with code '\(code)'") }
                return site.value.id
            }
            let printedName = fullName?.trimmingCharacters(in: .whitespacesAndNewlines)
            let user = UserAccount(id: Identifier(UUIDGenerator().next()), username: username, role: role, siteIDs: siteIDs,
                                   fullName: printedName?.isEmpty == false ? printedName : nil)
            _ = try await repos.users.create(user, password: password, context: CommandLineActor.context())
            print("user \(username) added as \(role.rawValue)\(sites.isEmpty ? "" : " at " + sites.joined(separator: ", "))")
        }
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Manage API tokens.", subcommands: [TokenCreateCommand.self])
}

struct TokenCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a bearer token for a user. It is printed once and stored only as a hash.")

    @Option(help: "The user the token signs in as.") var username: String
    @Option(help: "Days until the token expires (default: never).") var expiresDays: Int?
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let expires = expiresDays.map { Date().addingTimeInterval(Double($0) * 86_400) }
        let token = try await database.withDatabase(logger: CommandLineActor.logger()) { db in
            try await db.repositories.users.issueToken(username: username, expiresAt: expires, context: CommandLineActor.context())
        }
        print(token)
    }
}

struct SiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "site", abstract: "Manage sites.", subcommands: [SiteAddCommand.self])
}

struct SiteAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a site (clinic).")

    @Option(help: "Short unique code, e.g. PAR1.") var code: String
    @Option(help: "Display name.") var name: String
    @Option(help: "IANA time zone.") var timeZone = "UTC"
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await database.withDatabase(logger: CommandLineActor.logger()) { db in
            let site = Site(id: Identifier(UUIDGenerator().next()), code: code, name: name, timeZone: timeZone)
            _ = try await db.repositories.sites.create(site, context: CommandLineActor.context(), idempotencyKey: nil)
            print("site \(code) added (id \(site.id))")
        }
    }
}
