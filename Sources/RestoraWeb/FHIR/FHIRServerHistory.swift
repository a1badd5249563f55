import Foundation
import RestoraDomain

/// A resource type whose earlier versions the server can serve (vread of any version, instance `_history`
/// with every version, type `_history`). A handler adopts it on top of `FHIRResourceHandler`; without it the
/// server serves the current version only (vread of the current version, an instance history of one entry).
protocol FHIRVersionedHandler: FHIRResourceHandler {
    /// Every version of the resource, oldest first (a deletion as an entry with `deleted`); 404 when unknown or
    /// of another site.
    func versions(id: String, in context: FHIRInteractionContext) async throws -> [FHIRStoredResource]
    /// The versions of every resource of the type, newest first, a page at a time (`cursor` from the
    /// previous page's `nextCursor`), those at or after `since` only.
    func history(since: Date?, cursor: String?, count: Int, in context: FHIRInteractionContext) async throws -> FHIRSearchPage
}

/// The versions a handler serves, from `Repositories.recordHistory` (every audited change of the record,
/// rebuilt from the audit trail; docs/fhir.md "Versions and history"), each mapped through the type's own
/// mapping of current records: `map` takes a batch of versions as `Versioned` values (this version's number
/// and time) and answers one stored resource per value, in order. Site scoping is the record history's
/// (`visibleSites`: another site's record is 404); `visible` adds a type's own rule (e.g. a program's sites).
enum FHIRHistory {
    typealias Mapping<Value> = ([Versioned<Value>]) async throws -> [FHIRStoredResource]

    static func versions<Value: Sendable>(
        _ type: Value.Type, resourceType: String, id: String, in context: FHIRInteractionContext,
        visible: (Value) -> Bool = { _ in true }, map: Mapping<Value>
    ) async throws -> [FHIRStoredResource] {
        let versions: [RecordVersion<Value>]
        do {
            versions = try await context.repositories.recordHistory.versions(of: type, id: id, visibleSites: context.visibleSites)
        } catch RepositoryError.notFound {
            throw FHIRError.notFound(resourceType, id)
        }
        guard let newest = versions.last, visible(newest.value) else { throw FHIRError.notFound(resourceType, id) }
        return try await stored(versions, map: map)
    }

    static func history<Value: Sendable>(
        _ type: Value.Type, since: Date?, cursor: String?, count: Int, in context: FHIRInteractionContext,
        visible: (Value) -> Bool = { _ in true }, map: Mapping<Value>
    ) async throws -> FHIRSearchPage {
        let page = try await self.page(type, since: since, cursor: cursor, count: count, in: context)
        return FHIRSearchPage(resources: try await stored(page.versions.filter { visible($0.value) }, map: map),
                              nextCursor: page.nextCursor, total: nil)
    }

    /// A page of the type's versions as the record history gives them (a cursor it did not write is 400).
    static func page<Value: Sendable>(
        _ type: Value.Type, since: Date?, cursor: String?, count: Int, in context: FHIRInteractionContext
    ) async throws -> RecordHistoryPage<Value> {
        do {
            return try await context.repositories.recordHistory.history(
                of: type, since: since, cursor: cursor, count: count, visibleSites: context.visibleSites)
        } catch DomainError.invalidValue(field: "cursor", _) {
            throw FHIRError(status: 400, code: .invalid, diagnostics: "the paging cursor is not one this server wrote: follow the Bundle's next link as it is")
        }
    }

    /// The versions mapped; a deletion keeps its version number and time and has no resource body.
    static func stored<Value: Sendable>(_ versions: [RecordVersion<Value>], map: Mapping<Value>) async throws -> [FHIRStoredResource] {
        guard !versions.isEmpty else { return [] }
        let mapped = try await map(versions.map(\.versioned))
        precondition(mapped.count == versions.count, "a history mapping answers one resource per version")
        return zip(versions, mapped).map { version, resource in
            var resource = resource
            resource.versionID = version.version
            resource.lastUpdated = version.at
            if version.isDeleted {
                resource.deleted = true
                resource.resource = .object([])
            }
            return resource
        }
    }
}
