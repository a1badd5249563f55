import Foundation

/// Reads the instants the store writes (`StoredJSON.format`: `2025-06-07T09:00:00.000Z`, UTC, milliseconds)
/// straight from their 24 bytes, without Foundation's ISO 8601 parser (≈ 6 % of a large export's time,
/// issue #18). It gives exactly the `Date` Foundation's `ISO8601FormatStyle` gives — checked bit for bit
/// against it in the storage tests — and returns nil for anything else, which `StoredJSON.parse` then hands to
/// Foundation: another layout, an impossible date or time (Foundation decides what it makes of those), and
/// instants within 2^23 s (97 days) of 2001-01-01, where Foundation's fraction can differ from ours in the last
/// bit of the `Double`.
enum StoredInstant {
    /// Seconds from 2001-01-01 (Foundation's reference date) under which the fast path steps aside.
    static let foundationNearReference = 8_388_608

    static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    static func parse(bytes b: UnsafeBufferPointer<UInt8>) -> Date? {
        guard b.count == 24, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b[19] == UInt8(ascii: "."), b[23] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for index in start..<(start + count) {
                let digit = Int(b[index]) &- 48
                guard digit >= 0, digit <= 9 else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
              let minute = number(14, 2), let second = number(17, 2), let millisecond = number(20, 3),
              (1...12).contains(month), day >= 1, day <= daysIn(month, of: year), hour < 24, minute < 60, second < 60
        else { return nil }
        let sinceReference = daysFrom1970(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second - 978_307_200
        guard abs(sinceReference) >= foundationNearReference else { return nil }
        return Date(timeIntervalSinceReferenceDate: Double(sinceReference) + Double(millisecond) / 1_000)
    }

    static func daysIn(_ month: Int, of year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (the civil-from-days algorithm of
    /// H. Hinnant, "chrono-compatible low-level date algorithms", run backwards).
    static func daysFrom1970(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
