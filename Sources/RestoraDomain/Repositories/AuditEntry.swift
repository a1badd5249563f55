import Foundation

/// One link of the append-only, hash-chained audit trail (21 CFR Part 11 spirit).
/// `changes` holds only the fields that changed, as old and new canonical values; a create records the
/// record's first content by reference (the row itself), so the trail stays smaller than the data.
public struct AuditEntry: Hashable, Sendable, Codable {
    public enum Action: String, Hashable, Sendable, Codable, CaseIterable {
        case create, update, delete, read
        /// A security event (`SecurityEvent`), not a change of a record.
        case security
        /// The record's content as it stood when record hashes began (migration 0037, docs/audit-integrity.md):
        /// written by the system for every live row, not a change.
        case baseline
    }

    public struct Change: Hashable, Sendable, Codable {
        public var field: String
        public var old: String?
        public var new: String?
        public init(field: String, old: String?, new: String?) {
            self.field = field
            self.old = old
            self.new = new
        }
    }

    public var sequence: Int
    public var at: Date
    public var actor: Actor
    public var action: Action
    public var table: String
    public var recordID: String
    public var changes: [Change]
    public var reason: String?
    public var requestID: String
    /// Base64 SHA-256 over the previous entry's hash and this entry's canonical encoding.
    public var hash: String

    public init(
        sequence: Int, at: Date, actor: Actor, action: Action, table: String, recordID: String,
        changes: [Change], reason: String?, requestID: String, hash: String
    ) {
        self.sequence = sequence
        self.at = at
        self.actor = actor
        self.action = action
        self.table = table
        self.recordID = recordID
        self.changes = changes
        self.reason = reason
        self.requestID = requestID
        self.hash = hash
    }
}

/// The result of walking the chain: intact, or the first link that does not hold and why.
public enum AuditVerification: Hashable, Sendable {
    case intact(entries: Int)
    case broken(sequence: Int, problem: String)
}

/// Reads the audit trail: a record's history for monitors and auditors, and the chain check.
public protocol AuditLogReader: Sendable {
    func history(table: String, recordID: String) async throws -> [AuditEntry]
    func verify() async throws -> AuditVerification
}

/// The check of one chain of the trail: there is one per site and one for site-less records (users,
/// programs, sites, settings); `siteID` is nil for the site-less one.
public struct AuditChainVerification: Hashable, Sendable {
    public var siteID: String?
    public var result: AuditVerification
    public init(siteID: String?, result: AuditVerification) {
        self.siteID = siteID
        self.result = result
    }

    /// "the site-less chain" or "the chain of site <id>".
    public var chainName: String { siteID.map { "the chain of site \($0)" } ?? "the site-less chain" }
}

/// A trail kept as several chains reports on each of them.
public protocol AuditChainsReader: AuditLogReader {
    /// Every chain checked, the site-less one first, then by site id.
    func verifyEachChain() async throws -> [AuditChainVerification]
}
