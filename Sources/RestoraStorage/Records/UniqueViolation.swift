import PostgresKit
import SQLiteKit

/// Recognises a unique-constraint violation from either engine, so a duplicate MRN or lot becomes a
/// domain `duplicate` error instead of a driver error.
enum UniqueViolation {
    static func matches(_ error: any Error) -> Bool {
        if let psql = error as? PSQLError {
            return psql.serverInfo?[.sqlState] == "23505"
        }
        if let sqlite = error as? SQLiteError {
            return sqlite.reason == .constraint || sqlite.reason == .constraintUniqueFailed
                || sqlite.reason == .constraintPrimaryKeyFailed
        }
        return false
    }
}
