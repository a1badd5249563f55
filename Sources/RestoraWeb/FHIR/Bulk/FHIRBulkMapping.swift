import Foundation
import RestoraDomain

/// One chunk of an export's NDJSON as bytes. Each resource is the resource owner's own mapping (the same JSON a read
/// returns: `FHIRPatientHandler.resource`, `FHIRObservationHandler.resource`, a handler's `stored`), written with
/// `meta` (versionId = the record's version, lastUpdated) right after `id`, as the server adds it to a read, straight
/// into the bytes: the resource is not copied to insert it. An exported BMD Observation carries no
/// least-significant-change verdict (that needs the previous scan; a read computes it).
struct FHIRBulkLines: Sendable {
    var bytes: [UInt8] = []
    var count = 0

    init(expected rows: Int = 0) { bytes.reserveCapacity(rows * 1024) }

    /// A resource as a handler stores it for a read, with its `meta`.
    mutating func add(_ stored: FHIRStoredResource) {
        add(stored.resource, version: stored.versionID, updated: stored.lastUpdated)
    }

    /// One line: `resource` with `meta` after its `id` (first when it has none), then a newline.
    mutating func add(_ resource: FHIRJSON, version: Int, updated: Date) {
        defer { bytes.append(0x0A); count += 1 }
        guard case .object(let members) = resource else { return resource.write(to: &bytes) }
        let at = (members.firstIndex { $0.0 == "id" }).map { $0 + 1 } ?? min(1, members.count)
        bytes.append(UInt8(ascii: "{"))
        for index in 0...members.count {
            if index == at {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                writeMeta(version: version, updated: updated)
            }
            guard index < members.count else { break }
            if index > 0 || at == 0 { bytes.append(UInt8(ascii: ",")) }
            FHIRJSON.writeMember(members[index].0, to: &bytes)
            members[index].1.write(to: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    private static let versionPrefix = Array(#""meta":{"versionId":""#.utf8)
    private static let updatedPrefix = Array(#"","lastUpdated":""#.utf8)
    private static let metaSuffix = Array(#""}"#.utf8)

    /// `"meta":{"versionId":"<version>","lastUpdated":"<instant>"}`.
    private mutating func writeMeta(version: Int, updated: Date) {
        bytes.append(contentsOf: Self.versionPrefix)
        FHIRJSON.writeInteger(version, to: &bytes)
        bytes.append(contentsOf: Self.updatedPrefix)
        FHIRBulkInstant.write(updated, to: &bytes)
        bytes.append(contentsOf: Self.metaSuffix)
    }
}

/// FHIR instants as `2025-06-07T09:00:00.000Z` (UTC, milliseconds), without a formatter per call: the same text as
/// a read's `meta.lastUpdated` (`FHIRHTTP.instant`: nudged by 1 µs, then cut to the millisecond; cut alone, about
/// one stored instant in nine came out a millisecond early).
enum FHIRBulkInstant {
    static func text(_ date: Date) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        write(date, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The instant's 24 bytes appended to `out`.
    static func write(_ date: Date, to out: inout [UInt8]) {
        let millis = Int64((date.addingTimeInterval(0.000_001).timeIntervalSince1970 * 1000).rounded(.down))
        var days = millis / 86_400_000
        var rest = millis % 86_400_000
        if rest < 0 { rest += 86_400_000; days -= 1 }
        let (year, month, day) = FHIRInstantText.civil(fromDays: days)
        func digits(_ value: Int64, _ count: Int) {
            var divisor: Int64 = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 { out.append(UInt8(48 + value / divisor % 10)); divisor /= 10 }
        }
        digits(year, 4); out.append(UInt8(ascii: "-")); digits(month, 2); out.append(UInt8(ascii: "-")); digits(day, 2)
        out.append(UInt8(ascii: "T")); digits(rest / 3_600_000, 2); out.append(UInt8(ascii: ":")); digits(rest / 60_000 % 60, 2)
        out.append(UInt8(ascii: ":")); digits(rest / 1000 % 60, 2); out.append(UInt8(ascii: ".")); digits(rest % 1000, 3)
        out.append(UInt8(ascii: "Z"))
    }

    /// A FHIR `instant`/`dateTime` of `_since`: a full date and time with a zone (or `Z`), fractional seconds allowed;
    /// a date alone (`2025-06-07`) is its start in UTC. nil when it is none of these.
    static func parse(_ text: String) -> Date? {
        let full = ISO8601DateFormatter()
        full.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = full.date(from: text) { return date }
        full.formatOptions = [.withInternetDateTime]
        if let date = full.date(from: text) { return date }
        full.formatOptions = [.withFullDate]
        full.timeZone = TimeZone(identifier: "UTC")
        if text.count == 10, let date = full.date(from: text) { return date }
        return nil
    }
}
