import Foundation
import Testing
@testable import RestoraDomain

/// Record ids are version-7 UUIDs (RFC 9562 §5.7): the time first, so ids made one after another sort one
/// after another and a bulk insert appends to the id indexes.
@Suite("Record ids: time-ordered UUIDs")
struct RecordIDTests {
    /// 2026-12-06T12:00:00.125Z (exact in binary), whose Unix time in milliseconds is 1,796,558,400,125 = 0x01A2_4B39_AA7D.
    let instant = Date(timeIntervalSince1970: 1_796_558_400.125)

    @Test("an id is a lower-case UUID of version 7 and the RFC variant, its first 48 bits the clock's milliseconds")
    func versionVariantAndTime() throws {
        let id = UUIDGenerator(clock: FixedClock(instant)).next()
        #expect(id == id.lowercased())
        let uuid = try #require(UUID(uuidString: id))
        let bytes = withUnsafeBytes(of: uuid.uuid) { Array($0) }
        #expect(bytes[6] >> 4 == 7, "version nibble of \(id)")
        #expect(bytes[8] >> 6 == 0b10, "variant bits of \(id)")
        let milliseconds = bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(milliseconds == 1_796_558_400_125)
        #expect(id.hasPrefix("01a24b39-aa7d-7"))
    }

    @Test("ids of the same millisecond differ; an id of a later millisecond sorts after")
    func uniqueAndOrdered() {
        let now = UUIDGenerator(clock: FixedClock(instant))
        let ids = (0..<1000).map { _ in now.next() }
        #expect(Set(ids).count == 1000)
        let later = UUIDGenerator(clock: FixedClock(instant.addingTimeInterval(0.001))).next()
        #expect(ids.allSatisfy { $0 < later })
        let earlier = UUIDGenerator(clock: FixedClock(instant.addingTimeInterval(-0.001))).next()
        #expect(ids.allSatisfy { earlier < $0 })
    }
}
