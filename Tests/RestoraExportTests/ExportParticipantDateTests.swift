import Foundation
import RestoraDomain
import Testing
@testable import RestoraExport

/// The date texts every export writes: checked against Foundation's Calendar in UTC on instants across 1900–2100,
/// before and after 1970, at the first and last second of a day and with fractions of a second.
@Suite struct ExportParticipantDateTests {
    static func calendarText(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    @Test func dateTimeTextAgreesWithTheCalendarInUTC() {
        var generator = SystemRandomNumberGenerator()
        var instants: [Double] = [0, -1, 86_399, 86_400, -86_400, -86_401, 951_782_400 /* 2000-02-29 */, 4_107_542_399]
        for _ in 0..<5_000 {
            instants.append(Double(Int64.random(in: -2_208_988_800...4_102_444_800, using: &generator)))
        }
        instants.append(1_700_000_000.75)
        instants.append(-1_700_000_000.25)
        for seconds in instants {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(ExportParticipant.isoText(CalendarDate(date), secondsOfDay: nil) == String(Self.calendarText(date).prefix(10)))
            let text = ExportParticipant.isoText(
                CalendarDate(date), secondsOfDay: Int((seconds - (seconds / 86_400).rounded(.down) * 86_400).rounded(.down)))
            #expect(text == Self.calendarText(date), "\(seconds)")
        }
    }

    @Test func yearPrecisionWritesTheYearAloneAndNoStudyDay() throws {
        let date = try #require(CalendarDate("2025-03-04"))
        #expect(ExportParticipant.yearText(2025) == "2025")
        #expect(ExportParticipant.yearText(987) == "0987")
        #expect(ExportParticipant.isoText(date, secondsOfDay: nil) == "2025-03-04")
        #expect(ExportParticipant.isoText(date, secondsOfDay: 86_399) == "2025-03-04T23:59:59")
    }
}
