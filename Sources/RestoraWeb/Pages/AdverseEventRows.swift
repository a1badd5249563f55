import RestoraDomain

/// The participant page's adverse events (docs/safety.md): each term links to its page; an uncoded term
/// says so; the column "Report" shows the open clock (overdue in red) or nothing.
enum AdverseEventRows {
    static func table(_ events: [Versioned<AdverseEvent>], today: CalendarDate, canReadAudit: Bool) -> Node {
        guard !events.isEmpty else { return Layout.empty("No adverse events.") }
        return el("table") {
            el("thead") { el("tr") {
                el("th") { "Onset" }; el("th") { "Term" }; el("th", ["class": "num"]) { "Grade" }; el("th") { "Relatedness" }
                el("th") { "Serious" }; el("th") { "Expected" }; el("th") { "Outcome" }; el("th") { "Report" }; el("th") { "" }
            } }
            el("tbody") {
                events.map { stored in
                    let e = stored.value
                    return el("tr", ["class": "adverse-event-row"]) {
                        el("td") { e.onset.description }
                        el("td") {
                            el("a", ["class": "adverse-event-link", "href": WebPath.adverseEvent(e.id)]) { e.termText }
                            if !e.isCoded { el("span", ["class": "badge uncoded"]) { " uncoded" } }
                        }
                        el("td", ["class": "num grade-\(e.grade)"]) { "\(e.grade)" }
                        el("td") { e.relatedness.rawValue }
                        el("td") { e.isSerious ? "yes" : "no" }
                        el("td") { e.expected ? "yes" : "no" }
                        el("td") { e.outcome.rawValue }
                        el("td") { clockCell(e, today: today) }
                        el("td") {
                            if canReadAudit { el("a", ["class": "history-link", "href": WebPath.audit("adverse-events", e.id.rawValue)]) { "History" } }
                        }
                    }
                }
            }
        }
    }

    static func clockCell(_ e: AdverseEvent, today: CalendarDate) -> Node {
        guard let clock = e.openReportingClock else { return .fragment([]) }
        let left = clock.daysLeft(today: today)
        return el("span", ["class": left < 0 ? "clock clock-overdue" : "clock"]) {
            left < 0 ? "OVERDUE \(-left) d (due \(clock.dueOn))" : "due \(clock.dueOn) (\(left) d left)"
        }
    }
}
