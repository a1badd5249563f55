import Foundation

/// The search behind FHIR AdverseEvent when no patient is named (issue #17, docs/fhir.md "AdverseEvent"): the
/// criteria already parsed from the FHIR parameters into stored terms, answered in SQL over the caller's sites
/// with keyset paging (sort value + id), so a next page stays valid while others write. Each inner list is one
/// search parameter (its values ORed, FHIR's comma); the lists are ANDed (a repeated parameter). Call it as
/// `context.repositories.fhirAdverseEvents.adverseEvents(criteria)`; it returns at most `criteria.limit` events in
/// page order (ask for one more than a page to learn whether there is a next one).
public protocol FHIRAdverseEventSearch: Sendable {
    func adverseEvents(_ criteria: FHIRAdverseEventCriteria) async throws -> [Versioned<AdverseEvent>]
}

public struct FHIRAdverseEventCriteria: Hashable, Sendable {
    /// A range of a stored text column that orders as its value (days `YYYY-MM-DD`; instants
    /// `YYYY-MM-DDTHH:MM:SS.sssZ`): at or after `lower` (nil: unbounded) and before `upper` (nil: unbounded);
    /// `negated` matches everything outside it.
    public struct TextRange: Hashable, Sendable {
        public var lower: String?
        public var upper: String?
        public var negated: Bool

        public init(lower: String?, upper: String?, negated: Bool = false) {
            self.lower = lower
            self.upper = upper
            self.negated = negated
        }
    }

    public enum Seriousness: Hashable, Sendable {
        case serious, nonSerious
        /// An ICH E2A criterion met.
        case criterion(AdverseEvent.Seriousness)
    }

    public enum Sort: String, Hashable, Sendable { case onset, lastUpdated, id }

    /// Where a page starts: after the row with this sort value (nil when sorting by id) and id.
    public struct Position: Hashable, Sendable {
        public var sortValue: String?
        public var id: String

        public init(sortValue: String?, id: String) {
            self.sortValue = sortValue
            self.id = id
        }
    }

    /// The caller's visibility: nil every site (admins), empty none.
    public var siteIDs: Set<Identifier<Site>>?
    public var ids: [[String]] = []
    public var participants: [[String]] = []
    public var onset: [[TextRange]] = []
    public var lastUpdated: [[TextRange]] = []
    public var seriousness: [[Seriousness]] = []
    public var grades: [[Int]] = []
    public var sort: Sort = .onset
    public var descending = false
    public var after: Position?
    public var limit: Int

    public init(siteIDs: Set<Identifier<Site>>?, limit: Int) {
        self.siteIDs = siteIDs
        self.limit = limit
    }
}
