import Foundation
import Testing
@testable import RestoraDomain

@Test(arguments: ["2025-02-30", "2025-13-01", "2025-1-01", "25-01-01", "2025-01-01T00:00", "", "abcd-ef-gh", "2025-00-10"])
func malformedDatesAreRefused(text: String) {
    #expect(CalendarDate(text) == nil)
}

@Test func leapDayExistsOnlyInLeapYears() {
    #expect(CalendarDate("2024-02-29") != nil)
    #expect(CalendarDate("2023-02-29") == nil)
    #expect(CalendarDate("2000-02-29") != nil)
    #expect(CalendarDate("1900-02-29") == nil)
}

@Test func dayNumbersMatchUnixDays() throws {
    // 1970-01-01 is day 0; 2000-03-01 is day 11017 (Unix timestamp 951868800 / 86400).
    #expect(CalendarDate("1970-01-01")?.dayNumber == 0)
    #expect(CalendarDate("2000-03-01")?.dayNumber == 11017)
    #expect(CalendarDate("1969-12-31")?.dayNumber == -1)
    let d = try #require(CalendarDate("2026-11-21"))
    #expect(CalendarDate(dayNumber: d.dayNumber) == d)
    #expect(d.adding(days: 10).description == "2026-12-01")
    #expect(d.adding(days: -325).description == "2025-12-31")
    #expect(CalendarDate(Date(timeIntervalSince1970: 951_868_800 + 86_399)).description == "2000-03-01")
}

@Test func ageIsCompletedYears() throws {
    let birth = try #require(CalendarDate("1990-06-15"))
    #expect(birth.age(on: try #require(CalendarDate("2025-06-14"))) == 34)
    #expect(birth.age(on: try #require(CalendarDate("2025-06-15"))) == 35)
    let leapling = try #require(CalendarDate("2000-02-29"))
    #expect(leapling.age(on: try #require(CalendarDate("2021-02-28"))) == 20)
    #expect(leapling.age(on: try #require(CalendarDate("2021-03-01"))) == 21)
}

@Test func datesRoundTripThroughJSON() throws {
    let date = try #require(CalendarDate("2026-01-05"))
    let data = try JSONEncoder().encode([date])
    #expect(String(decoding: data, as: UTF8.self) == "[\"2026-01-05\"]")
    #expect(try JSONDecoder().decode([CalendarDate].self, from: data) == [date])
    #expect(throws: DecodingError.self) {
        try JSONDecoder().decode([CalendarDate].self, from: Data("[\"2026-02-31\"]".utf8))
    }
}
