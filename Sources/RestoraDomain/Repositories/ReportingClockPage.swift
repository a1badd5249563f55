/// The dashboard's open reporting clocks (issue #15 item 3): adverse events whose expedited report is due,
/// earliest due date first (overdue ones on top), with the total count beyond the page.
public struct ReportingClockPage: Sendable {
    public var total: Int
    public var rows: [(event: Versioned<AdverseEvent>, participant: Participant?)]

    public init(total: Int, rows: [(event: Versioned<AdverseEvent>, participant: Participant?)]) {
        self.total = total
        self.rows = rows
    }
}
