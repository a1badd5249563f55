import Crypto
import Foundation
import RestoraDomain
import SQLKit

/// Idempotency keys of creates. The key row is inserted before the record, in the same transaction, with
/// ON CONFLICT DO NOTHING: on PostgreSQL a concurrent second insert waits for the first transaction and
/// then finds the key taken, so 50 parallel retries make exactly one record (SQLite serialises anyway).
enum IdempotencyKeys {
    /// Returns nil when the key is new (now claimed for `recordID`), or the id of the record the key
    /// created before. A key reused with a different body is refused rather than silently answered.
    static func claim(
        _ db: any SQLDatabase, scope: String, key: String, recordID: String, fingerprint: String, at now: Date
    ) async throws -> String? {
        let scoped = "\(scope):\(key)"
        let inserted = try await db.insert(into: "idempotency_keys")
            .columns("scoped_key", "record_id", "fingerprint", "created_at")
            .values(SQLBind(scoped), SQLBind(recordID), SQLBind(fingerprint), SQLBind(StoredJSON.format(now)))
            .ignoringConflicts(with: "scoped_key")
            .returning("record_id").first()
        if inserted != nil { return nil }
        guard let row = try await db.select().columns("record_id", "fingerprint").from("idempotency_keys")
            .where("scoped_key", .equal, scoped).first()
        else { return nil }
        guard try row.decode(column: "fingerprint", as: String.self) == fingerprint else {
            throw RepositoryError.idempotencyKeyReused(key: key)
        }
        return try row.decode(column: "record_id", as: String.self)
    }

    /// A digest of the request's content (without the server-chosen id).
    static func fingerprint(_ cells: [String: SQLCell]) -> String {
        let text = cells.keys.sorted().map { "\($0)=\(cells[$0]?.auditText ?? "\u{0}")" }.joined(separator: "\u{1}")
        return Data(SHA256.hash(data: Data(text.utf8))).base64EncodedString()
    }
}
