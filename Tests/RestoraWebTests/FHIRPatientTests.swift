import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// FHIR Patient through the real application (`WebHarness`: sites A and B, p-a (A-001) at A, p-b (B-001) at B,
/// one user per role at site A, the admin at all): read, search with each parameter, create and update through
/// the JSON API's participant path, and the refusals (other site 404, wrong role 403, malformed 400 with the
/// FHIRPath, unusable 422 with the FHIRPath, stale If-Match 412).
@Suite("FHIR Patient")
struct FHIRPatientTests {
    /// The body as FHIR JSON (`null` when it is not JSON, which then fails the comparisons).
    static func json(_ buffer: ByteBuffer) -> FHIRJSON { (try? FHIRJSON.parse(buffer.readableBytesView)) ?? .null }

    static func ids(_ bundle: FHIRJSON) -> [String] {
        (bundle["entry"]?.arrayValue ?? []).compactMap { $0["resource"]?["id"]?.stringValue }
    }

    static func expression(_ outcome: FHIRJSON) -> [String] {
        (outcome["issue"]?.arrayValue?.first?["expression"]?.arrayValue ?? []).compactMap(\.stringValue)
    }

    static func patient(mrn: String, site: String = "A", family: String = "Garcia", given: String = "Luis", birth: String = "1985-07-04",
                        gender: String = "\"male\"", extra: String = "", id: String? = nil) -> String {
        """
        {"resourceType":"Patient",\(id.map { "\"id\":\"\($0)\"," } ?? "")"identifier":[{"system":"urn:restora:site:\(site):mrn","value":"\(mrn)"}],
         "name":[{"use":"official","family":"\(family)","given":["\(given)"]}],"gender":\(gender),"birthDate":"\(birth)"\(extra)}
        """
    }

    @Test("read: own site 200 with MRN system, name, gender, birthDate, site; another site's 404; the read is logged")
    func read() async throws {
        try await WebHarness.with { h, client in
            try await client.execute(uri: "/fhir/Patient/p-a", method: .get, headers: h.headers(.monitor)) { r in
                #expect(r.status == .ok)
                let p = Self.json(r.body)
                #expect(p["resourceType"]?.stringValue == "Patient")
                #expect(p["id"]?.stringValue == "p-a")
                #expect(p["meta"]?["versionId"]?.stringValue == "1")
                let mrn = p["identifier"]?.arrayValue?.first
                #expect(mrn?["system"]?.stringValue == "urn:restora:site:A:mrn")
                #expect(mrn?["value"]?.stringValue == "A-001")
                #expect(p["name"]?.arrayValue?.first?["family"]?.stringValue == "Lopez")
                #expect(p["gender"]?.stringValue == "female")
                #expect(p["birthDate"]?.stringValue == "1980-03-01")
                #expect(p["managingOrganization"]?["identifier"]?["value"]?.stringValue == "A")
            }
            try await client.execute(uri: "/fhir/Patient/p-b", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .notFound)
                #expect(Self.json(r.body)["resourceType"]?.stringValue == "OperationOutcome")
            }
            try await client.execute(uri: "/fhir/Patient/p-b", method: .get, headers: h.headers(.admin)) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/fhir/Patient/no-such", method: .get, headers: h.headers(.admin)) { r in
                #expect(r.status == .notFound)
            }
            await h.database.flushReadAudit()
            let reads = try await h.database.repositories.audit.history(table: "participants", recordID: "p-a").filter { $0.action == .read }
            #expect(reads.map(\.actor.userID) == ["u-monitor"])
        }
    }

    @Test("search: identifier, name, given/family, birthdate with prefixes, gender, _id; never another site's")
    func search() async throws {
        try await WebHarness.with { h, client in
            for (mrn, given, family, sex, birth) in [("A-010", "Luis", "Garcia", Sex.male, "1985-07-04"), ("A-011", "Marta", "Ruiz", .female, "1990-12-31")] {
                _ = try await h.database.repositories.participants.create(
                    Participant(id: Identifier("p-\(mrn)"), siteID: "site-a", mrn: mrn, givenName: given, familyName: family, sex: sex,
                                birthDate: CalendarDate(birth)!), context: WebHarness.setup, idempotencyKey: nil)
            }
            let cases: [(String, [String])] = [
                ("identifier=urn:restora:site:A:mrn%7CA-010", ["p-A-010"]),
                ("identifier=urn:restora:site:B:mrn%7CB-001", []),  // another site's: not even by MRN
                ("identifier=A-011", ["p-A-011"]),
                ("identifier=urn:restora:participant%7Cp-a", ["p-a"]),
                ("identifier=urn:other:system%7CA-010", []),
                ("name=gar", ["p-A-010"]),
                ("name=LOP", ["p-a"]),
                ("name:exact=Garcia", ["p-A-010"]),
                ("name:exact=garcia", []),
                ("name:contains=ui", ["p-A-010", "p-A-011"]),
                ("given=mar", ["p-A-011"]),
                ("family=ruiz,lopez", ["p-A-011", "p-a"]),
                ("birthdate=1985", ["p-A-010"]),
                ("birthdate=1990-12", ["p-A-011"]),
                ("birthdate=lt1985-07-04", ["p-a"]),
                ("birthdate=le1985-07-04", ["p-A-010", "p-a"]),
                ("birthdate=gt1985", ["p-A-011"]),
                ("birthdate=ge1985-07-04&birthdate=lt1990", ["p-A-010"]),
                ("birthdate=ne1985-07-04", ["p-A-011", "p-a"]),
                ("birthdate=sa1989", ["p-A-011"]),
                ("birthdate=eb1981", ["p-a"]),
                ("gender=male", ["p-A-010"]),
                ("gender=http://hl7.org/fhir/administrative-gender%7Cfemale", ["p-A-011", "p-a"]),
                ("gender:not=female", ["p-A-010"]),
                ("_id=p-a,p-b", ["p-a"]),
                ("name=lu&gender=female", []),
            ]
            for (query, expected) in cases {
                try await client.execute(uri: "/fhir/Patient?\(query)", method: .get, headers: h.headers(.coordinator)) { r in
                    #expect(r.status == .ok, "\(query)")
                    let bundle = Self.json(r.body)
                    #expect(bundle["type"]?.stringValue == "searchset")
                    #expect(Self.ids(bundle).sorted() == expected.sorted(), "\(query)")
                    #expect(bundle["total"]?.intValue == expected.count, "\(query): the first page's total")
                }
            }
            // The admin sees both sites.
            try await client.execute(uri: "/fhir/Patient?name=lopez", method: .get, headers: h.headers(.admin)) { r in
                #expect(Self.ids(Self.json(r.body)).sorted() == ["p-a", "p-b"])
            }
            // The total alone (_summary=count, _count=0, fhirpy's count() with _totalMethod): counted in SQL within
            // the user's sites, no entries; a full first page counts beyond itself; later pages carry none.
            for (query, role, total) in [("_summary=count", UserRole.coordinator, 3), ("_count=0&_totalMethod=count", .coordinator, 3),
                                         ("_count=0&name=lopez", .admin, 2), ("_count=0&name=lopez", .coordinator, 1),
                                         ("_count=1", .coordinator, 3)] {
                try await client.execute(uri: "/fhir/Patient?\(query)", method: .get, headers: h.headers(role)) { r in
                    #expect(r.status == .ok, "\(query)")
                    let bundle = Self.json(r.body)
                    #expect(bundle["total"]?.intValue == total, "\(query) as \(role)")
                    #expect(Self.ids(bundle).count == (query.hasPrefix("_count=1") ? 1 : 0), "\(query)")
                }
            }
            let next = try await client.execute(uri: "/fhir/Patient?_count=1", method: .get, headers: h.headers(.coordinator)) { r in
                Self.json(r.body)["link"]?.arrayValue?.first { $0["relation"]?.stringValue == "next" }?["url"]?.stringValue
                    .flatMap { URL(string: $0) }.map { $0.path + "?" + ($0.query ?? "") }
            }
            #expect(next != nil)
            try await client.execute(uri: next ?? "/fhir/Patient", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .ok)
                #expect(Self.json(r.body)["total"] == nil, "a later page has no total")
            }
        }
    }

    @Test("search refusals: ap prefix, a malformed date, an unknown gender, an unsupported modifier, a forged cursor → 400")
    func searchRefusals() async throws {
        try await WebHarness.with { h, client in
            for query in ["birthdate=ap1980", "birthdate=1980-13", "birthdate=xx1980", "gender=robot", "identifier:text=A", "name:below=x",
                          "_sort=name"] {
                try await client.execute(uri: "/fhir/Patient?\(query)", method: .get, headers: h.headers(.coordinator)) { r in
                    #expect(r.status == .badRequest, "\(query)")
                    #expect(Self.json(r.body)["resourceType"]?.stringValue == "OperationOutcome")
                }
            }
        }
    }

    @Test("paging: _count=2 over 5 patients by _id, by birthdate and by -_lastUpdated; every next link walks on without repeats, also while another is added")
    func paging() async throws {
        try await WebHarness.with { h, client in
            for i in 1...4 {
                _ = try await h.database.repositories.participants.create(
                    Participant(id: Identifier("p-\(i)"), siteID: "site-a", mrn: "A-10\(i)", sex: .male,
                                birthDate: CalendarDate(year: 1970 + (i % 2) * 10, month: 1, day: i)!),
                    context: WebHarness.setup, idempotencyKey: nil)
            }
            for sort in ["_id", "birthdate", "-birthdate", "-_lastUpdated"] {
                var url: String? = "/fhir/Patient?_count=2&_sort=\(sort)"
                var seen: [String] = []
                var pages = 0
                while let next = url, pages < 10 {
                    let bundle = try await client.execute(uri: next, method: .get, headers: h.headers(.coordinator)) { r in
                        #expect(r.status == .ok, "\(next)")
                        return Self.json(r.body)
                    }
                    seen += Self.ids(bundle)
                    let link = bundle["link"]?.arrayValue?.first { $0["relation"]?.stringValue == "next" }?["url"]?.stringValue
                    url = link.flatMap { URL(string: $0) }.map { u in u.path + (u.query.map { "?" + $0 } ?? "") }
                    pages += 1
                    if pages == 1 {
                        // A write between pages does not disturb the keyset.
                        _ = try await h.database.repositories.participants.create(
                            Participant(id: Identifier("p-0-\(sort.count)"), siteID: "site-b", mrn: "B-9\(pages)\(sort.count)", sex: .male,
                                        birthDate: CalendarDate(year: 1975, month: 1, day: 1)!),
                            context: WebHarness.setup, idempotencyKey: nil)
                    }
                }
                #expect(seen.count == 5, "\(sort): \(seen)")
                #expect(Set(seen).count == seen.count, "\(sort): \(seen)")
                #expect(Set(seen) == ["p-a", "p-1", "p-2", "p-3", "p-4"], "\(sort)")
                if sort == "birthdate" {
                    #expect(seen.first == "p-2" || seen.first == "p-4", "\(seen)")  // 1970 first
                }
            }
        }
    }

    @Test("create: 201 through the participant repository (audited as the coordinator), readable by search")
    func create() async throws {
        try await WebHarness.with { h, client in
            let created = try await client.execute(uri: "/fhir/Patient", method: .post, headers: h.headers(.coordinator),
                                                   body: ByteBuffer(string: Self.patient(mrn: "A-777"))) { r in
                #expect(r.status == .created)
                #expect(r.headers[.location]?.contains("/fhir/Patient/") == true)
                return Self.json(r.body)
            }
            let id = try #require(created["id"]?.stringValue)
            let stored = try await h.database.repositories.participants.get(Identifier(id)).value
            #expect(stored.mrn == "A-777")
            #expect(stored.siteID == "site-a")
            #expect(stored.familyName == "Garcia")
            #expect(stored.givenName == "Luis")
            #expect(stored.sex == .male)
            #expect(stored.birthDate == CalendarDate(year: 1985, month: 7, day: 4))
            let history = try await h.database.repositories.audit.history(table: "participants", recordID: id)
            #expect(history.map(\.actor.userID) == ["u-coordinator"])
            try await client.execute(uri: "/fhir/Patient?identifier=urn:restora:site:A:mrn%7CA-777", method: .get, headers: h.headers(.monitor)) { r in
                #expect(Self.ids(Self.json(r.body)) == [id])
            }
        }
    }

    @Test("create refused: monitor/auditor 403; malformed 400 naming the element; unusable 422 naming it; another site's MRN system 422; a taken MRN 409 — nothing written")
    func createRefused() async throws {
        try await WebHarness.with { h, client in
            for role in [UserRole.monitor, .auditor] {
                try await client.execute(uri: "/fhir/Patient", method: .post, headers: h.headers(role), body: ByteBuffer(string: Self.patient(mrn: "A-1"))) { r in
                    #expect(r.status == .forbidden)
                }
            }
            let cases: [(String, HTTPResponse.Status, String)] = [
                (Self.patient(mrn: "A-2", gender: "7"), .badRequest, "Patient.gender"),
                (Self.patient(mrn: "A-2").replacingOccurrences(of: "\"name\":[", with: "\"name\":{\"x\":[").replacingOccurrences(of: "}],\"gender\"", with: "}]},\"gender\""), .badRequest, "Patient.name"),
                (#"{"resourceType":"Observation"}"#, .badRequest, ""),
                (Self.patient(mrn: "A-2", gender: "\"robot\""), .unprocessableContent, "Patient.gender"),
                (Self.patient(mrn: "A-2", birth: "1985"), .unprocessableContent, "Patient.birthDate"),
                (Self.patient(mrn: "A-2", birth: "2090-01-01"), .unprocessableContent, "Patient.birthDate"),
                (Self.patient(mrn: "  "), .unprocessableContent, "Patient.identifier[0].value"),
                (Self.patient(mrn: "A-2", site: "B"), .unprocessableContent, "Patient.identifier[0].system"),
                (Self.patient(mrn: "A-2", site: "Z"), .unprocessableContent, "Patient.identifier[0].system"),
                (#"{"resourceType":"Patient","gender":"male","birthDate":"1980-01-01"}"#, .unprocessableContent, "Patient.identifier"),
                (Self.patient(mrn: "A-001"), .conflict, "Patient.identifier"),
            ]
            for (body, status, path) in cases {
                try await client.execute(uri: "/fhir/Patient", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(string: body)) { r in
                    #expect(r.status == status, "\(body)")
                    let outcome = Self.json(r.body)
                    #expect(outcome["resourceType"]?.stringValue == "OperationOutcome")
                    if !path.isEmpty { #expect(Self.expression(outcome) == [path], "\(body)") }
                }
            }
            try await client.execute(uri: "/fhir/Patient", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(string: "{not json")) { r in
                #expect(r.status == .badRequest)
            }
            #expect(try await h.count("participants") == 2)
        }
    }

    @Test("update: If-Match W/\"1\" with a reason → version 2, diagnoses kept; stale If-Match 412; no reason 422; another site 404; monitor 403")
    func update() async throws {
        try await WebHarness.with { h, client in
            let repos = h.database.repositories
            var current = try await repos.participants.get("p-a").value
            current.diagnoses = [Diagnosis(code: Coding(.icd10cm, "N46.01", display: "Organic azoospermia"))]
            var audit = WebHarness.setup
            audit.reason = "add diagnosis"
            _ = try await repos.participants.update(current, expectedVersion: 1, context: audit)
            let reason = #","extension":[{"url":"https://restora.example/fhir/StructureDefinition/change-reason","valueString":"family name corrected"}]"#
            let body = Self.patient(mrn: "A-001", family: "López", given: "Ana María", birth: "1980-03-01", gender: "\"female\"", extra: reason, id: "p-a")
            try await client.execute(uri: "/fhir/Patient/p-a", method: .put, headers: h.headers(.investigator, ifMatch: "W/\"1\""), body: ByteBuffer(string: body)) { r in
                #expect(r.status == .preconditionFailed)
            }
            try await client.execute(uri: "/fhir/Patient/p-a", method: .put, headers: h.headers(.investigator, ifMatch: "W/\"2\""),
                                     body: ByteBuffer(string: Self.patient(mrn: "A-001", family: "López", birth: "1980-03-01", gender: "\"female\"", id: "p-a"))) { r in
                #expect(r.status == .unprocessableContent)
                #expect(Self.expression(Self.json(r.body)) == ["Patient.extension"])
            }
            try await client.execute(uri: "/fhir/Patient/p-a", method: .put, headers: h.headers(.investigator, ifMatch: "W/\"2\""), body: ByteBuffer(string: body)) { r in
                #expect(r.status == .ok)
                let p = Self.json(r.body)
                #expect(p["meta"]?["versionId"]?.stringValue == "3")
                #expect(p["name"]?.arrayValue?.first?["given"]?.arrayValue == [.string("Ana"), .string("María")])
            }
            let stored = try await repos.participants.get("p-a")
            #expect(stored.version == 3)
            #expect(stored.value.familyName == "López")
            #expect(stored.value.givenName == "Ana María")
            #expect(stored.value.diagnoses.count == 1)
            let entry = try await repos.audit.history(table: "participants", recordID: "p-a").last
            #expect(entry?.actor.userID == "u-investigator")
            #expect(entry?.reason == "family name corrected")
            try await client.execute(uri: "/fhir/Patient/p-b", method: .put, headers: h.headers(.investigator, ifMatch: "W/\"1\""),
                                     body: ByteBuffer(string: Self.patient(mrn: "B-001", site: "B", id: "p-b"))) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(uri: "/fhir/Patient/p-a", method: .put, headers: h.headers(.monitor, ifMatch: "W/\"3\""), body: ByteBuffer(string: body)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/fhir/Patient/p-a", method: .put, headers: h.headers(.investigator, ifMatch: "W/\"3\""),
                                     body: ByteBuffer(string: body.replacingOccurrences(of: "\"id\":\"p-a\"", with: "\"id\":\"p-x\""))) { r in
                #expect(r.status == .badRequest)
                #expect(Self.expression(Self.json(r.body)) == ["Patient.id"])
            }
        }
    }

    @Test("the pure mapping: no name when none is recorded, the MRN system from the site code, managingOrganization")
    func mapping() throws {
        let p = Participant(id: "p-9", siteID: "site-a", mrn: "M-9", sex: .unknown, birthDate: CalendarDate(year: 2000, month: 2, day: 29)!)
        let resource = FHIRPatientHandler.resource(p, site: Site(id: "site-a", code: "NORTH", name: "North clinic"))
        #expect(resource["name"] == nil)
        #expect(resource["identifier"]?.arrayValue?.first?["system"]?.stringValue == "urn:restora:site:NORTH:mrn")
        #expect(resource["managingOrganization"]?["display"]?.stringValue == "North clinic")
        #expect(resource["gender"]?.stringValue == "unknown")
        #expect(resource["birthDate"]?.stringValue == "2000-02-29")
    }

    @Test("date search values become day ranges and instant ranges")
    func dateRanges() throws {
        let year = try FHIRPatientSupport.dateRange("ge1980", parameter: "birthdate", days: true)
        #expect(year == .init(.ge, lower: "1980-01-01", upper: "1981-01-01"))
        let month = try FHIRPatientSupport.dateRange("2024-02", parameter: "birthdate", days: true)
        #expect(month == .init(.eq, lower: "2024-02-01", upper: "2024-03-01"))
        let instant = try FHIRPatientSupport.dateRange("lt2026-01-01T10:00:00+02:00", parameter: "_lastUpdated", days: false)
        #expect(instant == .init(.lt, lower: "2026-01-01T08:00:00.000Z", upper: "2026-01-01T08:00:01.000Z"))
        #expect(throws: FHIRError.self) { try FHIRPatientSupport.dateRange("2024-02-30", parameter: "birthdate", days: true) }
        #expect(throws: FHIRError.self) { try FHIRPatientSupport.dateRange("2026-01-01T10:00", parameter: "_lastUpdated", days: false) }
    }
}
