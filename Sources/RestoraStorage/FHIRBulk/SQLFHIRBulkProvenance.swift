import Foundation
import RestoraDomain
import SQLKit

/// The Provenance reads of a FHIR bulk export (docs/fhir.md "Bulk Data"): the audit trail's create, update and
/// delete entries about the records of the named tables, keyset-paged on the trail's primary key (chain, sequence),
/// one statement per chunk on both engines. Each entry's record owner (the participant) is looked up in the same
/// statement by the record's primary key (a visit through its enrolment), so the Group's membership is a condition
/// of the statement and the data-use withdrawals can be left out after it, as for the other types. The table
/// condition is written `table_name || ''` so that no engine picks the (table, record) index and sorts: the
/// primary key's order is the statement's, one chunk is one index range.
extension SQLFHIRBulkSource {
    /// How each audited table names the participant a record belongs to (`a` is the audit entry).
    static let auditOwners: [String: String] = [
        "participants": "a.\"record_id\"",
        "visits": "(SELECT e.\"participant_id\" FROM \"visits\" v JOIN \"enrolments\" e ON e.\"id\" = v.\"enrolment_id\" WHERE v.\"id\" = a.\"record_id\")",
        "enrolments": owned("enrolments"), "observations": owned("observations"), "procedures": owned("procedures"),
        "adverse_events": owned("adverse_events"), "medication_courses": owned("medication_courses"),
        "concomitant_medications": owned("concomitant_medications"), "cell_products": owned("cell_products"),
    ]

    private static func owned(_ table: String) -> String {
        "(SELECT t.\"participant_id\" FROM \(PrebuiltSQL.quoted(table)) t WHERE t.\"id\" = a.\"record_id\")"
    }

    func provenance(_ scope: FHIRBulkScope, tables: [String], after: String?, limit: Int) async throws -> FHIRBulkChunk<FHIRBulkAuditEntry> {
        let limit = max(1, limit)
        let known = tables.filter { Self.auditOwners[$0] != nil }
        guard !known.isEmpty else { return FHIRBulkChunk(rows: [], next: nil) }
        let owner = "CASE a.\"table_name\"" + known.map { " WHEN '\($0)' THEN \(Self.auditOwners[$0]!)" }.joined() + " END"
        let columns = SQLAuditLog.columns.map { "a.\(PrebuiltSQL.quoted($0))" }.joined(separator: ", ")
        var pieces: [Piece] = [.sql("SELECT * FROM (SELECT \(columns), \(owner) AS \"owner\" FROM \"audit_log\" a WHERE a.\"action\" IN ('create', 'update', 'delete') AND a.\"table_name\" || '' IN (")]
        for (index, table) in known.enumerated() {
            pieces.append(.sql(index == 0 ? "'\(table)'" : ", '\(table)'"))
        }
        pieces.append(.sql(")"))
        if let after, let cut = after.firstIndex(of: " "), let sequence = Int(after[..<cut]) {
            // The key (chain, sequence) after the last entry read: the primary key's own order.
            pieces += [.sql(" AND (a.\"chain_id\", a.\"sequence\") > ("), .bind(String(after[after.index(after: cut)...])), .sql(", \(sequence))")]
        }
        if let sites = scope.sites {
            let list = sites.map(\.rawValue).sorted()
            if list.isEmpty { return FHIRBulkChunk(rows: [], next: nil) }
            pieces.append(.sql(" AND a.\"chain_id\" IN ("))
            for (index, site) in list.enumerated() {
                if index > 0 { pieces.append(.sql(", ")) }
                pieces.append(.bind(site))
            }
            pieces.append(.sql(")"))
        }
        if let since = scope.since { pieces += [.sql(" AND a.\"at\" > "), .bind(StoredJSON.format(since))] }
        if let until = scope.until { pieces += [.sql(" AND a.\"at\" <= "), .bind(StoredJSON.format(until))] }
        pieces.append(.sql(") p WHERE \"owner\" IS NOT NULL"))
        if let program = scope.program {
            pieces += [.sql(" AND \"owner\" IN (SELECT \"participant_id\" FROM \"enrolments\" WHERE \"deleted_at\" IS NULL AND \"program_id\" = "),
                       .bind(program.rawValue), .sql(")")]
        }
        pieces.append(.sql(" ORDER BY \"chain_id\", \"sequence\" LIMIT \(limit)"))
        let query = Self.queryString(pieces)
        let found = try await store.readAuditTrail { db in
            try await db.raw(query).all().map { row in
                (try row.decode(column: "chain_id", as: String.self), try SQLAuditLog.stored(row), try row.decode(column: "owner", as: String.self))
            }
        }
        let rows = found.compactMap { _, stored, owner -> Versioned<FHIRBulkAuditEntry>? in
            let participant = Identifier<Participant>(owner)
            guard !scope.excludedParticipants.contains(participant) else { return nil }
            let entry = SQLAuditLog.entry(stored)
            return Versioned(value: FHIRBulkAuditEntry(entry: entry, participantID: participant), version: 1, createdAt: entry.at, updatedAt: entry.at)
        }
        let last = found.last.map { "\($0.1.sequence) \($0.0)" }
        return FHIRBulkChunk(rows: rows, next: found.count == limit ? last : nil)
    }
}
