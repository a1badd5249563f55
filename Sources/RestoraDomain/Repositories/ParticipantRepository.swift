/// What to search participants by. `siteIDs` is the caller's visibility: nil means every site (admins),
/// an empty set means none. Both `mrn` (exact) and `name` (case-insensitive substring of given or family
/// name) are optional; with neither, every visible participant is listed.
public struct ParticipantQuery: Hashable, Sendable {
    public var siteIDs: Set<Identifier<Site>>?
    public var mrn: String?
    public var name: String?
    public var limit: Int
    public var cursor: String?

    public init(siteIDs: Set<Identifier<Site>>?, mrn: String? = nil, name: String? = nil, limit: Int = 50, cursor: String? = nil) {
        self.siteIDs = siteIDs
        self.mrn = mrn
        self.name = name
        self.limit = limit
        self.cursor = cursor
    }
}

/// Participants. The MRN is unique per site. `open` logs a read in the audit trail: opening a
/// participant's record is itself an auditable event.
public protocol ParticipantRepository: Sendable {
    func create(_ participant: Participant, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<Participant>
    /// Reads without logging; for internal checks (site scoping, rules), not for showing a record.
    func get(_ id: Identifier<Participant>) async throws -> Versioned<Participant>
    /// Reads many participants without logging (reports compute aggregates; they do not display a record).
    func list(ids: [Identifier<Participant>]) async throws -> [Versioned<Participant>]
    /// The site of each participant of `ids` that exists (a bulk import's visibility check: no need to decode
    /// whole records), without logging.
    func sites(of ids: [Identifier<Participant>]) async throws -> [Identifier<Participant>: Identifier<Site>]
    /// Reads for display and logs the read.
    func open(_ id: Identifier<Participant>, context: AuditContext) async throws -> Versioned<Participant>
    /// Logs the read of a record the caller has just read with `get` (and checked access to) and is about to
    /// show: `open` in two steps, so a refused read is never logged and an allowed one costs one read. Throws,
    /// and the record must not be shown, when the read cannot be logged.
    func logRead(_ participant: Versioned<Participant>, context: AuditContext) async throws
    func search(_ query: ParticipantQuery) async throws -> Page<Versioned<Participant>>
    func update(_ participant: Participant, expectedVersion: Int, context: AuditContext) async throws -> Versioned<Participant>
    func delete(_ id: Identifier<Participant>, expectedVersion: Int, context: AuditContext) async throws
}
