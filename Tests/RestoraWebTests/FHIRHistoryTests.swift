import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// vread and `_history` of earlier versions through the real application (`WebHarness`: p-a at site A, p-b at
/// site B; the coordinator sees site A only): every audited change is a version, rebuilt from the audit trail
/// and mapped like a read (docs/fhir.md "Versions and history"); deletions are deleted history entries.
@Suite("FHIR history")
struct FHIRHistoryTests {
    static func json(_ buffer: ByteBuffer) -> FHIRJSON { (try? FHIRJSON.parse(buffer.readableBytesView)) ?? .null }

    static func context(_ reason: String) -> AuditContext {
        AuditContext(actor: Actor(userID: "u-investigator", role: "investigator"), requestID: UUID().uuidString, reason: reason)
    }

    /// Writes at distinct instants (the store's clock has millisecond resolution).
    static func tick() async throws { try await Task.sleep(for: .milliseconds(5)) }

    /// p-a updated twice: given name "Ana" (1) → "Anabel" (2) → MRN A-009 (3).
    static func updatePatientTwice(_ h: WebHarness) async throws {
        let repos = h.database.repositories
        var p = try await repos.participants.get("p-a").value
        try await tick()
        p.givenName = "Anabel"
        _ = try await repos.participants.update(p, expectedVersion: 1, context: Self.context("name misspelt"))
        try await tick()
        p.mrn = "A-009"
        _ = try await repos.participants.update(p, expectedVersion: 2, context: Self.context("MRN corrected"))
    }

    static func given(_ patient: FHIRJSON) -> String? {
        patient["name"]?.arrayValue?.first?["given"]?.arrayValue?.first?.stringValue
    }

    @Test("vread: version 1 after two updates has the old values; each version its own ETag; unknown version and other site 404")
    func vread() async throws {
        try await WebHarness.with { h, client in
            try await Self.updatePatientTwice(h)
            for (version, given, mrn) in [(1, "Ana", "A-001"), (2, "Anabel", "A-001"), (3, "Anabel", "A-009")] {
                try await client.execute(uri: "/fhir/Patient/p-a/_history/\(version)", method: .get, headers: h.headers(.coordinator)) { r in
                    #expect(r.status == .ok)
                    #expect(r.headers[.eTag] == "W/\"\(version)\"")
                    let p = Self.json(r.body)
                    #expect(p["meta"]?["versionId"]?.stringValue == "\(version)")
                    #expect(Self.given(p) == given)
                    #expect(p["identifier"]?.arrayValue?.first?["value"]?.stringValue == mrn)
                }
            }
            for path in ["p-a/_history/4", "p-a/_history/0", "p-a/_history/x", "no-such/_history/1", "p-b/_history/1"] {
                try await client.execute(uri: "/fhir/Patient/\(path)", method: .get, headers: h.headers(.coordinator)) { r in
                    #expect(r.status == .notFound, "\(path)")
                    #expect(Self.json(r.body)["resourceType"]?.stringValue == "OperationOutcome")
                }
            }
            // The admin sees every site.
            try await client.execute(uri: "/fhir/Patient/p-b/_history/1", method: .get, headers: h.headers(.admin)) { r in
                #expect(r.status == .ok)
            }
        }
    }

    @Test("instance _history: every version newest first with its ETag, request method and time; other site 404")
    func instanceHistory() async throws {
        try await WebHarness.with { h, client in
            try await Self.updatePatientTwice(h)
            try await client.execute(uri: "/fhir/Patient/p-a/_history", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .ok)
                let bundle = Self.json(r.body)
                #expect(bundle["type"]?.stringValue == "history")
                #expect(bundle["total"] == .integer(3))
                let entries = bundle["entry"]?.arrayValue ?? []
                #expect(entries.compactMap { $0["resource"]?["meta"]?["versionId"]?.stringValue } == ["3", "2", "1"])
                #expect(entries.compactMap { $0["response"]?["etag"]?.stringValue } == ["W/\"3\"", "W/\"2\"", "W/\"1\""])
                #expect(entries.compactMap { $0["request"]?["method"]?.stringValue } == ["PUT", "PUT", "POST"])
                #expect(entries.map { Self.given($0["resource"] ?? .null) } == ["Anabel", "Anabel", "Ana"])
                let times = entries.compactMap { $0["resource"]?["meta"]?["lastUpdated"]?.stringValue }
                #expect(times.count == 3 && times == times.sorted(by: >) && Set(times).count == 3)
            }
            try await client.execute(uri: "/fhir/Patient/p-b/_history", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .notFound)
            }
        }
    }

    @Test("a deleted observation: its deletion is a DELETE history entry, vread of that version 410, of the earlier ones 200")
    func deletedVersions() async throws {
        try await WebHarness.with { h, client in
            let repos = h.database.repositories
            var o = Observation(id: "o-1", participantID: "p-a", code: ClinicalCodes.triglyceride, value: .quantity(Quantity(150, "mg/dL")),
                                effective: Date(timeIntervalSince1970: 1_764_547_200))
            _ = try await repos.observations.create(o, context: WebHarness.setup, idempotencyKey: nil)
            try await Self.tick()
            o.value = .quantity(Quantity(162, "mg/dL"))
            _ = try await repos.observations.update(o, expectedVersion: 1, context: Self.context("analyser recalibrated"))
            try await Self.tick()
            try await repos.observations.delete("o-1", expectedVersion: 2, context: Self.context("wrong participant"))

            try await client.execute(uri: "/fhir/Observation/o-1/_history", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .ok)
                let entries = Self.json(r.body)["entry"]?.arrayValue ?? []
                #expect(entries.compactMap { $0["request"]?["method"]?.stringValue } == ["DELETE", "PUT", "POST"])
                #expect(entries.compactMap { $0["response"]?["etag"]?.stringValue } == ["W/\"3\"", "W/\"2\"", "W/\"1\""])
                #expect(entries.first?["resource"] == nil)
                let values = entries.compactMap { $0["resource"]?["valueQuantity"]?["value"] }
                #expect(values == [.integer(162), .integer(150)] || values == [.decimal("162"), .decimal("150")])
            }
            try await client.execute(uri: "/fhir/Observation/o-1/_history/3", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .gone)
            }
            try await client.execute(uri: "/fhir/Observation/o-1/_history/1", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .ok)
                #expect(Self.json(r.body)["meta"]?["versionId"]?.stringValue == "1")
            }
        }
    }

    @Test("a medication course: MedicationRequest has every version (two appends, an edit); a dispense's versions are the course's from its own on")
    func courseAndDispenses() async throws {
        try await WebHarness.with { h, client in
            let repos = h.database.repositories
            let day = { (text: String) in CalendarDate(text)! }
            var course = MedicationCourse(id: "mc-1", participantID: "p-a", drug: ClinicalCodes.isotretinoin, dose: Quantity(20, "mg"),
                                          route: "oral", timesPerDay: 2, start: day("2026-01-02"))
            _ = try await repos.medicationCourses.create(course, context: WebHarness.setup, idempotencyKey: nil)
            for (n, date) in ["2026-01-02", "2026-02-01"].enumerated() {
                try await Self.tick()
                course = try await repos.medicationCourses.addDispensing(
                    Dispensing(date: day(date), unitsDispensed: 60, daysCovered: 30), to: "mc-1", expectedVersion: n + 1,
                    context: Self.context("dispensed")).value
            }
            try await Self.tick()
            course.route = "oral, with food"
            _ = try await repos.medicationCourses.update(course, expectedVersion: 3, context: Self.context("route clarified"))

            try await client.execute(uri: "/fhir/MedicationRequest/mc-1/_history", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .ok)
                let entries = Self.json(r.body)["entry"]?.arrayValue ?? []
                #expect(entries.compactMap { $0["resource"]?["meta"]?["versionId"]?.stringValue } == ["4", "3", "2", "1"])
            }
            try await client.execute(uri: "/fhir/MedicationDispense/mc-1.d2/_history", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .ok)
                let entries = Self.json(r.body)["entry"]?.arrayValue ?? []
                #expect(entries.compactMap { $0["resource"]?["meta"]?["versionId"]?.stringValue } == ["4", "3"])
                #expect(entries.compactMap { $0["request"]?["method"]?.stringValue } == ["PUT", "POST"])
                #expect(entries.compactMap { $0["resource"]?["whenHandedOver"]?.stringValue } == ["2026-02-01", "2026-02-01"])
            }
            for (path, status) in [("MedicationDispense/mc-1.d2/_history/2", HTTPResponse.Status.notFound), ("MedicationDispense/mc-1.d1/_history/2", .ok),
                                   ("MedicationDispense/mc-1.d3/_history", .notFound), ("MedicationDispense/mc-9.d1/_history", .notFound)] {
                try await client.execute(uri: "/fhir/\(path)", method: .get, headers: h.headers(.coordinator)) { r in
                    #expect(r.status == status, "\(path)")
                }
            }
            try await client.execute(uri: "/fhir/MedicationDispense/_history", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .ok)
                let entries = Self.json(r.body)["entry"]?.arrayValue ?? []
                // Course versions 4, 3 (two dispenses each), 2 (one), 1 (none).
                #expect(entries.compactMap { e in e["resource"].map { "\($0["id"]?.stringValue ?? "")/\($0["meta"]?["versionId"]?.stringValue ?? "")" } }
                        == ["mc-1.d1/4", "mc-1.d2/4", "mc-1.d1/3", "mc-1.d2/3", "mc-1.d1/2"])
            }
            // _count holds although a course version has two dispenses: pages split a version, next links go on
            // from the dispense after the last shown, and every entry comes once in order.
            for count in [1, 2, 3] {
                var uri: String? = "/fhir/MedicationDispense/_history?_count=\(count)"
                var seen: [String] = []
                var pages = 0
                while let current = uri, pages < 10 {
                    uri = try await client.execute(uri: current, method: .get, headers: h.headers(.coordinator)) { r -> String? in
                        #expect(r.status == .ok)
                        let bundle = Self.json(r.body)
                        let entries = bundle["entry"]?.arrayValue ?? []
                        #expect(entries.count <= count, "_count=\(count) page \(pages + 1) has \(entries.count) entries")
                        seen += entries.compactMap { e in e["resource"].map { "\($0["id"]?.stringValue ?? "")/\($0["meta"]?["versionId"]?.stringValue ?? "")" } }
                        let next = (bundle["link"]?.arrayValue ?? []).first { $0["relation"]?.stringValue == "next" }?["url"]?.stringValue
                        return next.map { String($0[$0.range(of: "/fhir/")!.lowerBound...]) }
                    }
                    pages += 1
                }
                #expect(seen == ["mc-1.d1/4", "mc-1.d2/4", "mc-1.d1/3", "mc-1.d2/3", "mc-1.d1/2"], "_count=\(count)")
            }
            // A cursor this server did not write ("garbage", base64url) is refused, not read as a position.
            try await client.execute(uri: "/fhir/MedicationDispense/_history?_cursor=Z2FyYmFnZQ", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .badRequest)
            }
        }
    }

    @Test("type _history: newest first, paged by next links, _since keeps the later versions; another site's records left out")
    func typeHistory() async throws {
        try await WebHarness.with { h, client in
            try await Self.updatePatientTwice(h)
            func page(_ uri: String, _ role: UserRole) async throws -> FHIRJSON {
                try await client.execute(uri: uri, method: .get, headers: h.headers(role)) { r in
                    #expect(r.status == .ok)
                    return Self.json(r.body)
                }
            }
            func versions(_ bundle: FHIRJSON) -> [String] {
                (bundle["entry"]?.arrayValue ?? []).compactMap { e in
                    e["resource"].flatMap { r in r["id"]?.stringValue.map { "\($0)/\(r["meta"]?["versionId"]?.stringValue ?? "?")" } }
                }
            }
            func next(_ bundle: FHIRJSON) -> String? {
                let url = (bundle["link"]?.arrayValue ?? []).first { $0["relation"]?.stringValue == "next" }?["url"]?.stringValue
                return url.map { String($0[$0.range(of: "/fhir/")!.lowerBound...]) }
            }
            var seen: [String] = []
            var uri: String? = "/fhir/Patient/_history?_count=2"
            var pages = 0
            while let current = uri, pages < 10 {
                let bundle = try await page(current, .admin)
                #expect(bundle["type"]?.stringValue == "history")
                seen += versions(bundle)
                uri = next(bundle)
                pages += 1
            }
            // p-b and p-a were created by the seed (same request, p-b after p-a), then p-a changed twice.
            #expect(seen.prefix(2) == ["p-a/3", "p-a/2"])
            #expect(Set(seen) == ["p-a/3", "p-a/2", "p-a/1", "p-b/1"] && seen.count == 4 && pages == 2)

            // The coordinator (site A) never sees p-b.
            #expect(versions(try await page("/fhir/Patient/_history", .coordinator)) == ["p-a/3", "p-a/2", "p-a/1"])

            // _since: the versions at or after version 2's time.
            let all = try await page("/fhir/Patient/_history", .admin)
            let second = (all["entry"]?.arrayValue ?? []).first { $0["resource"]?["meta"]?["versionId"]?.stringValue == "2" }
            let since = try #require(second?["resource"]?["meta"]?["lastUpdated"]?.stringValue)
            let encoded = since.replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: "+", with: "%2B")
            #expect(versions(try await page("/fhir/Patient/_history?_since=\(encoded)", .admin)) == ["p-a/3", "p-a/2"])
            try await client.execute(uri: "/fhir/Patient/_history?_since=yesterday", method: .get, headers: h.headers(.admin)) { r in
                #expect(r.status == .badRequest)
            }
            try await client.execute(uri: "/fhir/Patient/_history?_cursor=bogus", method: .get, headers: h.headers(.admin)) { r in
                #expect(r.status == .badRequest)
            }
        }
    }
}
