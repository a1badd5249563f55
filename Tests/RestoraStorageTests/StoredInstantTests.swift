import Foundation
@testable import RestoraStorage
import Testing

/// Issue #18: stored instants are read without Foundation's ISO 8601 parser (`StoredInstant`), and must give
/// the very same `Date` — bit for bit — as `Date.ISO8601FormatStyle` did, or step aside for it.
@Suite("Stored instants read without Foundation's parser")
struct StoredInstantTests {
    static let foundation = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// A small fixed generator, so a failure names an instant that can be found again.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test("every instant the store writes reads back as Foundation reads it, bit for bit (200,000 instants, 1900–2100)")
    func sameDateAsFoundation() throws {
        var random = SplitMix(state: 18)
        var fast = 0
        for _ in 0..<200_000 {
            let milliseconds = Int64.random(in: -2_208_988_800_000...4_102_444_800_000, using: &random)
            let text = StoredJSON.format(Date(timeIntervalSince1970: Double(milliseconds) / 1_000))
            let expected = try Self.foundation.parse(text)
            let read = try #require(StoredJSON.parse(text), "\(text)")
            #expect(read.timeIntervalSinceReferenceDate.bitPattern == expected.timeIntervalSinceReferenceDate.bitPattern, "\(text)")
            if StoredInstant.parse(text) != nil { fast += 1 }
        }
        // Only the 194 days around 2001-01-01 go to Foundation: nearly every instant takes the fast path.
        #expect(fast > 199_000)
    }

    @Test("calendar edges: leap days, month and year ends, the store's demo dates")
    func edges() throws {
        for text in ["2024-02-29T23:59:59.999Z", "2000-02-29T00:00:00.000Z", "1900-03-01T00:00:00.000Z",
                     "1970-01-01T00:00:00.000Z", "1969-12-31T23:59:59.999Z", "2025-12-31T23:59:59.001Z",
                     "2026-12-04T22:11:42.224Z", "2100-02-28T12:00:00.500Z", "1999-12-31T23:59:59.999Z"] {
            let expected = try Self.foundation.parse(text)
            #expect(StoredInstant.parse(text)?.timeIntervalSinceReferenceDate.bitPattern
                    == expected.timeIntervalSinceReferenceDate.bitPattern, "\(text)")
        }
    }

    @Test("near 2001-01-01, other layouts and impossible dates go to Foundation, which decides")
    func otherTextGoesToFoundation() {
        for text in ["2001-01-01T00:00:00.123Z", "2000-12-24T11:30:41.886Z",      // near the reference date
                     "2025-06-07T09:00:00Z", "2025-06-07T09:00:00.000+02:00",       // other layouts
                     "2025-02-30T09:00:00.000Z", "2025-13-01T09:00:00.000Z",        // impossible dates
                     "2025-06-07T24:00:00.000Z", "2025-06-07T09:60:00.000Z", "2025-06-07T09:00:60.000Z",
                     "2025-06-07 09:00:00.000Z", "2O25-06-07T09:00:00.000Z", ""] {
            #expect(StoredInstant.parse(text) == nil, "\(text)")
            let expected = try? Self.foundation.parse(text)
            #expect(StoredJSON.parse(text)?.timeIntervalSinceReferenceDate.bitPattern
                    == expected?.timeIntervalSinceReferenceDate.bitPattern, "\(text)")
        }
    }
}
