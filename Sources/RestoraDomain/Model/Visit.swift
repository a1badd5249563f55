/// A planned or recorded visit of an enrolment. `plannedDay` is the protocol's day offset from the start
/// (day 0 = first dose or injection); the window is inclusive on both sides.
public struct Visit: Hashable, Sendable, Codable, Identifiable {
    public enum Status: String, Hashable, Sendable, Codable, CaseIterable {
        case scheduled, completed, missed, cancelled
    }

    public var id: Identifier<Visit>
    public var enrolmentID: Identifier<Enrolment>
    /// The protocol's visit definition id, e.g. "month-3".
    public var visitKey: String
    public var plannedDay: Int
    public var windowBefore: Int
    public var windowAfter: Int
    public var actualDate: CalendarDate?
    public var status: Status
    public var note: String?

    public init(
        id: Identifier<Visit>, enrolmentID: Identifier<Enrolment>, visitKey: String, plannedDay: Int,
        windowBefore: Int, windowAfter: Int, actualDate: CalendarDate? = nil, status: Status = .scheduled,
        note: String? = nil
    ) {
        self.id = id
        self.enrolmentID = enrolmentID
        self.visitKey = visitKey
        self.plannedDay = plannedDay
        self.windowBefore = windowBefore
        self.windowAfter = windowAfter
        self.actualDate = actualDate
        self.status = status
        self.note = note
    }
}
