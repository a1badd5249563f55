import Foundation

/// A search condition over one table's typed columns, for the FHIR server's searches: the web layer turns
/// FHIR search parameters (prefixes, OR-ed values, repeated parameters) into this tree, the storage turns it
/// into one SQL WHERE clause with every value bound. `all([])` is true, `any([])` is false.
public indirect enum FHIRTableCondition<Column: Sendable & Hashable>: Sendable, Hashable {
    case all([FHIRTableCondition])
    case any([FHIRTableCondition])
    case not(FHIRTableCondition)
    case text(Column, FHIRTableComparison, String)
    case number(Column, FHIRTableComparison, Double)
    /// An instant column (stored as the store's UTC text) compared with an instant.
    case instant(Column, FHIRTableComparison, Date)
    case isNull(Column)

    public static var always: FHIRTableCondition { .all([]) }
    public static var never: FHIRTableCondition { .any([]) }
}

public enum FHIRTableComparison: String, Sendable, Hashable {
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual
}

/// Where the next page starts: after the row with this sort key and id (keyset paging; `key` is the text
/// the storage handed back in `FHIRTableRow.sortKey`).
public struct FHIRTableKeyset: Sendable, Hashable {
    public var key: String
    public var id: String
    public init(key: String, id: String) {
        self.key = key
        self.id = id
    }
}

/// One page request: the condition, the sites the user sees (nil: every site), the order and the position.
public struct FHIRTableSearch<Column: Sendable & Hashable, Sort: Sendable & Hashable>: Sendable {
    public var condition: FHIRTableCondition<Column>
    public var siteIDs: [Identifier<Site>]?
    public var sort: Sort
    public var descending: Bool
    public var after: FHIRTableKeyset?
    /// Rows wanted; the storage returns at most this many.
    public var limit: Int

    public init(condition: FHIRTableCondition<Column>, siteIDs: [Identifier<Site>]?, sort: Sort, descending: Bool = false,
                after: FHIRTableKeyset? = nil, limit: Int) {
        self.condition = condition
        self.siteIDs = siteIDs
        self.sort = sort
        self.descending = descending
        self.after = after
        self.limit = limit
    }
}

/// A found record with the text of its sort key (for the next page's `FHIRTableKeyset`).
public struct FHIRTableRow<Value: Sendable>: Sendable {
    public var record: Versioned<Value>
    public var sortKey: String
    public init(record: Versioned<Value>, sortKey: String) {
        self.record = record
        self.sortKey = sortKey
    }
}

/// The observation columns a FHIR Observation search reads (migration 0022's typed value columns).
public enum FHIRObservationColumn: String, Sendable, Hashable {
    case id, participantID, codeSystem, code, effective, lastUpdated, valueKind, valueNumber, valueUnit
}

/// Orders of an Observation search; every order ends with the id, so paging is a keyset and stays stable
/// while others write.
public enum FHIRObservationSort: String, Sendable, Hashable {
    case id, effective, lastUpdated
}

/// Observations for the FHIR server's search, in SQL (site-scoped, keyset-paged). Call it through
/// `repositories.fhirObservations` so a transaction bundle reads inside its transaction.
public protocol FHIRObservationSearch: Sendable {
    func search(_ request: FHIRTableSearch<FHIRObservationColumn, FHIRObservationSort>) async throws -> [FHIRTableRow<Observation>]
    /// How many observations match (the searchset's `total`), site-scoped like `search`.
    func count(_ condition: FHIRTableCondition<FHIRObservationColumn>, siteIDs: [Identifier<Site>]?) async throws -> Int
}
