import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

/// The eligibility gate reads a screening's verdict without its report (`ScreeningRepository.verdicts`).
@Suite("Screening verdicts without their reports", .serialized)
struct ScreeningVerdictTests {
    @Test("the verdicts of one enrolment equal its stored screenings', without other enrolments' or deleted ones", arguments: TestDatabase.urls)
    func verdictsMatchRecords(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let (_, definition) = try RandomisationStorageTests.catalog(RandomisationStorageTests.blocks)
            let repos = try await RandomisationStorageTests.seed(db, definition: definition, count: 2)
            // A second screening of e-1, later and incomplete, and one of e-1 that is then deleted.
            for (id, day, outcome) in [("s-1b", 22, CriterionOutcome.unknown), ("s-1c", 23, .met)] {
                let result = CriterionResult(criterion: definition.inclusion[0], role: .inclusion, result: RuleResult(outcome, "test"))
                let report = EligibilityReport(protocolID: definition.id, protocolVersion: "0.9", participantID: "p-1",
                                               date: CalendarDate(year: 2025, month: 12, day: day)!, criteria: [result])
                _ = try await repos.screenings.create(
                    ScreeningRecord(id: Identifier(id), participantID: "p-1", enrolmentID: "e-1", report: report,
                                    screenedBy: Actor(userID: "u-coord", role: "coordinator")),
                    context: Fixture.coordinator, idempotencyKey: nil)
            }
            try await repos.screenings.delete("s-1c", expectedVersion: 1, context: Fixture.editing("entered on the wrong enrolment"))
            let stored = try await repos.screenings.list(participant: "p-1").filter { $0.value.enrolmentID == "e-1" }
            #expect(stored.map(\.value.id) == ["s-1", "s-1b"])
            let verdicts = try await repos.screenings.verdicts(enrolment: "e-1")
            #expect(verdicts == stored.map {
                ScreeningVerdict(protocolID: $0.value.protocolID, protocolVersion: $0.value.protocolVersion, screenedOn: $0.value.screenedOn,
                                 verdict: $0.value.verdict, storedAt: $0.createdAt)
            })
            #expect(verdicts.map(\.verdict) == [.eligible, .incomplete])
            #expect(verdicts.map(\.protocolVersion) == [definition.version, "0.9"])
            #expect(try await repos.screenings.verdicts(enrolment: "e-2").count == 1)
            #expect(try await repos.screenings.verdicts(enrolment: "no-such-enrolment").isEmpty)
        }
    }
}
