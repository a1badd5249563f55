import Crypto
import Foundation
import RestoraDomain

/// The hash chains: hash(n) = SHA-256(hash(n-1) || canonical(entry n)), hash(0) = the chain's genesis.
/// The canonical form length-prefixes every field so that no two different entries encode alike.
/// There is one chain per site (chain id = the site id) and one for site-less records (chain id '',
/// `siteless`), which is also the one chain every entry written before migration 0029 belongs to.
enum AuditChain {
    static let genesis = Data(repeating: 0, count: 32)
    /// The chain of records that belong to no site (users, programs, sites, settings).
    static let siteless = ""

    /// hash(0) of a chain: 32 zero bytes for the site-less chain (as for the single chain before 0029, so
    /// its stored hashes still verify), SHA-256 of the chain's name for a site's chain, so that a site's
    /// entries copied into another site's chain do not verify there.
    static func genesis(chain: String) -> Data {
        guard chain != siteless else { return genesis }
        return Data(SHA256.hash(data: Data("restora audit chain of site \(chain.utf8.count):\(chain)".utf8)))
    }

    /// The stored text form of an entry, exactly as hashed (dates and changes as stored strings).
    struct StoredEntry: Sendable {
        var sequence: Int
        var at: String
        var actorID: String
        var actorRole: String?
        var action: String
        var table: String
        var recordID: String
        var changes: String?
        var reason: String?
        var requestID: String
        var hash: String
        /// The record's content after the change (`RecordHash`), `RecordHash.tombstone` for a delete; nil for
        /// entries without one (reads, security events, and every entry written before migration 0037).
        var recordHash: String? = nil
    }

    static func canonical(_ e: StoredEntry) -> Data {
        let fields: [String?] = [String(e.sequence), e.at, e.actorID, e.actorRole, e.action, e.table, e.recordID,
                                 e.changes, e.reason, e.requestID]
        var text = ""
        for field in fields {
            // "-" marks an absent value, distinct from the empty string "0:".
            if let field { text += "\(field.utf8.count):\(field);" } else { text += "-;" }
        }
        // The record hash joins the chain (migration 0037): rewriting a row and its entry's record hash breaks
        // the entry's link. Appended only when present, so entries written before 0037 hash exactly as before.
        if let recordHash = e.recordHash { text += "\(recordHash.utf8.count):\(recordHash);" }
        return Data(text.utf8)
    }

    static func hash(previous: Data, entry: StoredEntry) -> Data {
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: canonical(entry))
        return Data(hasher.finalize())
    }

    /// Changes as compact JSON: `[["field","old","new"], …]` with null for an absent value. Written directly
    /// (`JSONStringWriter`), byte for byte as the store's `JSONEncoder` wrote it (`StoredJSON.text`; a test compares
    /// the two): every entry of every write spends this, and the encoder's generic path was most of an entry's cost.
    static func encodeChanges(_ changes: [AuditEntry.Change]) -> String? {
        guard !changes.isEmpty else { return nil }
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(changes.count * 48)
        for (index, change) in changes.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "["))
            JSONStringWriter.write(change.field, to: &out)
            out.append(UInt8(ascii: ","))
            appendJSONValue(change.old, to: &out)
            out.append(UInt8(ascii: ","))
            appendJSONValue(change.new, to: &out)
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    private static func appendJSONValue(_ text: String?, to out: inout [UInt8]) {
        if let text { JSONStringWriter.write(text, to: &out) } else { out.append(contentsOf: "null".utf8) }
    }

    static func decodeChanges(_ text: String?) -> [AuditEntry.Change] {
        guard let text, case let .array(rows)? = try? StoredJSON.tree(text) else { return [] }
        return rows.compactMap { row in
            guard case let .array(parts) = row, parts.count == 3, case let .string(field) = parts[0] else { return nil }
            func string(_ v: JSONValue) -> String? { if case let .string(s) = v { return s } else { return nil } }
            return AuditEntry.Change(field: field, old: string(parts[1]), new: string(parts[2]))
        }
    }
}
