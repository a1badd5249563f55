import Foundation
import Testing
@testable import RestoraDomain

/// The expedited reporting clock (REFERENCE.md E3, 21 CFR 312.32(c)): 7 vs 15 calendar days from the awareness
/// date, follow-up 15 days from receipt, calendar arithmetic across month ends, leap days and DST changes.
@Suite struct ReportingClockTests {
    static func date(_ text: String) -> CalendarDate { CalendarDate(text)! }

    static func event(
        seriousness: [AdverseEvent.Seriousness] = [.hospitalization], expected: Bool = false,
        relatedness: AdverseEvent.Relatedness = .possible, onset: String = "2026-01-01", aware: String?,
        outcome: AdverseEvent.Outcome = .recovering, grade: Int = 3
    ) -> AdverseEvent {
        AdverseEvent(
            id: Identifier("ae-1"), participantID: Identifier("p-1"), term: "Hepatobiliary disorders - Other, specify", grade: grade,
            seriousness: seriousness, expected: expected, relatedness: relatedness, onset: date(onset),
            outcome: outcome, sponsorAwareOn: aware.map(date), meddraCode: "10019805")
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var seriousness: [AdverseEvent.Seriousness]
        var outcome: AdverseEvent.Outcome = .recovering
        var aware: String
        var days: Int
        var due: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "15 days, plain", seriousness: [.hospitalization], aware: "2026-04-01", days: 15, due: "2026-04-16"),
        Case(name: "15 days across a 31-day month end", seriousness: [.hospitalization], aware: "2026-01-31", days: 15, due: "2026-02-15"),
        Case(name: "15 days across February (not leap)", seriousness: [.disability], aware: "2026-02-20", days: 15, due: "2026-03-07"),
        Case(name: "15 days across February 29 (leap year)", seriousness: [.otherImportant], aware: "2028-02-20", days: 15, due: "2028-03-06"),
        Case(name: "15 days across the US DST start (8 March 2026)", seriousness: [.hospitalization], aware: "2026-03-03", days: 15, due: "2026-03-18"),
        Case(name: "15 days across the EU DST end (25 October 2026)", seriousness: [.hospitalization], aware: "2026-10-20", days: 15, due: "2026-11-04"),
        Case(name: "7 days, life-threatening, across a month end", seriousness: [.lifeThreatening], aware: "2026-02-25", days: 7, due: "2026-03-04"),
        Case(name: "7 days, death, across the year end", seriousness: [.death], outcome: .fatal, aware: "2026-12-28", days: 7, due: "2027-01-04"),
        Case(name: "7 days, fatal outcome with another criterion", seriousness: [.hospitalization], outcome: .fatal, aware: "2026-06-30", days: 7, due: "2026-07-07"),
        Case(name: "7 days across the EU DST start (29 March 2026)", seriousness: [.lifeThreatening], aware: "2026-03-27", days: 7, due: "2026-04-03"),
    ]

    @Test(arguments: cases) func initialClock(_ c: Case) throws {
        let e = Self.event(seriousness: c.seriousness, onset: "2026-01-01", aware: c.aware, outcome: c.outcome,
                           grade: c.outcome == .fatal ? 5 : 3)
        let clock = try #require(e.openReportingClock)
        #expect(clock.kind == .initial)
        #expect(clock.days == c.days)
        #expect(clock.dayZero == Self.date(c.aware))
        #expect(clock.dueOn == Self.date(c.due))
        #expect(e.reportDueOn == Self.date(c.due), "the model carries reportDueOn while a report is due")
        #expect(try e.validated().reportDueOn == Self.date(c.due))
        #expect(clock.label == (c.days == 7 ? "7-day IND safety report" : "IND safety report"))
    }

    struct NoClock: Sendable, CustomTestStringConvertible {
        var name: String
        var seriousness: [AdverseEvent.Seriousness]
        var expected: Bool
        var relatedness: AdverseEvent.Relatedness
        var testDescription: String { name }
    }

    @Test(arguments: [
        NoClock(name: "not serious", seriousness: [], expected: false, relatedness: .probable),
        NoClock(name: "serious but expected", seriousness: [.hospitalization], expected: true, relatedness: .definite),
        NoClock(name: "serious, unexpected, not related", seriousness: [.hospitalization], expected: false, relatedness: .notRelated),
        NoClock(name: "serious, unexpected, unlikely", seriousness: [.lifeThreatening], expected: false, relatedness: .unlikely),
    ]) func noClockUnlessSeriousUnexpectedSuspected(_ c: NoClock) throws {
        let e = Self.event(seriousness: c.seriousness, expected: c.expected, relatedness: c.relatedness, aware: "2026-01-02")
        #expect(e.openReportingClock == nil)
        #expect(e.reportDueOn == nil)
    }

    @Test(arguments: [AdverseEvent.Relatedness.possible, .probable, .definite])
    func everySuspectedRelatednessStartsTheClock(_ relatedness: AdverseEvent.Relatedness) {
        #expect(Self.event(relatedness: relatedness, aware: "2026-01-02").openReportingClock?.dueOn == Self.date("2026-01-17"))
    }

    @Test func qualifyingEventWithoutAwarenessDateHasNoClockYet() {
        #expect(Self.event(aware: nil).openReportingClock == nil)
    }

    @Test func daysLeftCountCalendarDaysAcrossDST() throws {
        let clock = try #require(Self.event(aware: "2026-02-22").openReportingClock)
        #expect(clock.dueOn == Self.date("2026-03-09"))
        #expect(clock.daysLeft(today: Self.date("2026-03-07")) == 2, "8 March (DST start) is one calendar day")
        #expect(clock.daysLeft(today: Self.date("2026-03-09")) == 0)
        #expect(!clock.isOverdue(today: Self.date("2026-03-09")))
        #expect(clock.daysLeft(today: Self.date("2026-03-10")) == -1)
        #expect(clock.isOverdue(today: Self.date("2026-03-10")))
    }

    @Test func submissionStopsTheClockAndFollowUpRestartsOne() throws {
        var e = Self.event(aware: "2026-01-31")
        #expect(e.openReportingClock?.dueOn == Self.date("2026-02-15"))
        e.initialReport = ReportSubmission(kind: .initial, submittedOn: Self.date("2026-02-10"), submittedBy: "u-inv", reference: "IND-1")
        #expect(e.openReportingClock == nil, "the initial report stops the clock")
        e.followUpReceivedOn = Self.date("2026-02-20")
        let followUp = try #require(e.openReportingClock)
        #expect(followUp.kind == .followUp)
        #expect(followUp.dueOn == Self.date("2026-03-07"), "15 days after receipt, across February")
        #expect(followUp.label == "Follow-up IND safety report")
        #expect(try e.validated().reportDueOn == Self.date("2026-03-07"))
        e.followUpReport = ReportSubmission(kind: .followUp, submittedOn: Self.date("2026-03-01"), submittedBy: "u-inv", reference: "IND-1 FU1")
        #expect(e.openReportingClock == nil)
        #expect(try e.validated().reportDueOn == nil)
        // New information after the last follow-up report: a new 15-day clock from its receipt.
        e.followUpReceivedOn = Self.date("2026-03-28")
        #expect(e.openReportingClock?.dueOn == Self.date("2026-04-12"))
    }

    @Test func followUpWithoutInitialReportIsRefused() {
        var e = Self.event(aware: "2026-01-31")
        e.followUpReceivedOn = Self.date("2026-02-01")
        #expect(throws: DomainError.self) { try e.validated() }
    }

    @Test func reportDueForNotificationsGivesDaysLeft() throws {
        let due = try #require(Self.event(seriousness: [.lifeThreatening], aware: "2026-05-01").reportDue(today: Self.date("2026-05-06")))
        #expect(due.clock.dueOn == Self.date("2026-05-08"))
        #expect(due.daysLeft == 2)
        #expect(Self.event(seriousness: [], aware: "2026-05-01").reportDue(today: Self.date("2026-05-06")) == nil)
    }
}
