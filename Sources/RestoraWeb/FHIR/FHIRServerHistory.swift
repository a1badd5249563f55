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
