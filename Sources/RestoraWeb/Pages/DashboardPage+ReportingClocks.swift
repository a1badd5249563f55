import RestoraDomain

/// The dashboard's open reporting clocks (issue #15 item 3, docs/safety.md): every adverse event whose
/// expedited report is due at the user's sites, earliest due first, with the days left; an overdue clock is
/// a red row and the section opens with a `role="alert"` banner counting them. The rows come from
/// `DashboardQueries.openReportingClocks` (SQL, indexed, at most `DashboardModel.listLimit`).
enum ReportingClocksSection {
    static func view(_ model: DashboardModel) -> Node {
        let page = model.reportingClocks
        guard !page.rows.isEmpty else { return Layout.empty("No expedited report is due.") }
        let overdue = page.rows.filter { $0.event.value.openReportingClock?.isOverdue(today: model.today) == true }.count
        return .fragment([
            overdue == 0 ? .fragment([]) : el("p", ["class": "clock-overdue-banner", "role": "alert"]) {
                "\(overdue) expedited report\(overdue == 1 ? " is" : "s are") OVERDUE"
            },
            el("table", ["id": "reporting-clock-table"]) {
                el("thead") { el("tr") {
                    el("th") { "Due" }; el("th") { "Days left" }; el("th") { "Report" }; el("th") { "Participant" }; el("th") { "Event" }
                } }
                el("tbody") {
                    page.rows.compactMap { row -> Node? in
                        let e = row.event.value
                        guard let clock = e.openReportingClock else { return nil }
                        let left = clock.daysLeft(today: model.today)
                        return el("tr", ["class": left < 0 ? "reporting-clock-row clock-overdue" : "reporting-clock-row"]) {
                            el("td") { clock.dueOn.description }
                            el("td", ["class": "num"]) { left < 0 ? "OVERDUE by \(-left)" : "\(left)" }
                            el("td") { clock.label }
                            el("td") { row.participant.map { ParticipantText.crumb($0) } ?? .text(e.participantID.rawValue) }
                            el("td") { el("a", ["href": WebPath.adverseEvent(e.id)]) { "\(e.termText), grade \(e.grade)" } }
                        }
                    }
                }
            },
            page.total > page.rows.count ? el("p", ["class": "muted"]) { "Showing \(page.rows.count) of \(page.total)." } : .fragment([]),
        ])
    }
}
