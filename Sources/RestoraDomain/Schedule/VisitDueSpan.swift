/// The dates on which an unrecorded visit is on the clinic's list of visits to see: upcoming from
/// `lookAheadDays` before its window opens, due in its window, then overdue until the next visit's window opens
/// (the last visit: until it is recorded) — the states of docs/protocol-format.md "Visit states" read the other
/// way round, as a span of "today"s instead of a state on one today. They depend only on day 0, the schedule
/// and what was recorded, never on today, so they can be kept (the dashboard's cache, BENCHMARKS.md "Dashboard:
/// visits due from kept spans") and read for any today: `state(on:)` equals the state `ScheduleEngine.schedule`
/// gives that visit on that day whenever it is upcoming within the look-ahead, due or overdue.
public struct VisitDueSpan: Hashable, Sendable {
    public var visitKey: String
    /// The visit's position in the schedule (the order the calendar lists visits in).
    public var visitIndex: Int
    public var title: String
    /// The visit's window (inclusive).
    public var earliest: CalendarDate
    public var latest: CalendarDate
    /// The first day the visit is listed: `lookAheadDays` before `earliest`.
    public var shownFrom: CalendarDate
    /// The last day it is listed; nil: every day from `shownFrom` on, until it is recorded (the last visit).
    public var shownThrough: CalendarDate?

    public init(visitKey: String, visitIndex: Int, title: String, earliest: CalendarDate, latest: CalendarDate,
                shownFrom: CalendarDate, shownThrough: CalendarDate?) {
        self.visitKey = visitKey
        self.visitIndex = visitIndex
        self.title = title
        self.earliest = earliest
        self.latest = latest
        self.shownFrom = shownFrom
        self.shownThrough = shownThrough
    }

    /// Upcoming, due or overdue on `today`; nil when the visit is not listed that day.
    public func state(on today: CalendarDate) -> VisitState? {
        guard shownFrom <= today, shownThrough.map({ today <= $0 }) ?? true else { return nil }
        if today < earliest { return .upcoming }
        return today <= latest ? .due : .overdue
    }
}

extension ScheduleEngine {
    /// The span of each visit that is neither recorded nor done by data in its window (`schedule`'s rules):
    /// from `lookAheadDays` before its window, through the day before the next visit's window opens (at least
    /// through its own window), or only through its window when a later visit was attended; the last visit's
    /// span has no end.
    public static func dueSpans(
        for definition: ProtocolDefinition, start: CalendarDate, records: [String: VisitRecord] = [:],
        dataDates: [CalendarDate] = [], lookAheadDays: Int
    ) throws(DomainError) -> [VisitDueSpan] {
        let planned = calendar(for: definition, start: start)
        let (effective, _) = try effectiveRecords(planned, definition: definition, records: records, dataDates: dataDates)
        return planned.indices.compactMap { index in
            let visit = planned[index]
            guard effective[visit.key] == nil else { return nil }
            let later = planned[(index + 1)...]
            let laterAttended = later.contains { effective[$0.key].map(\.isAttended) ?? false }
            let through: CalendarDate? = laterAttended ? visit.latest
                : later.first.map { max(visit.latest, $0.earliest.adding(days: -1)) }
            return VisitDueSpan(visitKey: visit.key, visitIndex: index, title: visit.title, earliest: visit.earliest,
                                latest: visit.latest, shownFrom: visit.earliest.adding(days: -lookAheadDays), shownThrough: through)
        }
    }
}

extension ScheduleCandidate {
    /// The spans of this enrolment under `definition` (the version it runs under), as the dashboard lists them:
    /// none for a closed enrolment or a calendar that cannot be built; recorded visits the protocol does not
    /// have are left out (they cannot make a visit of this version done).
    public func dueSpans(definition: ProtocolDefinition, lookAheadDays: Int) -> [VisitDueSpan] {
        guard !ClinicalEntry.closedStatuses.contains(status) else { return [] }
        let known = Set(definition.schedule.map(\.key))
        return (try? ScheduleEngine.dueSpans(for: definition, start: dayZero, records: records.filter { known.contains($0.key) },
                                             dataDates: dataDates, lookAheadDays: lookAheadDays)) ?? []
    }
}

extension VisitDueSpan {
    /// What kept spans were computed with: every loaded version's schedule (keys, titles, days, windows), each
    /// program's protocol and version, and the look-ahead. A change to any of them makes the kept spans stale.
    /// FNV-1a (64 bits) of that text: a change detector, not a security measure.
    public static func fingerprint(catalog: ProtocolCatalog, programs: [Program], lookAheadDays: Int) -> String {
        var text = "look-ahead \(lookAheadDays)\n"
        for definition in (catalog.protocols + catalog.amendments).sorted(by: { ($0.id, $0.version) < ($1.id, $1.version) }) {
            text += "protocol \(definition.id)@\(definition.version)\n"
            for visit in definition.schedule {
                text += "visit \(visit.key)\t\(visit.title)\t\(visit.day)\t\(visit.earliestDay)\t\(visit.latestDay)\n"
            }
        }
        for program in programs.sorted(by: { $0.id < $1.id }) {
            text += "program \(program.id.rawValue)\t\(program.protocolID)\t\(program.protocolVersion)\n"
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
