import ArgumentParser
import RestoraStorage

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Create or update the database schema.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let db = try await StorageDatabase.open(url: try database.config().databaseURL, logger: CommandLineActor.logger())
        do {
            let applied = try await DatabaseFailure.wrap(db.location) { try await db.migrator.migrate() }
            print(applied.isEmpty ? "database is up to date (\(db.location.redacted))" : "applied \(applied.count) migration(s): \(applied.joined(separator: ", "))")
            try await db.shutdown()
        } catch {
            try? await db.shutdown()
            throw error
        }
    }
}
