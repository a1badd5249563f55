import Foundation

/// A monitor's statement that recorded data agree with the source documents (source data verification, SDV):
/// one record, or one field of it, checked against the source at a given version of the record. ICH E6
/// (REFERENCE.md H2, marked U there) makes the monitor responsible for it and allows it to be risk-based
/// (targeted, not 100 %), so Restora records marks and shows progress rather than demanding every field.
///
/// A mark is kept with the record's version at verification (`recordVersion`). Every write of a record bumps
/// its version, so a later change shows the mark as "changed since verified" and the record counts as
/// unverified again until someone verifies it anew (docs/sdv.md). Marks are only ever appended.
public struct SourceVerificationMark: Hashable, Sendable, Codable, Identifiable {
    /// How the mark was made: one field, one whole record (a form), or a whole visit (the visit and its records,
    /// one mark each, made together).
    public enum Scope: String, Hashable, Sendable, Codable, CaseIterable { case field, record, visit }

    public var id: Identifier<SourceVerificationMark>
    public var participantID: Identifier<Participant>
    /// The record's kind by its API name (`SourceVerification.kinds`), e.g. `observations`.
    public var recordKind: String
    public var recordID: String
    /// The field verified (a key of the record's JSON form, e.g. `value`); nil when the whole record was.
    public var field: String?
    /// The record's version when it was verified.
    public var recordVersion: Int
    public var scope: Scope
    /// The visit a visit-scope mark was made for.
    public var visitID: Identifier<Visit>?
    public var verifiedBy: Actor
    public var verifiedAt: Date
    public var note: String?

    public init(
        id: Identifier<SourceVerificationMark>, participantID: Identifier<Participant>, recordKind: String, recordID: String,
        field: String? = nil, recordVersion: Int, scope: Scope, visitID: Identifier<Visit>? = nil, verifiedBy: Actor,
        verifiedAt: Date, note: String? = nil
    ) {
        self.id = id
        self.participantID = participantID
        self.recordKind = recordKind
        self.recordID = recordID
        self.field = field
        self.recordVersion = recordVersion
        self.scope = scope
        self.visitID = visitID
        self.verifiedBy = verifiedBy
        self.verifiedAt = verifiedAt
        self.note = note
    }
}

/// Verified records out of all source-verifiable records (`SourceVerification.kinds`): of a participant or a site.
/// `changed`: records verified once but changed since (counted in `total`, not in `verified`).
public struct SDVProgress: Hashable, Sendable, Codable {
    public var total: Int
    public var verified: Int
    public var changed: Int

    public init(total: Int = 0, verified: Int = 0, changed: Int = 0) {
        self.total = total
        self.verified = verified
        self.changed = changed
    }

    /// Whole per cent, rounded down (100 only when every record is verified); 0 for no records.
    public var percent: Int { total == 0 ? 0 : verified * 100 / total }

    public static func + (a: SDVProgress, b: SDVProgress) -> SDVProgress {
        SDVProgress(total: a.total + b.total, verified: a.verified + b.verified, changed: a.changed + b.changed)
    }

    public static func += (a: inout SDVProgress, b: SDVProgress) { a = a + b }
}

/// One site's SDV progress (the dashboard and `GET /api/v1/sdv/progress`).
public struct SiteSDVProgress: Hashable, Sendable, Codable {
    public var siteID: Identifier<Site>
    public var progress: SDVProgress

    public init(siteID: Identifier<Site>, progress: SDVProgress) {
        self.siteID = siteID
        self.progress = progress
    }
}

/// SDV marks (migration 0046): appended with their audit entries, never changed; progress counted in SQL.
public protocol SourceVerificationRepository: Sendable {
    /// Stores the marks (one audited row each) in one transaction.
    func record(_ marks: [SourceVerificationMark], context: AuditContext) async throws -> [Versioned<SourceVerificationMark>]
    /// A participant's marks, oldest first.
    func list(participant: Identifier<Participant>) async throws -> [SourceVerificationMark]
    /// A participant's progress: verified and changed records of `SourceVerification.kinds`.
    func progress(participant: Identifier<Participant>) async throws -> SDVProgress
    /// Progress per site, for `sites` (nil: every site); sites with no records are left out.
    func progressBySite(sites: Set<Identifier<Site>>?) async throws -> [SiteSDVProgress]
}
