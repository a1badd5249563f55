import Foundation
import RestoraDemo
import RestoraDomain
@testable import RestoraStorage
import Testing

/// Issue #18: on SQLite the list reads (`RecordStore.list(where:equals:)` and `list(where:in:)`) read their rows
/// by position on the SQLiteNIO connection (`RecordStore.sqliteRows`). Over the whole demo clinic, every table's
/// rows read that way equal, cell for cell and in the same order, the rows SQLKit's by-name read gives, and the
/// repositories' lists through the new path equal the by-name rows decoded.
@Suite("SQLite list reads by position")
struct PositionalListReadTests {
    /// Both reads of every live row of `M`'s table; returns how many rows there are.
    static func compare<M: TableMapping>(_ mapping: M.Type, _ storage: StorageDatabase) async throws -> Int {
        let records = storage.records(mapping)
        let byName = try await storage.store.read { db in try await records.rows(db) { $0 } }
        let byPosition = try #require(try await records.sqliteRows(where: "1 = 1", binds: []), "\(M.table): no SQLite path")
        #expect(byPosition.map(\.id) == byName.map(\.id), "\(M.table): order")
        for (a, b) in zip(byPosition, byName) {
            let sameCells: Bool = a.cells == b.cells
            let sameBookkeeping: Bool = a.version == b.version && a.createdAt == b.createdAt && a.updatedAt == b.updatedAt
            #expect(sameCells && sameBookkeeping, "\(M.table) row \(b.id)")
        }
        return byName.count
    }

    @Test("every table of the demo clinic: the positional rows equal SQLKit's by-name rows; the lists agree")
    func demoClinic() async throws {
        let catalog = try WebHarness.catalog()
        try await DashboardDatabase.with("sqlite::memory:") { storage in
            try await storage.relaxDurabilityForThrowawayLoad()
            _ = try await DemoSeeder(repositories: storage.repositories, instance: storage.instance, catalog: catalog)
                .seed(try DemoClinic.generate(protocols: catalog.protocols))
            var counts: [String: Int] = [:]
            counts["observations"] = try await Self.compare(ObservationMapping.self, storage)
            counts["adverse_events"] = try await Self.compare(AdverseEventMapping.self, storage)
            counts["visits"] = try await Self.compare(VisitMapping.self, storage)
            counts["participants"] = try await Self.compare(ParticipantMapping.self, storage)
            counts["enrolments"] = try await Self.compare(EnrolmentMapping.self, storage)
            counts["medication_courses"] = try await Self.compare(MedicationCourseMapping.self, storage)
            counts["procedures"] = try await Self.compare(ProcedureMapping.self, storage)
            counts["cell_products"] = try await Self.compare(CellProductMapping.self, storage)
            counts["concomitant"] = try await Self.compare(ConcomitantMedicationMapping.self, storage)
            counts["screening"] = try await Self.compare(ScreeningMapping.self, storage)
            counts["sites"] = try await Self.compare(SiteMapping.self, storage)
            counts["programs"] = try await Self.compare(ProgramMapping.self, storage)
            counts["users"] = try await Self.compare(UserMapping.self, storage)
            _ = try await Self.compare(ProtocolDeviationMapping.self, storage)
            _ = try await Self.compare(SafetyAlertMapping.self, storage)
            _ = try await Self.compare(DataQueryMapping.self, storage)
            _ = try await Self.compare(SectionReviewMapping.self, storage)
            _ = try await Self.compare(ConsentRecordMapping.self, storage)
            _ = try await Self.compare(SignatureMapping.self, storage)
            for (table, count) in counts { #expect(count > 0, "the demo clinic has \(table)") }

            // The repositories' lists (the positional path) against the by-name rows decoded.
            let events = storage.records(AdverseEventMapping.self)
            let all = try await storage.store.read { db in try await events.rows(db) { $0 } }.map(events.decode)
            let people = Array(Set(all.map(\.value.participantID)))
            let listed = try await storage.repositories.adverseEvents.list(participants: people)
            #expect(Set(listed.map(\.value.id)) == Set(all.map(\.value.id)))
            let byID: (AdverseEvent, AdverseEvent) -> Bool = { $0.id.rawValue < $1.id.rawValue }
            let listedValues = listed.map(\.value).sorted(by: byID)
            let allValues = all.map(\.value).sorted(by: byID)
            #expect(listedValues == allValues)
            let first = try #require(people.first)
            let one = try await events.list(where: "participant_id", equals: first.rawValue)
            #expect(one.map(\.value) == all.map(\.value).filter { $0.participantID == first })
            #expect(try await events.list(where: "participant_id", equals: "no-such-participant").isEmpty)
        }
    }
}
