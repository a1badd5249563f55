import Foundation
import RestoraDomain

/// The "data as of" date of a study report: one rule for every door (issue #19), so the web app's report and
/// `restora report` on the same database print the same date, and the report says which rule gave it.
///
/// 1. A cut-off chosen for the report (`restora report --as-of`) wins.
/// 2. Otherwise a demo database reports as of the demo clinic's fixed "today" (`InstanceSetting.demoToday`),
///    the day its synthetic records stop; a date after it would count every scheduled visit since as missed.
/// 3. Otherwise today's date in UTC (`CalendarDate(Date)`), on the clock of the process making the report.
public struct ReportCutOff: Sendable, Equatable {
    public enum Basis: String, Sendable, Equatable {
        case chosen, demoToday = "demo-today", today
    }

    public var date: CalendarDate
    public var basis: Basis

    public init(date: CalendarDate, basis: Basis) {
        self.date = date
        self.basis = basis
    }

    public static func resolve(chosen: CalendarDate?, demoToday: CalendarDate?, now: Date) -> ReportCutOff {
        if let chosen { return ReportCutOff(date: chosen, basis: .chosen) }
        if let demoToday { return ReportCutOff(date: demoToday, basis: .demoToday) }
        return ReportCutOff(date: CalendarDate(now), basis: .today)
    }

    /// Printed after the date in every rendering.
    public var rule: String {
        switch basis {
        case .chosen: "the cut-off chosen for this report"
        case .demoToday: "the fixed today of the demo clinic, when its synthetic records stop"
        case .today: "today's date (UTC) when the report was made"
        }
    }
}

extension StudyReport {
    /// The report with its cut-off rule stated (`program.asOfRule`); the date is the dataset's `asOf`.
    public func stating(_ cutOff: ReportCutOff) -> StudyReport {
        var report = self
        report.program.asOfRule = cutOff.rule
        return report
    }
}
