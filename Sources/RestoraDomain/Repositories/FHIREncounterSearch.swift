import Foundation

/// The visit columns a FHIR Encounter search reads. `participantID` is the visit's enrolment's participant.
public enum FHIREncounterColumn: String, Sendable, Hashable {
    case id, participantID, enrolmentID, actualDate, status, lastUpdated
}

/// Orders of an Encounter search (each ends with the id: keyset paging).
public enum FHIREncounterSort: String, Sendable, Hashable {
    case id, date, lastUpdated
}

/// A visit found by an Encounter search, with its enrolment's participant (the Encounter's subject).
public struct FHIREncounterRow: Sendable {
    public var visit: Versioned<Visit>
    public var participantID: Identifier<Participant>
    public var sortKey: String
    public init(visit: Versioned<Visit>, participantID: Identifier<Participant>, sortKey: String) {
        self.visit = visit
        self.participantID = participantID
        self.sortKey = sortKey
    }
}

/// Visits for the FHIR server's Encounter read and search, in SQL (site-scoped, keyset-paged). Call it
/// through `repositories.fhirEncounters`.
public protocol FHIREncounterSearch: Sendable {
    func search(_ request: FHIRTableSearch<FHIREncounterColumn, FHIREncounterSort>) async throws -> [FHIREncounterRow]
    /// How many visits match (the searchset's `total`), site-scoped like `search`.
    func count(_ condition: FHIRTableCondition<FHIREncounterColumn>, siteIDs: [Identifier<Site>]?) async throws -> Int
}
