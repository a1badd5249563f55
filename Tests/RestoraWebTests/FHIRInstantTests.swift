import Foundation
@testable import RestoraWeb
import Testing

@Suite("FHIR instants")
struct FHIRInstantTests {
    @Test("a stored time is served as the store's own text: every millisecond of a second round-trips through meta.lastUpdated")
    func storedMillisecondsRoundTrip() throws {
        // The store writes this style and reads it back to the same Date (StoredInstant is checked bit for bit
        // against it); about half of these were served 1 ms early before FHIRHTTP.instant allowed for the Double.
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        for second in ["2026-12-05T15:42:33", "2001-01-01T00:00:00", "1999-12-31T23:59:59", "2100-02-28T12:00:59"] {
            for ms in 0..<1000 {
                let text = second + "." + String(ms + 1000).dropFirst() + "Z"
                #expect(FHIRHTTP.instant(try style.parse(text)) == text)
            }
        }
    }

    @Test("a time between milliseconds keeps its millisecond (truncated, as the store writes it)")
    func subMillisecondTruncates() throws {
        let base = try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse("2026-12-05T15:42:33.123Z")
        #expect(FHIRHTTP.instant(base.addingTimeInterval(0.000_4)) == "2026-12-05T15:42:33.123Z")
        #expect(FHIRHTTP.instant(base.addingTimeInterval(0.000_9)) == "2026-12-05T15:42:33.123Z")
    }
}
