import Foundation

/// Data queries, the one way the JSON API and the web page take (issue #16 item 5, docs/sdv.md): a monitor, a
/// data manager or an admin raises a query on a participant's record and field; the site (admin, investigator,
/// coordinator) answers; the monitor closes it or re-opens it with a note, and the site answers again. Each
/// step is one transaction: the query's new state, the step appended to its thread (`DataQueryMessage`), the
/// audit entries and the site's notifications commit together, or nothing does. The thread keeps every step, so
/// the conversation stays readable after it is closed (REFERENCE.md H1 11.10(e); H2 for who monitors).
public struct DataQueryActions: Sendable {
    public let repositories: Repositories
    public let ids: any IDGenerator

    public init(repositories: Repositories, ids: any IDGenerator) {
        self.repositories = repositories
        self.ids = ids
    }

    public static let monitorRule = "a data query is raised, closed and re-opened by a monitor, a data manager or an admin (REFERENCE.md H2)"
    public static let siteRule = "a data query is answered by the site: an admin, an investigator or a coordinator"

    public static func mayRaise(_ actor: Actor) -> Bool { ["monitor", "data-manager", "admin"].contains(actor.role ?? "") }
    public static func mayAnswer(_ actor: Actor) -> Bool { ["admin", "investigator", "coordinator"].contains(actor.role ?? "") }

    /// What a monitor asks, about which record and field (all three optional: a query may be about the participant).
    public struct Question: Sendable, Decodable {
        public var recordKind: String?
        public var recordID: String?
        public var field: String?
        public var question: String

        public init(recordKind: String? = nil, recordID: String? = nil, field: String? = nil, question: String) {
            self.recordKind = recordKind
            self.recordID = recordID
            self.field = field
            self.question = question
        }
    }

    public func raise(
        _ input: Question, participant: Identifier<Participant>, now: Date, context: AuditContext, idempotencyKey: String?
    ) async throws -> Versioned<DataQuery> {
        try Self.require(Self.mayRaise(context.actor), rule: Self.monitorRule, "only a monitor, a data manager or an admin raises a data query")
        let question = try Self.text(input.question, field: "question", message: "a query needs a question")
        let kind = Self.blankIsNil(input.recordKind), recordID = Self.blankIsNil(input.recordID), field = Self.blankIsNil(input.field)
        let query = DataQuery(id: Identifier(ids.next()), participantID: participant, recordKind: kind, recordID: recordID, field: field,
                              question: question, raisedBy: context.actor, raisedAt: now)
        let ids = self.ids
        return try await repositories.transaction { tx in
            try await RecordReferences(repositories: tx).queryTarget(kind: kind, id: recordID, of: participant)
            // A field named on a record must be one of the record's fields (its JSON keys), so the site finds it.
            if let field, let kind, let recordID, SourceVerification.kinds.contains(kind) {
                let record = try await SourceRecords.one(kind: kind, id: recordID, of: participant, in: tx)
                guard record.fields.contains(field) else {
                    throw DomainError.invalidValue(field: "field", message: "a record of kind \(kind) has no field \(field); its fields: \(record.fields.joined(separator: ", "))")
                }
            }
            let stored = try await tx.queries.create(query, context: context, idempotencyKey: idempotencyKey)
            try await Notifications.enqueue(tx, Notifications.queryEvent(.queryRaised, stored.value), now: now, ids: ids)
            return stored
        }
    }

    /// The site answers an open query.
    public func answer(_ id: Identifier<DataQuery>, text: String?, expectedVersion: Int, now: Date, context: AuditContext) async throws -> Versioned<DataQuery> {
        try Self.require(Self.mayAnswer(context.actor), rule: Self.siteRule, "only the site (an admin, an investigator or a coordinator) answers a data query")
        let answer = try Self.text(text, field: "answer", message: "the answer cannot be blank")
        return try await step(id, expectedVersion: expectedVersion, context: context, allowedFrom: [.open], to: .answered,
                              message: DataQueryMessage(kind: .answered, text: answer, by: context.actor, at: now)) { q in
            q.answer = answer
            q.answeredBy = context.actor
        }
    }

    /// The monitor closes an open or answered query, with an optional note.
    public func close(_ id: Identifier<DataQuery>, note: String?, expectedVersion: Int, now: Date, context: AuditContext) async throws -> Versioned<DataQuery> {
        try Self.require(Self.mayRaise(context.actor), rule: Self.monitorRule, "only a monitor, a data manager or an admin closes a data query")
        let note = Self.blankIsNil(note)
        var audit = context
        audit.reason = note
        return try await step(id, expectedVersion: expectedVersion, context: audit, allowedFrom: [.open, .answered], to: .closed,
                              message: DataQueryMessage(kind: .closed, text: note, by: context.actor, at: now)) { q in
            q.closedBy = context.actor
            q.closedAt = now
            q.closeNote = note
        }
    }

    /// The monitor re-opens an answered or closed query with a note saying what is still wrong; the site answers
    /// again. The earlier answer and closing stay in the thread; the query's own fields start afresh.
    public func reopen(_ id: Identifier<DataQuery>, note: String?, expectedVersion: Int, now: Date, context: AuditContext) async throws -> Versioned<DataQuery> {
        try Self.require(Self.mayRaise(context.actor), rule: Self.monitorRule, "only a monitor, a data manager or an admin re-opens a data query")
        let note = try Self.text(note, field: "note", message: "say why the query is re-opened (the note is kept in its thread)")
        var audit = context
        audit.reason = "re-opened: \(note)"
        return try await step(id, expectedVersion: expectedVersion, context: audit, allowedFrom: [.answered, .closed], to: .open,
                              message: DataQueryMessage(kind: .reopened, text: note, by: context.actor, at: now)) { q in
            q.answer = nil
            q.answeredBy = nil
            q.closedBy = nil
            q.closedAt = nil
            q.closeNote = nil
        }
    }

    /// One step: the state check, the query updated under its version, the step appended to the thread (after the
    /// answer and closing of a query from before threads were kept, carried over so nothing is lost), and the
    /// notification of a new answer or a re-opening, all in one transaction.
    private func step(
        _ id: Identifier<DataQuery>, expectedVersion: Int, context: AuditContext, allowedFrom: Set<DataQuery.Status>,
        to status: DataQuery.Status, message: DataQueryMessage, change: @escaping @Sendable (inout DataQuery) -> Void
    ) async throws -> Versioned<DataQuery> {
        let ids = self.ids
        return try await repositories.transaction { tx in
            let stored = try await tx.queries.get(id)
            guard allowedFrom.contains(stored.value.status) else {
                throw DomainError.illegalTransition(
                    from: stored.value.status.rawValue, to: status.rawValue,
                    message: "a data query that is \(stored.value.status.rawValue) cannot be \(Self.verb(status)); it can be from: "
                        + allowedFrom.map(\.rawValue).sorted().joined(separator: ", "))
            }
            var query = stored.value
            query.status = status
            change(&query)
            let updated = try await tx.queries.update(query, expectedVersion: expectedVersion, context: context)
            let thread = try await tx.queryThreads.messages(of: [id])[id] ?? []
            let carried = thread.isEmpty ? Self.carriedOver(stored.value) : []
            try await tx.queryThreads.append(carried + [message], to: id, context: context)
            let position = thread.count + carried.count
            if message.kind == .answered || message.kind == .reopened {
                // The first answer keeps the event key notifications always had; later steps get their own.
                let kind: NotificationKind = message.kind == .answered ? .queryAnswered : .queryRaised
                var event = Notifications.queryEvent(kind, updated.value)
                if position > 0 { event.eventKey += ":\(position)" }
                try await Notifications.enqueue(tx, event, now: message.at ?? Date(), ids: ids)
            }
            return updated
        }
    }

    /// The answer and closing a query got before threads were kept (migration 0046), as its first steps.
    public static func carriedOver(_ q: DataQuery) -> [DataQueryMessage] {
        var steps: [DataQueryMessage] = []
        if let answer = q.answer, let by = q.answeredBy { steps.append(DataQueryMessage(kind: .answered, text: answer, by: by, at: nil)) }
        if q.status == .closed, let by = q.closedBy { steps.append(DataQueryMessage(kind: .closed, text: q.closeNote, by: by, at: q.closedAt)) }
        return steps
    }

    static func verb(_ status: DataQuery.Status) -> String {
        switch status {
        case .open: return "re-opened"
        case .answered: return "answered"
        case .closed: return "closed"
        }
    }

    static func require(_ allowed: Bool, rule: String, _ message: String) throws {
        guard allowed else { throw RoleRefusal(rule: rule, message: message) }
    }

    static func blankIsNil(_ text: String?) -> String? {
        guard let t = text?.trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty else { return nil }
        return t
    }

    static func text(_ text: String?, field: String, message: String) throws -> String {
        guard let t = blankIsNil(text) else { throw DomainError.invalidValue(field: field, message: message) }
        return t
    }
}
