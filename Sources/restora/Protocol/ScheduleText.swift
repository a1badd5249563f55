import Foundation
import RestoraDomain

/// The human-readable visit calendar: one line per visit with its window and state.
enum ScheduleText {
    static func render(_ schedule: VisitSchedule) -> String {
        var lines = ["\(schedule.protocolID) v\(schedule.protocolVersion): day 0 = \(schedule.start), today = \(schedule.today)"]
        let width = schedule.visits.map(\.visit.key.count).max() ?? 0
        for item in schedule.visits {
            let visit = item.visit
            let key = visit.key.padding(toLength: width, withPad: " ", startingAt: 0)
            var line = "  \(key)  day \(String(visit.day).leftPad(4))  \(visit.planned)  window \(visit.earliest)…\(visit.latest)  \(item.state.rawValue)"
            if let actual = item.actualDate, let offset = item.daysFromPlanned {
                line += " on \(actual) (\(offset >= 0 ? "+" : "")\(offset) d)"
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
