import Foundation
import RestoraDomain
import RestoraReports
import Testing

/// Issue #19: one "data as of" rule for the web report and `restora report`, stated in the report.
@Suite struct ReportCutOffTests {
    static let now = Date(timeIntervalSince1970: 1_764_892_800)   // 2025-12-05T00:00:00Z
    static let demo = CalendarDate(year: 2025, month: 11, day: 1)!
    static let chosen = CalendarDate(year: 2025, month: 6, day: 30)!

    @Test(arguments: [
        (chosen as CalendarDate?, demo as CalendarDate?, chosen, ReportCutOff.Basis.chosen),
        (nil, demo, demo, .demoToday),
        (nil, nil, CalendarDate(year: 2025, month: 12, day: 5)!, .today),
    ])
    func resolves(chosen: CalendarDate?, demoToday: CalendarDate?, date: CalendarDate, basis: ReportCutOff.Basis) {
        let cutOff = ReportCutOff.resolve(chosen: chosen, demoToday: demoToday, now: Self.now)
        #expect(cutOff == ReportCutOff(date: date, basis: basis))
    }

    @Test func theRenderingsStateTheRule() throws {
        let clinic = try ReportFixture.clinic()
        let cutOff = ReportCutOff(date: clinic.today, basis: .demoToday)
        let report = try ReportFixture.report("isotretinoin-noa").stating(cutOff)
        let stated = "data as of \(clinic.today) (the fixed today of the demo clinic, when its synthetic records stop)."
        #expect(MarkdownRenderer.render(report).contains(stated))
        #expect(HTMLRenderer.render(report).contains(stated))
        // A report without a stated rule (built before issue #19) renders as before.
        #expect(MarkdownRenderer.render(try ReportFixture.report("isotretinoin-noa")).contains("data as of \(clinic.today).\n"))
    }
}
