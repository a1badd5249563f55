import RestoraDomain
import SQLKit

/// Pre-screened candidates. Contact details are personal data but not recorded clinical data: moving a
/// candidate from new to contacted to closed needs no reason for change; every write is still audited.
enum PrescreenCandidateMapping: TableMapping {
    typealias Value = PrescreenCandidate
    static let table = "prescreen_candidates"
    static let kind = "pre-screened candidate"
    static let isClinical = false
    static let columns = [
        Column("id"), Column("program_id", path: "programID"), Column("protocol_id", path: "protocolID"),
        Column("questionnaire_version", path: "questionnaireVersion"), Column("submitted_at", path: "submittedAt"),
        Column("verdict"), Column("findings", .json), Column("contact_name", path: "contactName"), Column("contact"),
        Column("contact_kind", path: "contactKind"), Column("consent_given_at", path: "consentGivenAt"),
        Column("consent_text", path: "consentText"), Column("status"), Column("participant_id", path: "participantID"),
    ]
    static func id(of value: PrescreenCandidate) -> String { value.id.rawValue }
}

struct SQLPrescreenCandidateRepository: PrescreenCandidateRepository {
    let records: RecordStore<PrescreenCandidateMapping>

    func create(
        _ candidate: PrescreenCandidate, context: AuditContext, idempotencyKey: String?
    ) async throws -> Versioned<PrescreenCandidate> {
        // A double submit arrives a moment later: the instants the server stamps are not part of the request.
        try await records.create(
            candidate, context: context, idempotencyKey: idempotencyKey, serverStamped: ["submitted_at", "consent_given_at"])
    }

    func get(_ id: Identifier<PrescreenCandidate>) async throws -> Versioned<PrescreenCandidate> {
        try await records.get(id: id.rawValue)
    }

    func list(programs: Set<Identifier<Program>>?) async throws -> [Versioned<PrescreenCandidate>] {
        if let programs, programs.isEmpty { return [] }
        let records = self.records
        let rows = try await records.store.read { db in
            try await records.rows(db, orderBy: "created_at") { query in
                guard let programs else { return query }
                return query.where("program_id", .in, programs.map(\.rawValue).sorted())
            }
        }
        // Oldest first from the query (created_at, then id); the clinic reads newest first.
        return try rows.reversed().map(records.decode)
    }

    func updateStatus(
        _ id: Identifier<PrescreenCandidate>, to status: PrescreenCandidate.Status, expectedVersion: Int, context: AuditContext
    ) async throws -> Versioned<PrescreenCandidate> {
        try await modify(id, expectedVersion: expectedVersion, context: context) { $0.status = status }
    }

    func link(
        _ id: Identifier<PrescreenCandidate>, to participant: Identifier<Participant>, expectedVersion: Int, context: AuditContext
    ) async throws -> Versioned<PrescreenCandidate> {
        try await modify(id, expectedVersion: expectedVersion, context: context) { candidate in
            if let linked = candidate.participantID, linked != participant {
                throw DomainError.invalidValue(field: "participantID", message: "this candidate is already registered as participant \(linked.rawValue)")
            }
            candidate.participantID = participant
        }
    }

    private func modify(
        _ id: Identifier<PrescreenCandidate>, expectedVersion: Int, context: AuditContext,
        _ change: @escaping @Sendable (inout PrescreenCandidate) throws -> Void
    ) async throws -> Versioned<PrescreenCandidate> {
        let records = self.records
        let row = try await records.transaction { db in
            try await records.write(db, id: id.rawValue, expectedVersion: expectedVersion, context: context) { old in
                var value = try records.decode(old).value
                try change(&value)
                return (try records.cells(of: value), PrescreenCandidateMapping.derivedCells(of: value))
            }
        }
        return try records.decode(row)
    }
}
