import Foundation
import RestoraDomain
import SQLKit

/// Electronic signatures (migration 0044, docs/signatures.md). Appended with an audited create in the
/// participant's site chain; the only change afterwards is voiding (an audited update with its reason). Every
/// read computes each signature's status as of now: a stored `valid` whose target's content hash differs from
/// the one signed is reported `invalidated` (REFERENCE.md H1, 11.70).
struct SQLSignatureRepository: SignatureRepository {
    let records: RecordStore<SignatureMapping>

    func contentHash(of target: SignatureTarget) async throws -> String {
        try await records.store.read { db in try await SignedContent.hash(of: target, in: db) }
    }

    func create(_ signature: ElectronicSignature, context: AuditContext) async throws -> Versioned<ElectronicSignature> {
        var appended = signature
        appended.status = .valid
        appended.voidedAt = nil
        appended.voidedBy = nil
        appended.voidReason = nil
        return try await records.create(appended, context: context, idempotencyKey: nil)
    }

    func list(target: SignatureTarget) async throws -> [Versioned<ElectronicSignature>] {
        let found = try await records.list(matching: [("target_kind", target.kind.rawValue), ("target_id", target.id)])
        return try await withStatus(found)
    }

    func list(participant: Identifier<Participant>) async throws -> [Versioned<ElectronicSignature>] {
        try await withStatus(try await records.list(where: "participant_id", equals: participant.rawValue))
    }

    func list(participants: [Identifier<Participant>]) async throws -> [Versioned<ElectronicSignature>] {
        try await withStatus(try await records.list(where: "participant_id", in: participants.map(\.rawValue)))
    }

    func void(target: SignatureTarget, reason: String, context: AuditContext) async throws -> Int {
        let words = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !words.isEmpty else { throw DomainError.invalidValue(field: "reason", message: "a reason is required to void a signature") }
        var withReason = context
        withReason.reason = words
        let audit = withReason
        let records = self.records
        let now = records.audit.clock.now()
        return try await records.transaction { db in
            let rows = try await records.rows(db) { query in
                query.where(SQLIdentifier("target_kind"), .equal, SQLBind(target.kind.rawValue))
                    .where(SQLIdentifier("target_id"), .equal, SQLBind(target.id))
                    .where(SQLIdentifier("status"), .equal, SQLBind(SignatureStatus.valid.rawValue))
            }
            for row in rows {
                let stored = try records.decode(row)
                var signature = stored.value
                signature.status = .voided
                signature.voidedAt = now
                signature.voidedBy = audit.actor
                signature.voidReason = words
                let cells = try SignatureMapping.cells(of: signature)
                _ = try await records.write(db, id: row.id, expectedVersion: stored.version, context: audit) { _ in (cells, [:]) }
            }
            return rows.count
        }
    }

    /// Oldest first, each stored `valid` checked against its target's content as stored now (one hash per target).
    private func withStatus(_ found: [Versioned<ElectronicSignature>]) async throws -> [Versioned<ElectronicSignature>] {
        var current: [SignatureTarget: String] = [:]
        var result: [Versioned<ElectronicSignature>] = []
        for var item in found.sorted(by: { ($0.value.signedAt, $0.value.id) < ($1.value.signedAt, $1.value.id) }) {
            if item.value.status == .valid {
                let target = item.value.target
                if current[target] == nil {
                    // A target deleted since signing has no content to vouch for: the signature is invalidated.
                    do { current[target] = try await contentHash(of: target) } catch RepositoryError.notFound { current[target] = "" }
                }
                if current[target] != item.value.contentHash { item.value.status = .invalidated }
            }
            result.append(item)
        }
        return result
    }
}
