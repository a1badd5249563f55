import Foundation

/// The searches behind the FHIR Patient, ResearchSubject and Consent types (issue #17, docs/fhir.md): criteria
/// already parsed from FHIR search parameters into stored terms, answered in SQL with keyset paging (sort key +
/// id) and site scoping. Each list in the criteria is one search parameter: its inner values are ORed (FHIR's
/// comma), the lists are ANDed (a repeated parameter). Call it as
/// `context.repositories.fhirPatientSearch.patients(criteria)`; it returns at most `criteria.limit` records in
/// the page order (ask for one more than a page to learn whether there is a next one).
public protocol FHIRPatientSearch: Sendable {
    func patients(_ criteria: FHIRPatientSearchCriteria.Patients) async throws -> [Versioned<Participant>]
    /// How many patients match (the search's `total`; the sort, cursor and limit are ignored).
    func countPatients(_ criteria: FHIRPatientSearchCriteria.Patients) async throws -> Int
    func researchSubjects(_ criteria: FHIRPatientSearchCriteria.Subjects) async throws -> [Versioned<Enrolment>]
    func consents(_ criteria: FHIRPatientSearchCriteria.Consents) async throws -> [Versioned<ConsentRecord>]
    /// One consent record by id (nil when there is none); the caller checks the site.
    func consent(_ id: Identifier<ConsentRecord>) async throws -> Versioned<ConsentRecord>?
}

/// The criteria of `FHIRPatientSearch` (a namespace).
public enum FHIRPatientSearchCriteria {
    public enum Comparator: String, Hashable, Sendable, CaseIterable { case eq, ne, lt, le, gt, ge }

    /// A comparison of a stored text column (days `YYYY-MM-DD`, instants `YYYY-MM-DDTHH:MM:SS.sssZ`, which sort as
    /// text) with a FHIR date's range `[lower, upper)` (lower inclusive, upper exclusive): eq = within, ne = outside,
    /// lt = before lower, le = before upper, gt = at or after upper, ge = at or after lower.
    public struct TextRange: Hashable, Sendable {
        public var comparator: Comparator
        public var lower: String
        public var upper: String

        public init(_ comparator: Comparator, lower: String, upper: String) {
            self.comparator = comparator
            self.lower = lower
            self.upper = upper
        }
    }

    public enum SortKey: String, Hashable, Sendable { case id, lastUpdated, birthDate }

    /// Where a page starts: after the row with this sort value (nil when sorting by id) and id.
    public struct Position: Hashable, Sendable, Codable {
        public var sortValue: String?
        public var id: String

        public init(sortValue: String?, id: String) {
            self.sortValue = sortValue
            self.id = id
        }
    }

    public enum NameMatch: String, Hashable, Sendable { case startsWith, exact, contains }
    public enum NamePart: String, Hashable, Sendable { case any, given, family }

    public struct NameCondition: Hashable, Sendable {
        public var text: String
        public var match: NameMatch
        public var part: NamePart

        public init(_ text: String, match: NameMatch = .startsWith, part: NamePart = .any) {
            self.text = text
            self.match = match
            self.part = part
        }
    }

    /// One `identifier` value: an MRN (at one site, or any), the participant id (the study-wide number), or a
    /// value under any system; `nothing` matches no record (an unknown system).
    public enum IdentifierCondition: Hashable, Sendable {
        case mrn(site: Identifier<Site>?, value: String)
        case participant(String)
        case anySystem(String)
        case nothing
    }

    public struct Patients: Hashable, Sendable {
        /// The caller's visibility: nil every site (admins), empty none.
        public var siteIDs: Set<Identifier<Site>>?
        public var ids: [[String]] = []
        public var identifiers: [[IdentifierCondition]] = []
        public var names: [[NameCondition]] = []
        public var birthDates: [[TextRange]] = []
        public var genders: [[Sex]] = []
        public var lastUpdated: [[TextRange]] = []
        public var sort: SortKey = .id
        public var descending = false
        public var after: Position?
        public var limit = 50

        public init(siteIDs: Set<Identifier<Site>>?) { self.siteIDs = siteIDs }
    }

    public struct Subjects: Hashable, Sendable {
        public var siteIDs: Set<Identifier<Site>>?
        public var ids: [[String]] = []
        public var programs: [[String]] = []
        public var participants: [[String]] = []
        public var statuses: [[EnrolmentStatus]] = []
        public var lastUpdated: [[TextRange]] = []
        /// `.id` or `.lastUpdated`.
        public var sort: SortKey = .id
        public var descending = false
        public var after: Position?
        public var limit = 50

        public init(siteIDs: Set<Identifier<Site>>?) { self.siteIDs = siteIDs }
    }

    public struct Consents: Hashable, Sendable {
        public var siteIDs: Set<Identifier<Site>>?
        public var ids: [[String]] = []
        public var participants: [[String]] = []
        public var enrolments: [[String]] = []
        public var lastUpdated: [[TextRange]] = []
        public var sort: SortKey = .id
        public var descending = false
        public var after: Position?
        public var limit = 50

        public init(siteIDs: Set<Identifier<Site>>?) { self.siteIDs = siteIDs }
    }
}
