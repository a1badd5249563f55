import Crypto
import Foundation
import RestoraDomain
import SQLKit

/// Consent documents, records and withdrawals (migration 0043, docs/consent.md). Documents: the next version
/// number, the SHA-256 of the bytes and the bytes themselves in one transaction, audited in the site-less chain.
/// Records and withdrawals: the participant's clinical records (RecordStore: audited in the site's chain), appended
/// only. The re-consent tasks and the data-use withdrawals are computed in the database.
struct SQLConsentRepository: ConsentRepository {
    let documentsStore: RecordStore<ConsentDocumentMapping>
    let recordsStore: RecordStore<ConsentRecordMapping>
    let withdrawalsStore: RecordStore<ConsentWithdrawalMapping>

    init(store: any SQLStore, audit: AuditWriter) {
        documentsStore = RecordStore(store: store, audit: audit)
        recordsStore = RecordStore(store: store, audit: audit)
        withdrawalsStore = RecordStore(store: store, audit: audit)
    }

    static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: documents

    func issue(_ document: ConsentDocument, content: Data, context: AuditContext) async throws -> Versioned<ConsentDocument> {
        let records = documentsStore
        let now = records.audit.clock.now()
        return try await records.transaction { db in
            let row = try await db.select().column(SQLFunction("MAX", args: SQLIdentifier("document_version")), as: "latest")
                .from(ConsentDocumentMapping.table).where("program_id", .equal, document.programID.rawValue).first()
            let latest = try row?.decodeNil(column: "latest") == false ? try row?.decode(column: "latest", as: Int.self) : nil
            var value = document
            value.documentVersion = (latest ?? 0) + 1
            value.sha256 = Self.sha256Hex(content)
            value.byteCount = content.count
            let bound = RecordStore<ConsentDocumentMapping>(store: TransactionBoundStore(engine: records.store.engine, db: db, pendingAudit: records.audit.pending), audit: records.audit)
            let stored = try await bound.create(value, context: context, idempotencyKey: nil)
            try await db.insert(into: "consent_document_contents")
                .columns("document_id", "content_base64", "created_at")
                .values(SQLBind(value.id.rawValue), SQLBind(content.base64EncodedString()), SQLBind(StoredJSON.format(now)))
                .run()
            return stored
        }
    }

    func documents(program: Identifier<Program>) async throws -> [Versioned<ConsentDocument>] {
        try await documentsStore.list(where: "program_id", equals: program.rawValue).sorted { $0.value.documentVersion < $1.value.documentVersion }
    }

    func allDocuments() async throws -> [Versioned<ConsentDocument>] {
        try await documentsStore.listAll().sorted { ($0.value.programID.rawValue, $0.value.documentVersion) < ($1.value.programID.rawValue, $1.value.documentVersion) }
    }

    func document(_ id: Identifier<ConsentDocument>) async throws -> Versioned<ConsentDocument> {
        try await documentsStore.get(id: id.rawValue)
    }

    func content(of id: Identifier<ConsentDocument>) async throws -> Data {
        let document = try await document(id).value
        let text = try await documentsStore.store.read { db in
            try await db.select().column("content_base64").from("consent_document_contents")
                .where("document_id", .equal, id.rawValue).first()
                .map { try $0.decode(column: "content_base64", as: String.self) }
        }
        // The bytes served are the bytes whose hash was audited, or nothing (21 CFR 11.10(e), REFERENCE.md H1).
        guard let text, let data = Data(base64Encoded: text), data.count == document.byteCount, Self.sha256Hex(data) == document.sha256 else {
            throw StorageError.corruptRecord(table: "consent_document_contents", column: "content_base64")
        }
        return data
    }

    // MARK: consents and withdrawals

    func record(_ consent: ConsentRecord, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<ConsentRecord> {
        try await recordsStore.create(consent, context: context, idempotencyKey: idempotencyKey, serverStamped: ["recorded_at"])
    }

    func consents(enrolment: Identifier<Enrolment>) async throws -> [Versioned<ConsentRecord>] {
        try await recordsStore.list(where: "enrolment_id", equals: enrolment.rawValue).sorted { ($0.value.signedAt, $0.value.id.rawValue) < ($1.value.signedAt, $1.value.id.rawValue) }
    }

    func consents(participant: Identifier<Participant>) async throws -> [Versioned<ConsentRecord>] {
        try await recordsStore.list(where: "participant_id", equals: participant.rawValue).sorted { ($0.value.signedAt, $0.value.id.rawValue) < ($1.value.signedAt, $1.value.id.rawValue) }
    }

    func withdraw(_ withdrawal: ConsentWithdrawal, context: AuditContext) async throws -> Versioned<ConsentWithdrawal> {
        try await withdrawalsStore.create(withdrawal, context: context, idempotencyKey: nil)
    }

    func withdrawals(enrolment: Identifier<Enrolment>) async throws -> [Versioned<ConsentWithdrawal>] {
        try await withdrawalsStore.list(where: "enrolment_id", equals: enrolment.rawValue).sorted { $0.value.withdrawnAt < $1.value.withdrawnAt }
    }

    func withdrawals(participant: Identifier<Participant>) async throws -> [Versioned<ConsentWithdrawal>] {
        try await withdrawalsStore.list(where: "participant_id", equals: participant.rawValue).sorted { $0.value.withdrawnAt < $1.value.withdrawnAt }
    }

    // MARK: computed in the database

    /// Active statuses whose participants must hold consent on the current version.
    static let activeStatuses: [EnrolmentStatus] = [.consented, .enrolled, .onTreatment, .followUp]

    func reconsentTasks(sites: Set<Identifier<Site>>?, limit: Int) async throws -> ReconsentTaskPage {
        if let sites, sites.isEmpty { return ReconsentTaskPage(tasks: [], total: 0) }
        let statuses = Self.activeStatuses.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let siteIDs = sites.map { $0.map(\.rawValue).sorted() }
        let siteFilter = siteIDs.map { " AND e.site_id IN (" + $0.map { _ in "?" }.joined(separator: ", ") + ")" } ?? ""
        let binds: [String] = siteIDs ?? []
        // The current version per program; the latest version signed per enrolment; no withdrawal. On SQLite the
        // latest signed version is kept on the enrolment (`consent_version`, 0 for none; migration 0053): one index range
        // per program and status finds the enrolments behind. PostgreSQL groups the consent records.
        let current = """
            JOIN (SELECT program_id, MAX(document_version) AS current_version FROM consent_documents
                  WHERE deleted_at IS NULL GROUP BY program_id) d ON d.program_id = e.program_id
            """
        let sqlite = documentsStore.store.engine == .sqlite
        let signed = sqlite ? "NULLIF(e.consent_version, 0)" : "c.signed_version"
        let from = sqlite ? """
            FROM enrolments e
            \(current)
            WHERE e.deleted_at IS NULL AND e.status IN (\(statuses))\(siteFilter) AND e.consent_version < d.current_version
              AND NOT EXISTS (SELECT 1 FROM consent_withdrawals w WHERE w.enrolment_id = e.id AND w.deleted_at IS NULL)
            """ : """
            FROM enrolments e
            \(current)
            LEFT JOIN (SELECT enrolment_id, MAX(document_version) AS signed_version FROM consent_records
                  WHERE deleted_at IS NULL GROUP BY enrolment_id) c ON c.enrolment_id = e.id
            WHERE e.deleted_at IS NULL AND e.status IN (\(statuses))\(siteFilter)
              AND (c.signed_version IS NULL OR c.signed_version < d.current_version)
              AND NOT EXISTS (SELECT 1 FROM consent_withdrawals w WHERE w.enrolment_id = e.id AND w.deleted_at IS NULL)
            """
        return try await documentsStore.store.read { db in
            let select = "SELECT e.id, e.participant_id, e.site_id, e.program_id, e.status, \(signed) AS signed_version, d.current_version "
                + from + " ORDER BY e.created_at, e.id LIMIT \(max(0, limit))"
            let rows = try await db.raw(Self.query(select, binds)).all()
            let count = try await db.raw(Self.query("SELECT COUNT(*) AS n " + from, binds)).first()
            let tasks = try rows.map { row in
                ReconsentTask(
                    enrolmentID: Identifier(try row.decode(column: "id", as: String.self)),
                    participantID: Identifier(try row.decode(column: "participant_id", as: String.self)),
                    siteID: Identifier(try row.decode(column: "site_id", as: String.self)),
                    programID: Identifier(try row.decode(column: "program_id", as: String.self)),
                    status: EnrolmentStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .enrolled,
                    signedVersion: try row.decode(column: "signed_version", as: Int?.self),
                    currentVersion: try row.decode(column: "current_version", as: Int.self))
            }
            return ReconsentTaskPage(tasks: tasks, total: try count?.decode(column: "n", as: Int.self) ?? tasks.count)
        }
    }

    func dataUseWithdrawals(program: Identifier<Program>) async throws -> [Identifier<Participant>: Date] {
        let rows = try await withdrawalsStore.store.read { db in
            try await db.raw("""
                SELECT w.participant_id, w.withdrawn_at FROM consent_withdrawals w JOIN enrolments e ON e.id = w.enrolment_id
                WHERE w.scope = 'data-use' AND w.deleted_at IS NULL AND e.program_id = \(bind: program.rawValue)
                """).all()
        }
        var found: [Identifier<Participant>: Date] = [:]
        for row in rows {
            let id = Identifier<Participant>(try row.decode(column: "participant_id", as: String.self))
            let cells = ["withdrawn_at": SQLCell.text(try row.decode(column: "withdrawn_at", as: String.self))]
            let at = try StoredCells(cells: cells, table: ConsentWithdrawalMapping.table).instant("withdrawn_at")
            found[id] = min(found[id] ?? at, at)
        }
        return found
    }

    /// A statement with `?` placeholders bound in order (SQLKit writes each engine's placeholder).
    static func query(_ text: String, _ binds: [String]) -> SQLQueryString {
        var query = SQLQueryString("")
        var rest = Substring(text)
        var index = 0
        while let mark = rest.firstIndex(of: "?") {
            query.appendLiteral(String(rest[..<mark]))
            query.appendInterpolation(bind: binds[index])
            index += 1
            rest = rest[rest.index(after: mark)...]
        }
        query.appendLiteral(String(rest))
        return query
    }
}
