/// A participant's visit calendar from a start date (day 0), with each visit's state on "today".
public struct VisitSchedule: Hashable, Sendable, Codable {
    public var protocolID: String
    public var protocolVersion: String
    public var start: CalendarDate
    public var today: CalendarDate
    public var visits: [ScheduledVisit]

    public init(protocolID: String, protocolVersion: String, start: CalendarDate, today: CalendarDate,
                visits: [ScheduledVisit]) {
        self.protocolID = protocolID
        self.protocolVersion = protocolVersion
        self.start = start
        self.today = today
        self.visits = visits
    }

    public func visit(_ key: String) -> ScheduledVisit? { visits.first { $0.visit.key == key } }
}

/// Builds visit calendars. Pure: the same protocol, dates and records always give the same schedule.
public enum ScheduleEngine {
    /// The protocol's visits placed on dates, day 0 = `start`.
    public static func calendar(for definition: ProtocolDefinition, start: CalendarDate) -> [PlannedVisit] {
        definition.schedule.map { PlannedVisit($0, start: start) }
    }

    /// The calendar with each visit's state on `today`, given what was recorded. A record for a visit key
    /// the protocol does not have is refused (a typo must not make a visit look unattended).
    ///
    /// `dataDates` are the dates clinical data of this enrolment were entered for (observations): a visit with
    /// nothing recorded whose window holds one of them is done — completed in its window on the first such
    /// date, with `dataDate` set (docs/visits.md "Data entered in the window"). The calendar derives it; no
    /// visit row is written, and a recorded attendance or miss always wins over data.
    public static func schedule(
        for definition: ProtocolDefinition, start: CalendarDate, today: CalendarDate,
        records: [String: VisitRecord] = [:], dataDates: [CalendarDate] = []
    ) throws(DomainError) -> VisitSchedule {
        let planned = calendar(for: definition, start: start)
        let (effective, fromData) = try effectiveRecords(planned, definition: definition, records: records, dataDates: dataDates)
        let visits = planned.enumerated().map { index, visit in
            var resolved = ScheduledVisit(visit: visit, state: .upcoming, actualDate: nil)
                .resolved(record: effective[visit.key], today: today,
                          next: index + 1 < planned.count ? planned[index + 1] : nil,
                          laterAttended: planned[(index + 1)...].contains { effective[$0.key].map(\.isAttended) ?? false })
            if fromData.contains(visit.key) { resolved.dataDate = resolved.actualDate }
            return resolved
        }
        return VisitSchedule(protocolID: definition.id, protocolVersion: definition.version, start: start,
                             today: today, visits: visits)
    }
}

extension ScheduleEngine {
    /// What counts as recorded for each visit: the records, plus each unrecorded visit whose window holds a data
    /// date, attended on the first such date (`fromData` names those). Refuses a record for an unknown visit.
    static func effectiveRecords(
        _ planned: [PlannedVisit], definition: ProtocolDefinition, records: [String: VisitRecord], dataDates: [CalendarDate]
    ) throws(DomainError) -> (effective: [String: VisitRecord], fromData: Set<String>) {
        let keys = planned.map(\.key)
        for key in records.keys.sorted() where !keys.contains(key) {
            throw .notFound(kind: "visit", id: key,
                            message: "unknown visit '\(key)' for protocol \(definition.id); visits: \(keys.joined(separator: ", "))")
        }
        var effective = records
        var fromData: Set<String> = []
        let sortedDates = dataDates.sorted()
        for visit in planned where records[visit.key] == nil {
            if let first = sortedDates.first(where: visit.contains) {
                effective[visit.key] = .attended(first)
                fromData.insert(visit.key)
            }
        }
        return (effective, fromData)
    }
}

extension VisitRecord {
    var isAttended: Bool { if case .attended = self { true } else { false } }
}

extension ScheduledVisit {
    /// The state rules of docs/protocol-format.md ("Visit states").
    func resolved(record: VisitRecord?, today: CalendarDate, next: PlannedVisit?, laterAttended: Bool) -> ScheduledVisit {
        switch record {
        case let .attended(date):
            return ScheduledVisit(visit: visit, state: visit.contains(date) ? .completedInWindow : .completedOutOfWindow,
                                  actualDate: date)
        case .missed:
            return ScheduledVisit(visit: visit, state: .missed)
        case nil:
            if today < visit.earliest { return ScheduledVisit(visit: visit, state: .upcoming) }
            if visit.contains(today) { return ScheduledVisit(visit: visit, state: .due) }
            let nextOpened = next.map { today >= $0.earliest } ?? false
            return ScheduledVisit(visit: visit, state: nextOpened || laterAttended ? .missed : .overdue)
        }
    }
}
