import Foundation
import RestoraDomain
import SQLKit

/// Reads the audit trail and verifies the chain, page by page so a long trail never sits in memory.
struct SQLAuditLog: AuditLogReader {
    let store: any SQLStore
    static let columns = ["sequence", "at", "actor_id", "actor_role", "action", "table_name", "record_id",
                          "changes", "reason", "request_id", "hash"]

    func history(table: String, recordID: String) async throws -> [AuditEntry] {
        let rows = try await store.read { db in
            try await db.select().columns(Self.columns.map { SQLIdentifier($0) }).from("audit_log")
                .where("table_name", .equal, table).where("record_id", .equal, recordID)
                .orderBy("sequence").all().map(Self.stored)
        }
        return rows.map { e in
            AuditEntry(
                sequence: e.sequence, at: StoredJSON.parse(e.at) ?? Date(timeIntervalSince1970: 0),
                actor: Actor(userID: e.actorID, role: e.actorRole), action: AuditEntry.Action(rawValue: e.action) ?? .update,
                table: e.table, recordID: e.recordID, changes: AuditChain.decodeChanges(e.changes), reason: e.reason,
                requestID: e.requestID, hash: e.hash)
        }
    }

    func verify() async throws -> AuditVerification {
        var expected = 1
        var previous = AuditChain.genesis
        var lastHash = ""
        while true {
            let after = expected - 1
            let page = try await store.read { db in
                try await db.select().columns(Self.columns.map { SQLIdentifier($0) }).from("audit_log")
                    .where("sequence", .greaterThan, after).orderBy("sequence").limit(1000).all().map(Self.stored)
            }
            for entry in page {
                guard entry.sequence == expected else {
                    return .broken(sequence: expected, problem: "entry \(expected) is missing (deleted); the chain jumps to \(entry.sequence)")
                }
                let hash = AuditChain.hash(previous: previous, entry: entry)
                guard hash.base64EncodedString() == entry.hash else {
                    return .broken(sequence: expected, problem: "entry \(expected) does not match its hash (changed or inserted)")
                }
                previous = hash
                lastHash = entry.hash
                expected += 1
            }
            if page.count < 1000 { break }
        }
        return try await checkHead(count: expected - 1, lastHash: lastHash)
    }

    /// The head row records the last sequence written by the writer: a trail that ends early lost its
    /// tail, one that ends late was extended outside the writer.
    private func checkHead(count: Int, lastHash: String) async throws -> AuditVerification {
        let head = try await store.read { db in
            try await db.select().columns("last_sequence", "last_hash").from("audit_chain_head").where("id", .equal, 1).first()
        }
        guard let head else { return .broken(sequence: 0, problem: "the chain head row is missing") }
        let last = try head.decode(column: "last_sequence", as: Int.self)
        if last > count {
            return .broken(sequence: count + 1, problem: "entries \(count + 1)…\(last) are missing (deleted at the end)")
        }
        if last < count {
            return .broken(sequence: last + 1, problem: "entry \(last + 1) was inserted after the recorded end of the chain")
        }
        if count > 0, try head.decode(column: "last_hash", as: String.self) != lastHash {
            return .broken(sequence: count, problem: "entry \(count) does not match the recorded chain head")
        }
        return .intact(entries: count)
    }

    static func stored(_ row: any SQLRow) throws -> AuditChain.StoredEntry {
        func optional(_ column: String) throws -> String? {
            try row.decodeNil(column: column) ? nil : try row.decode(column: column, as: String.self)
        }
        return AuditChain.StoredEntry(
            sequence: try row.decode(column: "sequence", as: Int.self), at: try row.decode(column: "at", as: String.self),
            actorID: try row.decode(column: "actor_id", as: String.self), actorRole: try optional("actor_role"),
            action: try row.decode(column: "action", as: String.self), table: try row.decode(column: "table_name", as: String.self),
            recordID: try row.decode(column: "record_id", as: String.self), changes: try optional("changes"),
            reason: try optional("reason"), requestID: try row.decode(column: "request_id", as: String.self),
            hash: try row.decode(column: "hash", as: String.self))
    }
}
