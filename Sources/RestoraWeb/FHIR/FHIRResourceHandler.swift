import Foundation
import RestoraDomain

/// One stored version of a resource as the FHIR server hands it out. `resource` is the resource without
/// `meta`: the server adds `meta.versionId` (= the record's optimistic-concurrency version, the JSON API's
/// ETag) and `meta.lastUpdated` from the other fields, so every door reports the same version.
public struct FHIRStoredResource: Sendable {
    public var type: String
    public var id: String
    public var versionID: Int
    public var lastUpdated: Date
    public var resource: FHIRJSON
    /// True for a history entry recording a deletion (no resource body then).
    public var deleted: Bool

    public init(type: String, id: String, versionID: Int, lastUpdated: Date, resource: FHIRJSON, deleted: Bool = false) {
        self.type = type
        self.id = id
        self.versionID = versionID
        self.lastUpdated = lastUpdated
        self.resource = resource
        self.deleted = deleted
    }

    /// A record's current version, mapped.
    public init<Value>(type: String, id: String, _ versioned: Versioned<Value>, resource: FHIRJSON) {
        self.init(type: type, id: id, versionID: versioned.version, lastUpdated: versioned.updatedAt, resource: resource)
    }
}

/// What one FHIR interaction runs with. `repositories` is what every read and write of the interaction must
/// go through: inside a transaction bundle it is bound to the bundle's one transaction, so every entry commits
/// together or not at all. Build domain services from it (e.g. `ClinicalEntry(repositories: context.repositories, …)`),
/// never from `dependencies.repositories`.
struct FHIRInteractionContext: Sendable {
    var user: UserAccount
    var audit: AuditContext
    var dependencies: WebDependencies
    var repositories: Repositories
    var now: Date
    /// The server's FHIR base, e.g. `http://127.0.0.1:8080/fhir` (for `fullUrl` and paging links).
    var baseURL: String

    /// The sites the user sees (nil: every site, admins); a record of another site is `FHIRError.notFound`.
    var visibleSites: Set<Identifier<Site>>? { Access.visibleSites(user) }

    func requireWriter() throws {
        guard user.role.writesClinicalData else {
            throw FHIRError(status: 403, code: .forbidden, diagnostics: "the \(user.role.rawValue) role cannot change clinical records")
        }
    }

    /// The same context over other repositories (those of an open transaction).
    func bound(to repositories: Repositories) -> FHIRInteractionContext {
        var copy = self
        copy.repositories = repositories
        return copy
    }
}

/// A search parameter a resource type supports (listed in the CapabilityStatement).
struct FHIRSearchParameter: Sendable, Hashable {
    enum Kind: String, Sendable, Hashable { case token, string, date, reference, quantity, number, uri, special }
    var name: String
    var kind: Kind
    var documentation: String
}

/// One criterion of a search: `name[:modifier]=value[,value…]` (the values are ORed; repeating a parameter ANDs).
struct FHIRSearchCriterion: Sendable, Hashable {
    var name: String
    var modifier: String?
    var values: [String]
}

struct FHIRSortKey: Sendable, Hashable {
    var name: String
    var descending: Bool
}

/// A search as the server hands it to a resource type: the criteria without the result parameters
/// (`_count`, `_sort`, `_include`, `_revinclude`, `_total`, `_format`, `_summary`, `_elements`), which the server
/// handles; `cursor` is the handler's own opaque token from the previous page's `nextCursor`.
struct FHIRSearchQuery: Sendable {
    var criteria: [FHIRSearchCriterion]
    var count: Int
    var sort: [FHIRSortKey]
    var cursor: String?

    func values(_ name: String) -> [FHIRSearchCriterion] { criteria.filter { $0.name == name } }
}

/// One page of search results. A handler pages by keyset (the last row's sort key and id in `nextCursor`),
/// never by offset, so a `next` link keeps working while others write.
struct FHIRSearchPage: Sendable {
    var resources: [FHIRStoredResource]
    var nextCursor: String?
    var total: Int?
}

/// One FHIR resource type the server supports. Every write goes through the same domain service as the web
/// app and the JSON API (rules, safety, alerts and audit fire the same way); every read is site-scoped.
/// Errors: throw `FHIRError` (with the FHIRPath at fault), or the domain's `DomainError`/`RepositoryError`,
/// which the server maps to an OperationOutcome.
protocol FHIRResourceHandler: Sendable {
    var resourceType: String { get }
    /// The search parameters beyond `_id` and `_lastUpdated` (which every type supports).
    var searchParameters: [FHIRSearchParameter] { get }
    /// The `_sort` keys the type supports (e.g. `_lastUpdated`, `date`).
    var sortParameters: [String] { get }
    var supportsCreate: Bool { get }
    var supportsUpdate: Bool { get }

    func read(id: String, in context: FHIRInteractionContext) async throws -> FHIRStoredResource
    func search(_ query: FHIRSearchQuery, in context: FHIRInteractionContext) async throws -> FHIRSearchPage
    /// Creates from a resource (its `id`, if any, is ignored: the server assigns ids). Returns version 1.
    func create(_ resource: FHIRJSON, in context: FHIRInteractionContext) async throws -> FHIRStoredResource
    /// Updates under the client's expected version (`If-Match`, or nil when none was sent).
    func update(id: String, _ resource: FHIRJSON, expectedVersion: Int?, in context: FHIRInteractionContext) async throws -> FHIRStoredResource
}

extension FHIRResourceHandler {
    var sortParameters: [String] { ["_lastUpdated"] }
    var supportsCreate: Bool { false }
    var supportsUpdate: Bool { false }

    func create(_ resource: FHIRJSON, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        throw FHIRError(status: 405, code: .notSupported, diagnostics: "\(resourceType) cannot be created through FHIR")
    }

    func update(id: String, _ resource: FHIRJSON, expectedVersion: Int?, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        throw FHIRError(status: 405, code: .notSupported, diagnostics: "\(resourceType) cannot be updated through FHIR")
    }
}
