import Foundation

/// Every version of a stored record, rebuilt from the current row and the audit trail (FHIR vread and
/// `_history`; docs/fhir.md "Versions and history").
///
/// How to call it: `try await context.repositories.recordHistory.versions(of: Observation.self, id: id, visibleSites: context.visibleSites)`
/// gives the observation's versions oldest first (version 1 = the create; a deletion is the last version,
/// `isDeleted`); `version(of:id:version:visibleSites:)` is one of them (vread) and `history(of:since:cursor:count:visibleSites:)`
/// the type's versions newest first, a page at a time (type-level `_history`). A record of a site outside
/// `visibleSites` (nil: every site) is `RepositoryError.notFound`, as is an unknown id or version; a type
/// without history (`supports(_:)` false) is `RepositoryError.notFound` too.
///
/// Types: `Participant`, `Program`, `Enrolment`, `Visit`, `Observation`, `Procedure`, `AdverseEvent`,
/// `MedicationCourse`, `CellProduct`, `ConsentRecord` (see `RecordHistoryTypes.supported`).
public protocol RecordHistory: Sendable {
    /// Every version of the record, oldest first; deleted records included (their last version `isDeleted`).
    func versions<Value: Sendable>(of type: Value.Type, id: String, visibleSites: Set<Identifier<Site>>?) async throws -> [RecordVersion<Value>]

    /// One version of the record (vread); `RepositoryError.notFound` when there is no such version.
    func version<Value: Sendable>(of type: Value.Type, id: String, version: Int, visibleSites: Set<Identifier<Site>>?) async throws -> RecordVersion<Value>

    /// The versions of every record of the type, newest first (by time, then record id, then version), at
    /// most `count` (1…1000) per page; `since` keeps versions at or after that instant; `cursor` is the
    /// previous page's `nextCursor` (keyset: stays valid while others write; new versions appear on no later page).
    func history<Value: Sendable>(
        of type: Value.Type, since: Date?, cursor: String?, count: Int, visibleSites: Set<Identifier<Site>>?
    ) async throws -> RecordHistoryPage<Value>

    /// Whether the store keeps versions of `type`.
    func supports(_ type: Any.Type) -> Bool
}

public extension RecordHistory {
    func version<Value: Sendable>(of type: Value.Type, id: String, version: Int, visibleSites: Set<Identifier<Site>>?) async throws -> RecordVersion<Value> {
        let all = try await versions(of: type, id: id, visibleSites: visibleSites)
        guard let found = all.first(where: { $0.version == version }) else {
            throw RepositoryError.notFound(kind: "version \(version) of record", id: id)
        }
        return found
    }
}

/// The domain types whose versions `RecordHistory` rebuilds.
public enum RecordHistoryTypes {
    public static let supported: [Any.Type] = [
        Participant.self, Program.self, Enrolment.self, Visit.self, Observation.self, Procedure.self, AdverseEvent.self,
        MedicationCourse.self, CellProduct.self, ConsentRecord.self,
    ]
}

/// One version of a record: who made it, when, how, and the domain value as it stood then.
public struct RecordVersion<Value: Sendable>: Sendable {
    public enum Action: String, Sendable, Hashable {
        case create, update, delete
    }

    public var id: String
    /// 1 for the create; +1 per change, as the record's optimistic-concurrency version (the ETag) counted.
    public var version: Int
    public var action: Action
    /// When this version was written (`meta.lastUpdated`); for the current version, the row's `updated_at`.
    public var at: Date
    /// When the record was created (version 1).
    public var createdAt: Date
    public var actor: Actor
    /// The reason for change the writer gave, if any.
    public var reason: String?
    public var requestID: String?
    /// The value at this version; for a deletion, the value it had when it was deleted. Lists kept in child
    /// tables (transitions, dispensings, custody events, release tests) hold the items that existed at this version.
    public var value: Value
    /// The record's site (nil: a site-less record, e.g. a program).
    public var siteID: Identifier<Site>?

    public var isDeleted: Bool { action == .delete }

    /// The value as the current-record mappers take it: this version's number and times.
    public var versioned: Versioned<Value> {
        Versioned(value: value, version: version, createdAt: createdAt, updatedAt: at)
    }

    public init(
        id: String, version: Int, action: Action, at: Date, createdAt: Date, actor: Actor, reason: String?, requestID: String?,
        value: Value, siteID: Identifier<Site>?
    ) {
        self.id = id
        self.version = version
        self.action = action
        self.at = at
        self.createdAt = createdAt
        self.actor = actor
        self.reason = reason
        self.requestID = requestID
        self.value = value
        self.siteID = siteID
    }
}

/// A page of a type's history, newest first.
public struct RecordHistoryPage<Value: Sendable>: Sendable {
    public var versions: [RecordVersion<Value>]
    public var nextCursor: String?
    /// Per version, the cursor that continues the history right after it (`cursors.last` is `nextCursor` when
    /// there is more): a caller that shows only part of a page (e.g. MedicationDispense, several entries per course
    /// version) continues from the last version it showed in full.
    public var cursors: [String]

    public init(versions: [RecordVersion<Value>], nextCursor: String?, cursors: [String]) {
        self.versions = versions
        self.nextCursor = nextCursor
        self.cursors = cursors
    }
}
