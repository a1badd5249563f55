import Foundation

/// One step of a data query's thread after it was raised: the site's answer, the monitor closing it, or the
/// monitor re-opening it with a note (migration 0046). Steps are appended, never edited, so the whole
/// conversation stays readable after the query is closed, re-opened and answered again (REFERENCE.md H1
/// 11.10(e): changes do not obscure earlier entries).
public struct DataQueryMessage: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable { case answered, closed, reopened }

    public var kind: Kind
    /// The answer, the closing note (optional) or the re-opening note (required).
    public var text: String?
    public var by: Actor
    /// When; nil only for an answer given before threads were kept (carried over from the query's `answer`).
    public var at: Date?

    public init(kind: Kind, text: String?, by: Actor, at: Date?) {
        self.kind = kind
        self.text = text
        self.by = by
        self.at = at
    }
}

/// The threads of data queries (`data_query_messages`, migration 0046): rows appended with their audit entries.
public protocol DataQueryThreadRepository: Sendable {
    /// Appends `messages` to the query's thread (in order, after the ones stored), one audited row each.
    func append(_ messages: [DataQueryMessage], to query: Identifier<DataQuery>, context: AuditContext) async throws
    /// The threads of `queries`, each in order (queries without steps are absent).
    func messages(of queries: [Identifier<DataQuery>]) async throws -> [Identifier<DataQuery>: [DataQueryMessage]]
    /// Queries waiting on someone (open: on the site; answered: on the monitor) at `sites` (nil: every site),
    /// counted in SQL: per participant (most waiting first, at most `limit`), or per site when `perSite`.
    func openCounts(sites: Set<Identifier<Site>>?, perSite: Bool, limit: Int) async throws -> [OpenQueryCount]
}

/// One participant's (or, without `participantID`, one site's) data queries still waiting: open (on the site to answer) and answered (on the monitor to
/// close or re-open).
public struct OpenQueryCount: Hashable, Sendable, Codable {
    public var siteID: Identifier<Site>
    public var participantID: Identifier<Participant>?
    public var open: Int
    public var answered: Int

    public init(siteID: Identifier<Site>, participantID: Identifier<Participant>?, open: Int, answered: Int) {
        self.siteID = siteID
        self.participantID = participantID
        self.open = open
        self.answered = answered
    }
}
