import Foundation
import RestoraDomain
import SQLKit

/// Reads the audit trail and verifies its chains (one per site, one site-less), page by page so a long trail
/// never sits in memory.
struct SQLAuditLog: AuditChainsReader {
    let store: any SQLStore
    static let columns = ["chain_id", "sequence", "at", "actor_id", "actor_role", "action", "table_name", "record_id",
                          "changes", "reason", "request_id", "hash", "record_hash"]
    static let pageSize = 1000

    /// A record's entries in the order they were written (a record stays at one site, so in one chain).
    func history(table: String, recordID: String) async throws -> [AuditEntry] {
        let rows = try await store.readAuditTrail { db in
            try await db.select().columns(Self.columns.map { SQLIdentifier($0) }).from("audit_log")
                .where { group in
                    let record = group.where("table_name", .equal, table).where("record_id", .equal, recordID)
                    // The rows of its lists (ChildTables): record ids "<id>:<position>", an index range (';' follows ':').
                    guard let children = ChildTables.byParent[table] else { return record }
                    return record.orWhere { rows in
                        rows.where("table_name", .in, children)
                            .where("record_id", .greaterThan, recordID + ":").where("record_id", .lessThan, recordID + ";")
                    }
                }
                .orderBy("at").orderBy("chain_id").orderBy("sequence").all().map(Self.stored)
        }
        return rows.map(Self.entry)
    }

    /// The entry a stored row is (its changes decoded).
    static func entry(_ e: AuditChain.StoredEntry) -> AuditEntry {
        AuditEntry(
            sequence: e.sequence, at: StoredJSON.parse(e.at) ?? Date(timeIntervalSince1970: 0),
            actor: Actor(userID: e.actorID, role: e.actorRole), action: AuditEntry.Action(rawValue: e.action) ?? .update,
            table: e.table, recordID: e.recordID, changes: AuditChain.decodeChanges(e.changes), reason: e.reason,
            requestID: e.requestID, hash: e.hash)
    }

    /// Every chain intact: the total number of entries; else the first broken link, its chain named in the
    /// problem (the site-less chain is checked first, then the sites in id order).
    func verify() async throws -> AuditVerification {
        var entries = 0
        for chain in try await verifyEachChain() {
            switch chain.result {
            case let .intact(count): entries += count
            case let .broken(sequence, problem): return .broken(sequence: sequence, problem: "\(chain.chainName): \(problem)")
            }
        }
        return .intact(entries: entries)
    }

    /// Every chain that has a head row or any entry: an entry whose chain has no head is reported as well.
    func verifyEachChain() async throws -> [AuditChainVerification] {
        let chains = try await store.readAuditTrail { db in
            try await db.raw("SELECT chain_id FROM audit_chain_heads UNION SELECT DISTINCT chain_id FROM audit_log")
                .all().map { try $0.decode(column: "chain_id", as: String.self) }
        }
        var reports: [AuditChainVerification] = []
        for chain in Set(chains).sorted() {
            reports.append(AuditChainVerification(
                siteID: chain == AuditChain.siteless ? nil : chain, result: try await verify(chain: chain)))
        }
        return reports
    }

    /// Walks one chain from its genesis and checks its end against the chain's head row.
    func verify(chain: String) async throws -> AuditVerification {
        var expected = 1
        var previous = AuditChain.genesis(chain: chain)
        var lastHash = ""
        while true {
            let after = expected - 1
            let page = try await store.readAuditTrail { db in
                try await db.select().columns(Self.columns.map { SQLIdentifier($0) }).from("audit_log")
                    .where("chain_id", .equal, chain).where("sequence", .greaterThan, after)
                    .orderBy("sequence").limit(Self.pageSize).all().map(Self.stored)
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
            if page.count < Self.pageSize { break }
        }
        return try await checkHead(chain: chain, count: expected - 1, lastHash: lastHash)
    }

    /// The head row records the last sequence written by the writer: a chain that ends early lost its
    /// tail, one that ends late was extended outside the writer.
    private func checkHead(chain: String, count: Int, lastHash: String) async throws -> AuditVerification {
        let head = try await store.readAuditTrail { db in
            try await db.select().columns("last_sequence", "last_hash").from("audit_chain_heads")
                .where("chain_id", .equal, chain).first()
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
            hash: try row.decode(column: "hash", as: String.self), recordHash: try optional("record_hash"))
    }
}
