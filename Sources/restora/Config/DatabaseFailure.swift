import ArgumentParser
import RestoraDemo
import RestoraDomain
import RestoraReports
import RestoraStorage

/// A database failure said in words a user can act on, naming the database without its credentials.
/// Refusals the user can fix (duplicates, unknown names, bad input) keep their own message.
struct DatabaseFailure: Error, CustomStringConvertible {
    let location: String
    let kind: String
    var description: String {
        "the database at \(location) failed (\(kind)); check that it is running, reachable and that the URL's user may use it"
    }

    static func wrap<R>(_ location: DatabaseLocation?, _ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let error as RepositoryError {
            throw error
        } catch let error as DomainError {
            throw error
        } catch let error as StorageError {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch let error as ExitCode {
            throw error
        } catch let error as CLIFailure {
            throw error
        } catch let error as StoredProgramData.LoadError {
            throw CLIFailure(error.message)
        } catch let error as DemoGenerationError {
            throw CLIFailure(error.description)
        } catch {
            throw DatabaseFailure(location: location?.redacted ?? "(unparsed URL)", kind: "\(type(of: error))")
        }
    }
}
