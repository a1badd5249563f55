import Foundation

/// Recording a protocol deviation found afterwards (issue #14): an investigator notices that something
/// already stored departed from the protocol (a visit done out of window before Restora refused it, a
/// consent signed on the wrong form version…) and records it with the rule, the field, the category and the
/// reason. The one way the JSON API (`POST /participants/{id}/deviations`) and any other door take.
/// The enrolment must be the participant's, and a named record must be one of the participant's
/// (`RecordReferences`): an unknown id and another participant's id get the same refusal. Only an
/// investigator signs (REFERENCE.md H2: the investigator is responsible; H1 11.50: who, when, what).
public struct DeviationEntry: Sendable {
    public let repositories: Repositories
    public let catalog: ProtocolCatalog

    public init(repositories: Repositories, catalog: ProtocolCatalog) {
        self.repositories = repositories
        self.catalog = catalog
    }

    /// What the investigator enters.
    public struct Input: Hashable, Sendable, Codable {
        public var enrolmentID: Identifier<Enrolment>
        public var category: ProtocolDeviation.Category
        public var rule: String
        public var field: String
        public var reason: String
        public var recordKind: String?
        public var recordID: String?

        public init(enrolmentID: Identifier<Enrolment>, category: ProtocolDeviation.Category, rule: String, field: String,
                    reason: String, recordKind: String? = nil, recordID: String? = nil) {
            self.enrolmentID = enrolmentID
            self.category = category
            self.rule = rule
            self.field = field
            self.reason = reason
            self.recordKind = recordKind
            self.recordID = recordID
        }
    }

    public func record(
        _ input: Input, participant: Identifier<Participant>, id: Identifier<ProtocolDeviation>, signedAt: Date,
        context: AuditContext, idempotencyKey: String?
    ) async throws -> Versioned<ProtocolDeviation> {
        try EnrolmentTransitions.requireSigner(context.actor)
        func required(_ text: String, _ field: String, _ what: String, max: Int) throws -> String {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw DomainError.invalidValue(field: field, message: "\(what) is required") }
            guard trimmed.count <= max else { throw DomainError.invalidValue(field: field, message: "\(what) is at most \(max) characters") }
            return trimmed
        }
        let rule = try required(input.rule, "rule", "the protocol rule departed from", max: 500)
        let field = try required(input.field, "field", "the field the rule concerns", max: 200)
        let reason = try required(input.reason, "reason", "the investigator's reason", max: 2000)
        let references = RecordReferences(repositories: repositories)
        guard let enrolment = try await references.enrolment(input.enrolmentID, of: participant) else {
            throw DomainError.invalidValue(field: "enrolmentID", message: "enrolmentID is required")
        }
        try await references.queryTarget(kind: input.recordKind, id: input.recordID, of: participant)
        let program = try await repositories.programs.get(enrolment.programID).value
        let definition = try catalog.definition(for: enrolment, program: program)
        let deviation = ProtocolDeviation(
            id: id, participantID: participant, enrolmentID: enrolment.id, category: input.category, rule: rule, field: field,
            reason: reason, recordKind: input.recordKind, recordID: input.recordID, protocolID: definition.id,
            protocolVersion: definition.version, signedBy: context.actor, signedAt: signedAt)
        var audit = context
        audit.reason = audit.reason ?? "protocol deviation recorded afterwards: \(reason)"
        return try await repositories.deviations.create(deviation, context: audit, idempotencyKey: idempotencyKey)
    }
}
