import Foundation
import SQLKit
import RestoraDomain

/// The heads of the audit chains at one moment, to keep somewhere the database's writers cannot reach
/// (`restora audit anchor`; docs/audit-integrity.md). Whoever can rewrite rows, entries and every later
/// hash of a chain can make `verify` pass again; they cannot make the rewritten chain pass through a head
/// kept elsewhere (`restora audit verify --anchor FILE`).
public struct AuditAnchor: Codable, Sendable, Equatable {
    public struct Head: Codable, Sendable, Equatable {
        /// The site id, or "" for the site-less chain.
        public var chain: String
        public var sequence: Int
        public var hash: String

        public var chainName: String { AuditChainVerification(siteID: chain.isEmpty ? nil : chain, result: .intact(entries: 0)).chainName }
    }

    public static let currentFormat = "restora-audit-anchor-1"
    public var format: String = Self.currentFormat
    public var writtenAt: String
    public var heads: [Head]

    /// One line per anchored chain and whether it still holds.
    public struct Check: Sendable, Equatable {
        public var head: Head
        /// nil: the chain still passes through the anchored entry; else what is wrong.
        public var problem: String?
        public var line: String {
            problem.map { "anchor \(head.chainName) at entry \(head.sequence): DOES NOT HOLD: \($0)" }
                ?? "anchor \(head.chainName) at entry \(head.sequence): holds"
        }
    }
}

extension StorageDatabase {
    /// The current head (last sequence and hash) of every chain, site-less first, then by site id.
    public func auditAnchor() async throws -> AuditAnchor {
        let heads = try await store.read { db in
            try await db.raw("SELECT chain_id, last_sequence, last_hash FROM audit_chain_heads ORDER BY chain_id").all().map {
                AuditAnchor.Head(chain: try $0.decode(column: "chain_id", as: String.self),
                                 sequence: try $0.decode(column: "last_sequence", as: Int.self),
                                 hash: try $0.decode(column: "last_hash", as: String.self))
            }
        }
        return AuditAnchor(writtenAt: StoredJSON.format(audit.clock.now()), heads: heads)
    }

    /// Whether each anchored head is still the entry at its sequence in its chain. Together with an intact
    /// chain (`verify`), that entry's hash holds every earlier entry fixed.
    public func checkAnchor(_ anchor: AuditAnchor) async throws -> [AuditAnchor.Check] {
        var checks: [AuditAnchor.Check] = []
        for head in anchor.heads {
            guard head.sequence > 0 else { checks.append(.init(head: head, problem: nil)); continue }
            let row = try await store.read { db in
                try await db.raw("SELECT hash FROM audit_log WHERE chain_id = \(bind: head.chain) AND sequence = \(bind: head.sequence)").first()
            }
            guard let row else {
                checks.append(.init(head: head, problem: "the chain has no entry \(head.sequence) any more (shortened)"))
                continue
            }
            let hash = try row.decode(column: "hash", as: String.self)
            checks.append(.init(head: head, problem: hash == head.hash ? nil
                : "entry \(head.sequence) has another hash now (the chain was rewritten at or before it)"))
        }
        return checks
    }

    /// Every live row of every audited table against its latest hashed entry (`RecordVerifier`).
    public func verifyRecords() async throws -> RecordVerificationReport {
        try await RecordVerifier(store: store).verify()
    }
}
