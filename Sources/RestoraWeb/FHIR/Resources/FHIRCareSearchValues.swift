import Foundation
import RestoraDomain

/// A FHIR date search value (https://hl7.org/fhir/R4/search.html#date): an optional prefix
/// (eq ne lt le gt ge sa eb; `ap` is refused) and a date, partial date or dateTime, as the range of
/// milliseconds since 1970 it covers: `[start, end)`.
struct DateParameter: Sendable, Hashable {
    enum Prefix: String, Sendable, CaseIterable { case eq, ne, lt, le, gt, ge, sa, eb }

    var prefix: Prefix
    var start: Int
    var end: Int

    static let dayMillis = 86_400_000

    init(prefix: Prefix, start: Int, end: Int) {
        self.prefix = prefix
        self.start = start
        self.end = end
    }

    init(parsing raw: String, parameter: String) throws {
        var text = raw.replacingOccurrences(of: " ", with: "+")
        var prefix = Prefix.eq
        if text.count > 2, let found = Prefix(rawValue: String(text.prefix(2))) {
            prefix = found
            text = String(text.dropFirst(2))
        } else if text.hasPrefix("ap") {
            throw FHIRError.invalid("the ap prefix is not supported on \(parameter)", at: parameter)
        }
        guard let range = Self.range(text) else {
            throw FHIRError.invalid("'\(raw)' is not a date (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime with a zone) for \(parameter)", at: parameter)
        }
        self.init(prefix: prefix, start: range.start, end: range.end)
    }

    /// Whether a value covering `[start, end)` matches (the spec's range semantics).
    func matches(start s: Int, end e: Int) -> Bool {
        switch prefix {
        case .eq: return s >= start && e <= end
        case .ne: return !(s >= start && e <= end)
        case .lt: return s < start
        case .le: return s < end
        case .gt: return e > end
        case .ge: return e > start
        case .sa: return s >= end
        case .eb: return e <= start
        }
    }

    /// The condition on a day-precision value (a `CalendarDate`'s day number d covering `[d, d+1)` days),
    /// as inclusive day-number bounds; `negated` for `ne`.
    func dayBounds() -> (lower: Int?, upper: Int?, negated: Bool) {
        let d = Self.dayMillis
        func floorDiv(_ a: Int) -> Int { a >= 0 ? a / d : (a - d + 1) / d }
        func ceilDiv(_ a: Int) -> Int { -floorDiv(-a) }
        switch prefix {
        case .eq: return (ceilDiv(start), floorDiv(end) - 1, false)
        case .ne: return (ceilDiv(start), floorDiv(end) - 1, true)
        case .lt: return (nil, ceilDiv(start) - 1, false)
        case .le: return (nil, ceilDiv(end) - 1, false)
        case .gt: return (floorDiv(end), nil, false)
        case .ge: return (floorDiv(start), nil, false)
        case .sa: return (ceilDiv(end), nil, false)
        case .eb: return (nil, floorDiv(start) - 1, false)
        }
    }

    /// The day-precision condition as a text range of `YYYY-MM-DD` (SQL over a date column).
    func dayRange() -> FHIRAdverseEventCriteria.TextRange {
        let (lower, upper, negated) = dayBounds()
        return FHIRAdverseEventCriteria.TextRange(
            lower: lower.map { CalendarDate(dayNumber: $0).description },
            upper: upper.map { CalendarDate(dayNumber: $0 + 1).description }, negated: negated)
    }

    /// The condition on an instant (a stored `YYYY-MM-DDTHH:MM:SS.sssZ`, covering one millisecond) as a text range.
    func instantRange() -> FHIRAdverseEventCriteria.TextRange {
        func text(_ ms: Int) -> String { FHIRCare.sortKey(Date(timeIntervalSince1970: Double(ms) / 1000)) }
        switch prefix {
        case .eq: return .init(lower: text(start), upper: text(end))
        case .ne: return .init(lower: text(start), upper: text(end), negated: true)
        case .lt, .eb: return .init(lower: nil, upper: text(start))
        case .le: return .init(lower: nil, upper: text(end))
        case .gt, .sa: return .init(lower: text(end), upper: nil)
        case .ge: return .init(lower: text(start), upper: nil)
        }
    }

    /// Whether a day-precision value matches (the same as `matches` over the day's range).
    func matches(day: CalendarDate) -> Bool {
        let s = day.dayNumber * Self.dayMillis
        return matches(start: s, end: s + Self.dayMillis)
    }

    /// `[start, end)` in ms of `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or `YYYY-MM-DDThh:mm[:ss[.fff]](Z|±hh:mm)`.
    static func range(_ text: String) -> (start: Int, end: Int)? {
        let bytes = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            for b in bytes[from..<(from + count)] {
                guard (48...57).contains(b) else { return nil }
                value = value * 10 + Int(b) - 48
            }
            return value
        }
        guard let year = number(0, 4) else { return nil }
        if bytes.count == 4 {
            guard let first = CalendarDate(year: year, month: 1, day: 1) else { return nil }
            let next = CalendarDate(year: year + 1, month: 1, day: 1)?.dayNumber ?? first.adding(days: 366).dayNumber
            return (first.dayNumber * dayMillis, next * dayMillis)
        }
        guard bytes.count >= 7, bytes[4] == 45, let month = number(5, 2) else { return nil }
        if bytes.count == 7 {
            guard let first = CalendarDate(year: year, month: month, day: 1) else { return nil }
            let next = month == 12 ? CalendarDate(year: year + 1, month: 1, day: 1) : CalendarDate(year: year, month: month + 1, day: 1)
            return (first.dayNumber * dayMillis, (next?.dayNumber ?? first.adding(days: 31).dayNumber) * dayMillis)
        }
        guard bytes.count >= 10, bytes[7] == 45, let dayOfMonth = number(8, 2),
              let day = CalendarDate(year: year, month: month, day: dayOfMonth) else { return nil }
        let dayStart = day.dayNumber * dayMillis
        if bytes.count == 10 { return (dayStart, dayStart + dayMillis) }
        guard bytes.count >= 16, bytes[10] == 84, bytes[13] == 58, let hour = number(11, 2), let minute = number(14, 2),
              hour < 24, minute < 60 else { return nil }
        var index = 16
        var second = 0
        var millis = 0
        var precision = 60_000
        if index < bytes.count, bytes[index] == 58 {
            guard let s = number(index + 1, 2), s < 60 else { return nil }
            second = s
            precision = 1000
            index += 3
            if index < bytes.count, bytes[index] == 46 {
                index += 1
                var digits = 0
                var fraction = 0
                while index < bytes.count, (48...57).contains(bytes[index]) {
                    if digits < 3 { fraction = fraction * 10 + Int(bytes[index]) - 48 }
                    digits += 1
                    index += 1
                }
                guard digits > 0 else { return nil }
                for _ in 0..<max(0, 3 - min(digits, 3)) { fraction *= 10 }
                millis = fraction
                precision = 1
            }
        }
        var offset = 0
        guard index < bytes.count else { return nil }
        if bytes[index] == 90, index + 1 == bytes.count {
            offset = 0
        } else if bytes[index] == 43 || bytes[index] == 45, index + 6 == bytes.count, bytes[index + 3] == 58,
                  let oh = number(index + 1, 2), let om = number(index + 4, 2), oh < 24, om < 60 {
            offset = (oh * 60 + om) * 60_000 * (bytes[index] == 43 ? 1 : -1)
        } else {
            return nil
        }
        let start = dayStart + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis - offset
        return (start, start + precision)
    }
}

/// A token search value `[system|]code` (`system|` alone: any code of the system; `|code`: no system).
struct FHIRCareToken: Sendable, Hashable {
    var system: String?
    var code: String?

    static func parse(_ values: [String]) -> [FHIRCareToken] {
        values.map { value in
            guard let bar = value.firstIndex(of: "|") else { return FHIRCareToken(system: nil, code: value) }
            let system = String(value[..<bar])
            let code = String(value[value.index(after: bar)...])
            return FHIRCareToken(system: system, code: code.isEmpty ? nil : code)
        }
    }

    func matches(system s: String, code c: String) -> Bool {
        if let system, system != s { return false }
        if let code, code != c { return false }
        return true
    }
}
