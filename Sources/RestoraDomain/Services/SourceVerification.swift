import Foundation

/// Source data verification, the one way the JSON API and the web page take (issue #16 item 5, docs/sdv.md):
/// a monitor, a data manager or an admin marks a field, a whole record (a form) or a whole visit (the visit and
/// every record entered at it) as checked against the source documents. One transaction writes every mark of
/// one action, each with the record's version read in that transaction, with its audit entry.
///
/// Who: ICH E6 puts source data verification with the sponsor's monitor (REFERENCE.md H2, marked U there);
/// site staff (investigator, coordinator) enter the data and so may not verify it (403). Auditors only read.
public struct SourceVerification: Sendable {
    public let repositories: Repositories

    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    /// The record kinds SDV covers, by their API names; progress counts the records of these kinds.
    public static let kinds = ["enrolments", "visits", "observations", "procedures", "adverse-events", "medication-courses", "cell-products"]

    public static let rule = "source data verification is done by a monitor, a data manager or an admin, never by the site staff who entered the data (REFERENCE.md H2)"

    public static func allowed(_ actor: Actor) -> Bool { ["monitor", "data-manager", "admin"].contains(actor.role ?? "") }

    /// What is being verified.
    public enum Target: Hashable, Sendable {
        case record(kind: String, id: String)
        case field(kind: String, id: String, field: String)
        case visit(Identifier<Visit>)
    }

    /// The target an input names: `visitID` alone (a whole visit), or `recordKind` and `recordID` with an optional
    /// `field`. Anything else is refused naming the field at fault.
    public static func target(recordKind: String?, recordID: String?, field: String?, visitID: String?) throws -> Target {
        func given(_ s: String?) -> String? {
            guard let t = s?.trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty else { return nil }
            return t
        }
        switch (given(recordKind), given(recordID), given(field), given(visitID)) {
        case let (nil, nil, nil, visit?): return .visit(Identifier(visit))
        case (_, _, _, _?):
            throw DomainError.invalidValue(field: "visitID", message: "give visitID alone (a whole visit) or recordKind and recordID, not both")
        case (nil, _, _, nil):
            throw DomainError.invalidValue(field: "recordKind", message: "say what was verified: recordKind and recordID (and field), or visitID")
        case (_?, nil, _, nil):
            throw DomainError.invalidValue(field: "recordID", message: "recordID is required with recordKind")
        case let (kind?, id?, nil, nil): return .record(kind: kind, id: id)
        case let (kind?, id?, name?, nil): return .field(kind: kind, id: id, field: name)
        }
    }

    /// Marks `target` of `participant` as source-verified by `context.actor` at `now`; returns the marks written.
    public func verify(
        _ target: Target, participant: Identifier<Participant>, note: String?, now: Date, ids: any IDGenerator, context: AuditContext
    ) async throws -> [Versioned<SourceVerificationMark>] {
        guard Self.allowed(context.actor) else {
            throw RoleRefusal(rule: Self.rule, message: "only a monitor, a data manager or an admin marks data as source-verified")
        }
        let note = note?.trimmingCharacters(in: .whitespacesAndNewlines)
        let trimmedNote = note?.isEmpty == false ? note : nil
        return try await repositories.transaction { tx in
            let (records, scope, field, visit) = try await Self.resolve(target, participant: participant, in: tx)
            let marks = records.map { record in
                SourceVerificationMark(
                    id: Identifier(ids.next()), participantID: participant, recordKind: record.kind, recordID: record.id, field: field,
                    recordVersion: record.version, scope: scope, visitID: visit, verifiedBy: context.actor, verifiedAt: now, note: trimmedNote)
            }
            return try await tx.sourceVerifications.record(marks, context: context)
        }
    }

    /// Every source-verifiable record of the participant with its state, and the participant's progress.
    public func status(participant: Identifier<Participant>) async throws -> ParticipantSDV {
        async let records = SourceRecords.load(participant, in: repositories)
        async let marks = repositories.sourceVerifications.list(participant: participant)
        return ParticipantSDV(records: try await records, marks: try await marks)
    }

    private static func resolve(
        _ target: Target, participant: Identifier<Participant>, in tx: Repositories
    ) async throws -> ([SourceRecord], SourceVerificationMark.Scope, String?, Identifier<Visit>?) {
        switch target {
        case let .record(kind, id):
            return ([try await SourceRecords.one(kind: kind, id: id, of: participant, in: tx)], .record, nil, nil)
        case let .field(kind, id, name):
            let record = try await SourceRecords.one(kind: kind, id: id, of: participant, in: tx)
            guard record.fields.contains(name) else {
                throw DomainError.invalidValue(field: "field", message: "a record of kind \(kind) has no field \(name); its fields: \(record.fields.joined(separator: ", "))")
            }
            return ([record], .field, name, nil)
        case let .visit(visit):
            let all = try await SourceRecords.load(participant, in: tx)
            guard all.contains(where: { $0.kind == "visits" && $0.id == visit.rawValue }) else {
                throw DomainError.invalidValue(field: "visitID", message: "visitID names no visit of this participant")
            }
            return (all.filter { $0.visitID == visit }, .visit, nil, visit)
        }
    }
}
