import PostgresKit
import RestoraDomain
import SQLiteKit

/// Recognises a constraint the database itself enforced, from either engine, so that it reaches the client
/// as a domain answer (409 or 422) and never as a driver error (500). The domain checks run first and give
/// the precise message; these are the backstop when two writers race or a check was missed.
enum ConstraintViolation: Equatable {
    /// A unique constraint or index (duplicate MRN, lot, open enrolment of a program…).
    case unique
    /// A foreign key: the row names a record that does not exist.
    case foreignKey
    /// A CHECK or NOT NULL constraint.
    case check

    static func classify(_ error: any Error) -> ConstraintViolation? {
        if let psql = error as? PSQLError {
            switch psql.serverInfo?[.sqlState] {
            case "23505": return .unique
            case "23503": return .foreignKey
            case "23514", "23502": return .check
            default: return nil
            }
        }
        if let sqlite = error as? SQLiteError {
            switch sqlite.reason {
            case .constraintUniqueFailed, .constraintPrimaryKeyFailed, .constraintUniqueRowIDFailed: return .unique
            case .constraintForeignKeyFailed: return .foreignKey
            case .constraintCheckFailed, .constraintNotNullFailed: return .check
            case .constraint:
                // Without extended result codes SQLite says only "constraint": its message names the kind.
                let message = sqlite.message.uppercased()
                if message.contains("FOREIGN KEY") { return .foreignKey }
                if message.contains("UNIQUE") || message.contains("PRIMARY KEY") { return .unique }
                return .check
            default: return nil
            }
        }
        if let sqlite = error as? SQLiteWriteError { return classify(sqliteCode: sqlite.code, message: sqlite.message) }
        return nil
    }

    /// SQLite's extended result codes for constraints (sqlite3.h), as the writer handle reports them.
    static func classify(sqliteCode code: Int32, message: String) -> ConstraintViolation? {
        switch code {
        case 2067, 1555, 2579: return .unique          // SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY, _ROWID
        case 787: return .foreignKey                    // SQLITE_CONSTRAINT_FOREIGNKEY
        case 275, 1299: return .check                   // SQLITE_CONSTRAINT_CHECK, _NOTNULL
        case let code where code & 0xFF == 19:          // SQLITE_CONSTRAINT (another kind, or no extended code)
            let text = message.uppercased()
            if text.contains("FOREIGN KEY") { return .foreignKey }
            if text.contains("UNIQUE") || text.contains("PRIMARY KEY") { return .unique }
            return .check
        default: return nil
        }
    }

    /// The domain error a violation while writing a record of `kind` becomes; nil when `error` is no
    /// constraint violation.
    static func domainError(for error: any Error, kind: String, uniqueField: String) -> (any Error)? {
        switch classify(error) {
        case .unique: return RepositoryError.duplicate(kind: kind, field: uniqueField)
        case .foreignKey: return RepositoryError.unknownReference(kind: kind)
        case .check: return RepositoryError.constraintFailed(kind: kind)
        case nil: return nil
        }
    }
}
