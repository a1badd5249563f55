import Foundation
import RestoraDomain

/// The resource each exported row becomes: the resource owners' own mapping (`FHIRPatientHandler.resource`,
/// `FHIRObservationHandler.resource`: the same JSON a read returns), with `meta` (versionId = the record's version,
/// lastUpdated) added as the server adds it to a read. An exported BMD Observation carries no least-significant-change
/// verdict (that needs the previous scan; a read computes it).
enum FHIRBulkMapping {
    static func patient(_ participant: Versioned<Participant>, sites: [Identifier<Site>: Site]) -> FHIRJSON {
        withMeta(FHIRPatientHandler.resource(participant.value, site: sites[participant.value.siteID]), participant.version, participant.updatedAt)
    }

    static func observation(_ observation: Versioned<Observation>) -> FHIRJSON {
        withMeta(FHIRObservationHandler.resource(observation), observation.version, observation.updatedAt)
    }

    /// A resource as a handler stores it for a read, with its `meta`.
    static func line(_ stored: FHIRStoredResource) -> FHIRJSON {
        withMeta(stored.resource, stored.versionID, stored.lastUpdated)
    }

    /// `meta` right after `id`, as the server writes it on a read.
    static func withMeta(_ resource: FHIRJSON, _ version: Int, _ updated: Date) -> FHIRJSON {
        guard case .object(var members) = resource else { return resource }
        let meta = FHIRJSON.object([("versionId", .string(String(version))), ("lastUpdated", .string(FHIRBulkInstant.text(updated)))])
        let at = (members.firstIndex { $0.0 == "id" }).map { $0 + 1 } ?? min(1, members.count)
        members.insert(("meta", meta), at: at)
        return .object(members)
    }
}

/// FHIR instants as `2025-06-07T09:00:00.000Z` (UTC, milliseconds), without a formatter per call.
enum FHIRBulkInstant {
    static func text(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(millis >= 0 ? millis / 1000 : (millis - 999) / 1000)
        let ms = Int(millis - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let msText = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(msText)Z"
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
