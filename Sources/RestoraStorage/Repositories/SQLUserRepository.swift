import Foundation
import RestoraDomain
import SQLKit

struct SQLUserRepository: UserRepository {
    let records: RecordStore<UserMapping>
    let hasher: CredentialHasher

    func create(_ user: UserAccount, password: String?, context: AuditContext) async throws -> Versioned<UserAccount> {
        // The hash goes in as an extra cell: never part of the aggregate, never in the audit trail.
        let extra: [String: SQLCell] = ["password_hash": password.map { .text(hasher.hashPassword($0)) } ?? .null]
        return try await records.create(user, context: context, idempotencyKey: nil, extra: extra)
    }

    func get(username: String) async throws -> Versioned<UserAccount> {
        guard let user = try await records.list(where: "username", equals: username).first else {
            throw RepositoryError.notFound(kind: UserMapping.kind, id: username)
        }
        return user
    }

    func authenticate(username: String, password: String) async throws -> UserAccount? {
        let row = try await records.store.read { db in
            try await db.select().columns("id", "password_hash").from("users")
                .where("username", .equal, username).where(SQLIdentifier("deleted_at"), .is, SQLLiteral.null).first()
        }
        guard let row, !(try row.decodeNil(column: "password_hash")) else {
            // No such user (or no password): spend the same bcrypt work as a real check, so the answer time
            // does not tell whether the account exists. Hashing costs one bcrypt round at the same cost.
            _ = hasher.hashPassword(password)
            return nil
        }
        let hash = try row.decode(column: "password_hash", as: String.self)
        guard hasher.verifyPassword(password, hash: hash) else { return nil }
        let user = try await records.get(id: try row.decode(column: "id", as: String.self)).value
        return user.active ? user : nil
    }

    func issueToken(username: String, expiresAt: Date?, context: AuditContext) async throws -> String {
        let user = try await get(username: username).value
        let token = hasher.newToken()
        let hash = hasher.tokenHash(token)
        let now = StoredJSON.format(records.audit.clock.now())
        let audit = records.audit
        try await records.transaction { db in
            try await db.insert(into: "api_tokens").columns("token_hash", "user_id", "created_at", "expires_at")
                .values(SQLBind(hash), SQLBind(user.id.rawValue), SQLBind(now), bindOrNull(expiresAt.map(StoredJSON.format)))
                .run()
            try await audit.append(db, action: .create, table: "api_tokens", recordID: user.id.rawValue, changes: [], context: context)
        }
        return token
    }

    func authenticate(bearerToken: String, now: Date) async throws -> UserAccount? {
        let hash = hasher.tokenHash(bearerToken)
        let records = self.records
        // One statement per API request: the token and its user together (the user's columns unqualified,
        // the token's expiry as `token_expires_at`).
        let found: (StoredRow, String?)?
        if let sqlite = records.store as? SQLiteStore {
            // By position, the statement prepared once per reader (`SQLiteRawReader`). The hash is compared as
            // `CAST(? AS TEXT)` (the same text, the same index search): with a bare `?` SQLite's planner looks at the
            // bound value when it joins the two tables, and a kept statement is then parsed again at every new bind.
            let columns = Self.tokenLookupColumns
            let idPosition = PositionalCells.position(of: "id", in: UserMapping.columns)
            found = try await SQLiteRowsByPosition.read(
                sqlite, sql: Self.tokenLookupSQL + "CAST(? AS TEXT)", binds: [hash], columns: columns, table: UserMapping.table, point: true
            ) { cells -> (StoredRow, String?)? in
                (try RecordStore<UserMapping>.storedRow(cells, idPosition: idPosition), try cells.cell(columns.count - 1).text)
            }.first
        } else {
            found = try await records.store.readStatement { db -> (StoredRow, String?)? in
                guard let row = try await db.raw(Self.tokenLookup(hash)).first() else { return nil }
                let expires = try row.decodeNil(column: "token_expires_at") ? nil : try row.decode(column: "token_expires_at", as: String.self)
                return (try records.storedRow(row), expires)
            }
        }
        guard let (row, expiresAt) = found else { return nil }
        if let expiresAt, let expires = StoredJSON.parse(expiresAt), expires <= now { return nil }
        let user = try records.decode(row).value
        return user.active ? user : nil
    }

    /// The user's columns (unqualified names) and the token's expiry as `token_expires_at`, for a live
    /// token of a user not deleted. The text is built once: every API request runs it.
    private static let tokenLookupSQL = "SELECT "
        + (UserMapping.columns.map(\.name) + RecordStore<UserMapping>.bookkeeping).map { "\"users\".\"\($0)\"" }.joined(separator: ", ")
        + ", \"api_tokens\".\"expires_at\" AS \"token_expires_at\" FROM \"api_tokens\""
        + " JOIN \"users\" ON \"users\".\"id\" = \"api_tokens\".\"user_id\""
        + " WHERE \"api_tokens\".\"revoked_at\" IS NULL AND \"users\".\"deleted_at\" IS NULL AND \"api_tokens\".\"token_hash\" = "

    /// The columns `tokenLookupSQL` selects, in order, for the read by position.
    private static let tokenLookupColumns = RecordStore<UserMapping>.positionalColumns + [Column("token_expires_at")]

    private static func tokenLookup(_ hash: String) -> SQLQueryString {
        "\(unsafeRaw: tokenLookupSQL)\(bind: hash)"
    }

    func recordSecurityEvent(_ event: SecurityEvent, context: AuditContext) async throws {
        let audit = records.audit
        let changes = [AuditEntry.Change(field: "event", old: nil, new: event.kind)]
            + event.details.keys.sorted().map { AuditEntry.Change(field: $0, old: nil, new: event.details[$0]) }
        try await records.store.transaction { db in
            try await audit.append(db, action: .security, table: SecurityEvent.table, recordID: event.subject, changes: changes, context: context)
        }
    }

    func revokeToken(_ token: String, context: AuditContext) async throws {
        let hash = hasher.tokenHash(token)
        let now = StoredJSON.format(records.audit.clock.now())
        let audit = records.audit
        try await records.transaction { db in
            let revoked = try await db.update("api_tokens").set("revoked_at", to: SQLBind(now))
                .where("token_hash", .equal, hash).where(SQLIdentifier("revoked_at"), .is, SQLLiteral.null)
                .returning("user_id").first()
            guard let revoked else { return }
            let userID = try revoked.decode(column: "user_id", as: String.self)
            try await audit.append(db, action: .delete, table: "api_tokens", recordID: userID, changes: [], context: context)
        }
    }
}
