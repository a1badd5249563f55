import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

/// `VisitEntry` on both engines (docs/visits.md): a refused visit writes nothing and leaves the transaction
/// usable, a retry with the same idempotency key answers with the stored visit, a new key for a recorded visit
/// is refused, and an investigator's deviation is stored with the visit.
@Suite("Visits recorded through VisitEntry, on both engines", .serialized)
struct VisitEntryStorageTests {
    static func catalog() throws -> ProtocolCatalog {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try ProtocolCatalog.load(directory: root.appendingPathComponent("protocols").path)
    }

    @Test("refusal, retry, new key and deviation", arguments: TestDatabase.urls)
    func recordVisits(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.programs.create(
                Program(id: "prog-iso", protocolID: "isotretinoin-noa", protocolVersion: "1.0", name: "Iso", siteIDs: ["site-a"]),
                context: Fixture.coordinator, idempotencyKey: nil)
            var version = try await repos.enrolments.create(
                Enrolment(id: "e-1", participantID: "p-1", programID: "prog-iso", siteID: "site-a"), context: Fixture.coordinator, idempotencyKey: nil).version
            let day0 = CalendarDate(year: 2025, month: 10, day: 1)!
            for status in [EnrolmentStatus.screening, .eligible, .consented, .enrolled, .onTreatment] {
                version = try await repos.enrolments.transition("e-1", to: status, at: day0.startOfDayUTC.addingTimeInterval(36_000),
                                                               expectedVersion: version, context: Fixture.editing("path")).version
            }
            let entry = VisitEntry(repositories: repos, catalog: try Self.catalog(), ids: UUIDGenerator())
            let today = CalendarDate(year: 2026, month: 1, day: 1)!
            let late = VisitEntry.Request(visitKey: "month-1", outcome: .attended(day0.adding(days: 50)))
            await #expect(throws: DomainError.self) {
                try await entry.record(late, enrolment: "e-1", today: today, context: Fixture.coordinator, idempotencyKey: "k-0")
            }
            #expect(try await repos.visits.list(enrolment: "e-1").isEmpty)

            let inWindow = VisitEntry.Request(visitKey: "month-1", outcome: .attended(day0.adding(days: 31)))
            let first = try await entry.record(inWindow, enrolment: "e-1", today: today, context: Fixture.coordinator, idempotencyKey: "k-1")
            let again = try await entry.record(inWindow, enrolment: "e-1", today: today, context: Fixture.coordinator, idempotencyKey: "k-1")
            #expect(again.value.id == first.value.id)
            await #expect(throws: DomainError.self) {
                try await entry.record(inWindow, enrolment: "e-1", today: today, context: Fixture.coordinator, idempotencyKey: "k-2")
            }
            #expect(try await repos.visits.list(enrolment: "e-1").count == 1)

            let investigator = AuditContext(actor: Actor(userID: "u-inv", role: "investigator"), requestID: "req-2")
            let deviated = VisitEntry.Request(visitKey: "month-2", outcome: .attended(day0.adding(days: 75)),
                                              deviation: DeviationInput(category: .visitSchedule, reason: "travel"))
            let stored = try await entry.record(deviated, enrolment: "e-1", today: today, context: investigator, idempotencyKey: nil)
            let deviations = try await repos.deviations.list(participant: "p-1").map(\.value)
            #expect(deviations.count == 1 && deviations.first?.recordID == stored.value.id.rawValue && deviations.first?.rule.contains("month-2") == true)
        }
    }
}
