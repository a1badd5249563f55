import Testing
@testable import RestoraDomain

/// Visit windows at their edges, for `isotretinoin-noa` started on 2026-01-01. Its month-1 visit is day 30
/// ±7 (protocols/isotretinoin-noa.yaml): planned 2026-01-31, window 2026-01-24…2026-02-07 inclusive; month-2
/// (day 60 ±7) opens on 2026-02-23.
@Suite struct ScheduleEngineTests {
    typealias F = ProtocolFixture
    static let start = F.day("2026-01-01")

    static func state(of key: String, today: String, records: [String: VisitRecord] = [:]) throws -> ScheduledVisit? {
        let definition = try F.definition("isotretinoin-noa")
        return try ScheduleEngine.schedule(for: definition, start: start, today: F.day(today), records: records).visit(key)
    }

    @Test func calendarPlacesWindowsFromDayZero() throws {
        let visit = try #require(try Self.state(of: "month-1", today: "2026-01-01"))
        #expect(visit.visit.planned == F.day("2026-01-31"))
        #expect(visit.visit.earliest == F.day("2026-01-24"))
        #expect(visit.visit.latest == F.day("2026-02-07"))
        let screening = try #require(try Self.state(of: "screening", today: "2026-01-01"))
        #expect(screening.visit.planned == F.day("2025-12-04"))  // day -28
    }

    @Test(arguments: [
        ("2026-01-23", VisitState.upcoming),   // day before the window
        ("2026-01-24", .due),                  // first day
        ("2026-02-07", .due),                  // last day
        ("2026-02-08", .overdue),              // day after, next window not yet open
        ("2026-02-22", .overdue),              // day before month-2 opens
        ("2026-02-23", .missed),               // month-2 window has opened
    ])
    func unrecordedVisitStateAtWindowEdges(_ today: String, _ expected: VisitState) throws {
        #expect(try Self.state(of: "month-1", today: today)?.state == expected)
    }

    @Test(arguments: [
        ("2026-01-23", VisitState.completedOutOfWindow, -8),
        ("2026-01-24", .completedInWindow, -7),
        ("2026-02-07", .completedInWindow, 7),
        ("2026-02-08", .completedOutOfWindow, 8),
    ])
    func attendedVisitAtWindowEdges(_ date: String, _ expected: VisitState, _ offset: Int) throws {
        let visit = try Self.state(of: "month-1", today: "2026-03-01", records: ["month-1": .attended(F.day(date))])
        #expect(visit?.state == expected)
        #expect(visit?.daysFromPlanned == offset)
    }

    @Test func recordedMissedIsMissedEvenInsideTheWindow() throws {
        #expect(try Self.state(of: "month-1", today: "2026-01-30", records: ["month-1": .missed])?.state == .missed)
    }

    @Test func aLaterAttendedVisitMakesAnUnrecordedEarlierOneMissed() throws {
        let visit = try Self.state(of: "month-1", today: "2026-02-10", records: ["month-2": .attended(F.day("2026-02-09"))])
        #expect(visit?.state == .missed)
    }

    @Test func theLastVisitStaysOverdueAfterItsWindow() throws {
        // post-treatment is day 212 ±7: window closes 2026-08-08 (day 219); there is no next visit.
        #expect(try Self.state(of: "post-treatment", today: "2026-08-08")?.state == .due)
        #expect(try Self.state(of: "post-treatment", today: "2026-12-31")?.state == .overdue)
    }

    @Test func aZeroWidthWindowIsDueOnlyOnItsDay() throws {
        // asc-azoospermia injection: day 0, window 0/0.
        let definition = try F.definition("asc-azoospermia")
        func state(_ today: String) throws -> VisitState? {
            try ScheduleEngine.schedule(for: definition, start: Self.start, today: F.day(today)).visit("injection")?.state
        }
        #expect(try state("2025-12-31") == .upcoming)
        #expect(try state("2026-01-01") == .due)
        #expect(try state("2026-01-02") == .overdue)
    }

    @Test func unknownVisitKeyIsRefusedAndListsTheVisits() throws {
        let definition = try F.definition("isotretinoin-noa")
        #expect {
            try ScheduleEngine.schedule(for: definition, start: Self.start, today: Self.start,
                                        records: ["month-13": .missed])
        } throws: { error in
            String(describing: error).contains("month-13") && String(describing: error).contains("month-1, month-2")
        }
    }
}
