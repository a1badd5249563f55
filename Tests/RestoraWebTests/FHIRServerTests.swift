import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

private let fhirType = "application/fhir+json; fhirVersion=4.0"

private func issue(_ json: FHIRJSON) -> (code: String?, expression: [String]) {
    let first = json["issue"]?.arrayValue?.first
    return (first?["code"]?.stringValue, first?["expression"]?.arrayValue?.compactMap(\.stringValue) ?? [])
}

private func link(_ bundle: FHIRJSON, _ relation: String) -> String? {
    bundle["link"]?.arrayValue?.first { $0["relation"]?.stringValue == relation }?["url"]?.stringValue
}

/// The path and query of an absolute link, for the router test client.
private func relative(_ url: String) -> String {
    guard let range = url.range(of: "/fhir") else { return url }
    return String(url[range.lowerBound...])
}

@Suite("FHIR server: metadata, read, errors, formats")
struct FHIRServerReadTests {
    @Test("metadata needs no sign-in and lists exactly the handlers' types, interactions and parameters")
    func metadata() async throws {
        try await FHIRServerHarness.with { _, client in
            try await client.execute(uri: "/fhir/metadata", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == fhirType)
                let statement = try fhir(r.body)
                #expect(statement["resourceType"]?.stringValue == "CapabilityStatement")
                #expect(statement["fhirVersion"]?.stringValue == "4.0.1")
                #expect(statement["kind"]?.stringValue == "instance")
                #expect(statement["status"]?.stringValue == "active")
                let rest = statement["rest"]?.arrayValue?.first
                #expect(rest?["mode"]?.stringValue == "server")
                let resources = rest?["resource"]?.arrayValue ?? []
                #expect(resources.compactMap { $0["type"]?.stringValue } == ["Patient", "Observation"])
                let patient = resources[0]
                let interactions = patient["interaction"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
                #expect(Set(interactions) == ["read", "vread", "history-instance", "search-type", "create", "update"])
                let observation = resources[1]
                let observationInteractions = observation["interaction"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
                #expect(!observationInteractions.contains("update"))
                let params = patient["searchParam"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
                #expect(params.contains("_id") && params.contains("_lastUpdated") && params.contains("identifier"))
                #expect(observation["searchInclude"]?.arrayValue?.compactMap(\.stringValue).contains("Observation:patient") == true)
                #expect(patient["searchRevInclude"]?.arrayValue?.compactMap(\.stringValue).contains("Observation:patient") == true)
                let system = rest?["interaction"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
                #expect(system.contains("transaction"))
            }
        }
    }

    @Test("read: 200 with meta, ETag W/\"1\" and Last-Modified; If-None-Match of the current version is 304")
    func read() async throws {
        try await FHIRServerHarness.with { h, client in
            // The store stamps rows with its own clock, not the server's: the headers carry the row's updated_at.
            let stored = try await h.database.repositories.participants.get("p-a")
            try await client.execute(uri: "/fhir/Patient/p-a", method: .get, headers: h.headers(.monitor)) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.eTag] == "W/\"1\"")
                #expect(r.headers[.lastModified] == FHIRHTTP.httpDate(stored.updatedAt))
                #expect(r.headers[.contentType] == fhirType)
                #expect(r.headers[.cacheControl] == "no-store")
                let patient = try fhir(r.body)
                #expect(patient["resourceType"]?.stringValue == "Patient")
                #expect(patient["id"]?.stringValue == "p-a")
                #expect(patient["meta"]?["versionId"]?.stringValue == "1")
                #expect(patient["meta"]?["lastUpdated"]?.stringValue == FHIRHTTP.instant(stored.updatedAt))
                // resourceType, id, meta lead
                #expect(patient.objectValue?.prefix(3).map(\.0) == ["resourceType", "id", "meta"])
            }
            try await client.execute(uri: "/fhir/Patient/p-a", method: .get, headers: h.headers(.monitor, ["If-None-Match": "W/\"1\""])) { r in
                #expect(r.status == .notModified)
            }
        }
    }

    @Test("another site's record is 404 like an unknown id; an admin reads it")
    func siteScoping() async throws {
        try await FHIRServerHarness.with { h, client in
            for uri in ["/fhir/Patient/p-b", "/fhir/Patient/nobody"] {
                try await client.execute(uri: uri, method: .get, headers: h.headers(.coordinator)) { r in
                    #expect(r.status == .notFound)
                    #expect(r.headers[.contentType] == fhirType)
                    let outcome = try fhir(r.body)
                    #expect(outcome["resourceType"]?.stringValue == "OperationOutcome")
                    #expect(issue(outcome).code == "not-found")
                }
            }
            try await client.execute(uri: "/fhir/Patient/p-b", method: .get, headers: h.headers(.admin)) { r in
                #expect(r.status == .ok)
            }
        }
    }

    @Test("no or a bad token: 401 OperationOutcome (login) with WWW-Authenticate: Bearer")
    func unauthenticated() async throws {
        try await FHIRServerHarness.with { h, client in
            for headers: HTTPFields in [h.headers(nil), [.authorization: "Bearer nope"]] {
                try await client.execute(uri: "/fhir/Patient/p-a", method: .get, headers: headers) { r in
                    #expect(r.status == .unauthorized)
                    #expect(r.headers[.wwwAuthenticate] == "Bearer")
                    let outcome = try fhir(r.body)
                    #expect(issue(outcome).code == "login")
                    #expect(outcome["id"]?.stringValue == r.headers[HTTPField.Name("X-Request-ID")!])
                }
            }
        }
    }

    @Test("unknown type, unknown path, bad id: OperationOutcomes, never an HTML page")
    func unknownPaths() async throws {
        try await FHIRServerHarness.with { h, client in
            for uri in ["/fhir/Spaceship/1", "/fhir/Spaceship", "/fhir/Patient/p-a/extra/x/y/z"] {
                try await client.execute(uri: uri, method: .get, headers: h.headers(.admin)) { r in
                    #expect(r.status == .notFound, "\(uri)")
                    #expect(r.headers[.contentType] == fhirType, "\(uri)")
                    let json1 = try fhir(r.body)
                    #expect(json1["resourceType"]?.stringValue == "OperationOutcome")
                }
            }
            try await client.execute(uri: "/fhir/Patient/a_b", method: .get, headers: h.headers(.admin)) { r in
                #expect(r.status == .badRequest)
                let json2 = try fhir(r.body)
                #expect(issue(json2).expression == ["Patient.id"])
            }
            // Other parts' operation routes under a type do not shadow the type's routes.
            try await client.execute(uri: "/fhir/Patient/$export", method: .get, headers: h.headers(.admin)) { r in
                #expect(String(buffer: r.body) == "export")
            }
            try await client.execute(uri: "/fhir/Patient", method: .get, headers: h.headers(.admin)) { r in
                #expect(r.status == .ok)
            }
        }
    }

    @Test("DELETE and PATCH are 405; create on a type without create is 405")
    func notAllowed() async throws {
        try await FHIRServerHarness.with { h, client in
            for method in [HTTPRequest.Method.delete, .patch] {
                try await client.execute(uri: "/fhir/Patient/p-a", method: method, headers: h.headers(.admin)) { r in
                    #expect(r.status == .methodNotAllowed)
                    let json3 = try fhir(r.body)
                    #expect(issue(json3).code == "not-supported")
                }
            }
            try await client.execute(uri: "/fhir/Observation/x", method: .put, headers: h.headers(.admin),
                                     body: ByteBuffer(string: #"{"resourceType":"Observation","id":"x"}"#)) { r in
                #expect(r.status == .methodNotAllowed)
            }
            #expect(try await h.participantCount() == 2)
        }
    }

    @Test("formats: _format=json and Accept: application/json work; XML is 406, an XML body 415")
    func formats() async throws {
        try await FHIRServerHarness.with { h, client in
            try await client.execute(uri: "/fhir/Patient/p-a?_format=json", method: .get, headers: h.headers(.admin, ["Accept": "application/json"])) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/fhir/Patient/p-a?_format=xml", method: .get, headers: h.headers(.admin)) { r in
                #expect(r.status == .notAcceptable)
                let json4 = try fhir(r.body)
                #expect(json4["resourceType"]?.stringValue == "OperationOutcome")
            }
            try await client.execute(uri: "/fhir/Patient/p-a", method: .get, headers: h.headers(.admin, ["Accept": "application/fhir+xml"])) { r in
                #expect(r.status == .notAcceptable)
            }
            try await client.execute(uri: "/fhir/metadata", method: .get, headers: [.accept: "application/xml"]) { r in
                #expect(r.status == .notAcceptable)
            }
            var xml = h.headers(.admin)
            xml[.contentType] = "application/fhir+xml"
            try await client.execute(uri: "/fhir/Patient", method: .post, headers: xml, body: ByteBuffer(string: "<Patient/>")) { r in
                #expect(r.status == .unsupportedMediaType)
            }
        }
    }

    @Test("vread of the current version; another version is 404; instance history lists the versions")
    func vreadAndHistory() async throws {
        try await FHIRServerHarness.with { h, client in
            try await client.execute(uri: "/fhir/Patient/p-a/_history/1", method: .get, headers: h.headers(.admin)) { r in
                #expect(r.status == .ok)
                let json5 = try fhir(r.body)
                #expect(json5["meta"]?["versionId"]?.stringValue == "1")
            }
            for version in ["2", "0", "x"] {
                try await client.execute(uri: "/fhir/Patient/p-a/_history/\(version)", method: .get, headers: h.headers(.admin)) { r in
                    #expect(r.status == .notFound)
                }
            }
            try await client.execute(uri: "/fhir/Patient/p-b/_history/1", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(uri: "/fhir/Patient/p-a/_history", method: .get, headers: h.headers(.admin)) { r in
                #expect(r.status == .ok)
                let bundle = try fhir(r.body)
                #expect(bundle["type"]?.stringValue == "history")
                let entry = bundle["entry"]?.arrayValue?.first
                #expect(entry?["request"]?["method"]?.stringValue == "POST")
                #expect(entry?["response"]?["etag"]?.stringValue == "W/\"1\"")
            }
            try await client.execute(uri: "/fhir/Patient/_history", method: .get, headers: h.headers(.admin)) { r in
                #expect(r.status == .methodNotAllowed)
            }
        }
    }

    @Test("error mapping: each domain and repository refusal has its status and issue code")
    func errorMapping() {
        let cases: [(any Error, Int, String)] = [
            (RepositoryError.notFound(kind: "participant", id: "x"), 404, "not-found"),
            (RepositoryError.staleVersion(kind: "participant", id: "x", expected: 1), 412, "conflict"),
            (RepositoryError.duplicate(kind: "participant", field: "mrn"), 409, "duplicate"),
            (RepositoryError.reasonRequired(kind: "observation"), 422, "required"),
            (RepositoryError.locked(kind: "visit", id: "v", lock: "casebook"), 423, "business-rule"),
            (DomainError.invalidValue(field: "value", message: "too big"), 422, "value"),
            (DomainError.illegalTransition(from: "a", to: "b", message: "no"), 409, "business-rule"),
            (DomainError.protocolRule(rule: "r", field: "f", message: "m"), 422, "business-rule"),
            (RoleRefusal(rule: "r", message: "m"), 403, "forbidden"),
            (APIError.unauthorized, 401, "login"),
            (HTTPError(.contentTooLarge), 413, "too-long"),
            (CocoaError(.fileNoSuchFile), 500, "exception"),
        ]
        for (error, status, code) in cases {
            let mapped = FHIRErrorMapping.fhirError(error)
            #expect(mapped.status == status, "\(error)")
            #expect(mapped.code.rawValue == code, "\(error)")
        }
        #expect(!FHIRErrorMapping.fhirError(CocoaError(.fileNoSuchFile)).diagnostics.contains("Cocoa"))
        let inEntry = FHIRErrorMapping.inEntry(FHIRError.invalid("x", at: "Patient.identifier"), index: 2, resourceType: "Patient")
        #expect(inEntry.expression == ["Bundle.entry[2].resource.identifier"])
    }
}

@Suite("FHIR server: search and paging")
struct FHIRServerSearchTests {
    @Test("a searchset Bundle with self link, fullUrl and search.mode match, site-scoped")
    func searchset() async throws {
        try await FHIRServerHarness.with { h, client in
            try await client.execute(uri: "/fhir/Patient?identifier=urn:test:mrn%7CA-001", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .ok)
                let bundle = try fhir(r.body)
                #expect(bundle["resourceType"]?.stringValue == "Bundle")
                #expect(bundle["type"]?.stringValue == "searchset")
                let entries = bundle["entry"]?.arrayValue ?? []
                #expect(entries.count == 1)
                #expect(entries.first?["fullUrl"]?.stringValue?.hasSuffix("/fhir/Patient/p-a") == true)
                #expect(entries.first?["search"]?["mode"]?.stringValue == "match")
                #expect(link(bundle, "self")?.contains("identifier=urn:test:mrn|A-001") == true)
                #expect(link(bundle, "next") == nil)
            }
            try await client.execute(uri: "/fhir/Patient", method: .get, headers: h.headers(.coordinator)) { r in
                let json6 = try fhir(r.body)
                #expect(json6["entry"]?.arrayValue?.count == 1)  // p-b is at site B
            }
        }
    }

    @Test("paging: _count pages by next links to the end, each resource once, while another client writes")
    func paging() async throws {
        try await FHIRServerHarness.with { h, client in
            for n in 0..<7 {
                try await client.execute(uri: "/fhir/Patient", method: .post, headers: h.headers(.admin), body: ByteBuffer(string: patientJSON(mrn: "PG-\(n)"))) { r in
                    #expect(r.status == .created)
                }
            }
            var seen: [String] = []
            var next: String? = "/fhir/Patient?_count=3"
            var pages = 0
            while let uri = next {
                next = try await client.execute(uri: uri, method: .get, headers: h.headers(.admin)) { r in
                    #expect(r.status == .ok)
                    let bundle = try fhir(r.body)
                    seen += (bundle["entry"]?.arrayValue ?? []).compactMap { $0["resource"]?["id"]?.stringValue }
                    #expect(link(bundle, "next")?.contains("_count=3") ?? true)
                    return link(bundle, "next").map(relative)
                }
                pages += 1
                if pages == 1 {  // a write between pages does not shift them
                    try await client.execute(uri: "/fhir/Patient", method: .post, headers: h.headers(.admin), body: ByteBuffer(string: patientJSON(mrn: "PG-late"))) { _ in }
                }
                #expect(pages < 10)
            }
            #expect(Set(seen).count == seen.count)
            #expect(seen.count >= 9)
            #expect(pages >= 3)
        }
    }

    @Test("POST _search with a form body answers as GET does")
    func postSearch() async throws {
        try await FHIRServerHarness.with { h, client in
            var headers = h.headers(.coordinator)
            headers[.contentType] = "application/x-www-form-urlencoded"
            try await client.execute(uri: "/fhir/Patient/_search", method: .post, headers: headers, body: ByteBuffer(string: "identifier=A-001&_count=5")) { r in
                #expect(r.status == .ok)
                let bundle = try fhir(r.body)
                #expect(bundle["entry"]?.arrayValue?.count == 1)
            }
        }
    }

    @Test("unknown parameters are 400 unless Prefer: handling=lenient; bad _count, _sort, cursor are 400")
    func strictness() async throws {
        try await FHIRServerHarness.with { h, client in
            for uri in ["/fhir/Patient?colour=blue", "/fhir/Patient?_count=abc", "/fhir/Patient?_count=-1", "/fhir/Patient?_sort=birthdate",
                        "/fhir/Patient?_cursor=%25%25", "/fhir/Patient?_summary=text", "/fhir/Patient?_include=Observation:patient"] {
                try await client.execute(uri: uri, method: .get, headers: h.headers(.admin)) { r in
                    #expect(r.status == .badRequest, "\(uri)")
                    let json7 = try fhir(r.body)
                    #expect(json7["resourceType"]?.stringValue == "OperationOutcome")
                }
            }
            try await client.execute(uri: "/fhir/Patient?colour=blue&identifier=A-001", method: .get, headers: h.headers(.admin, ["Prefer": "handling=lenient"])) { r in
                #expect(r.status == .ok)
                let bundle = try fhir(r.body)
                let entries = bundle["entry"]?.arrayValue ?? []
                #expect(entries.filter { $0["search"]?["mode"]?.stringValue == "match" }.count == 1)
                #expect(entries.contains { $0["search"]?["mode"]?.stringValue == "outcome" })
                #expect(link(bundle, "self")?.contains("colour") == false)
            }
            try await client.execute(uri: "/fhir/Patient?_count=5000&name=", method: .get, headers: h.headers(.admin)) { r in
                #expect(r.status == .ok)
                let json8 = try fhir(r.body)
                #expect(link(json8, "self")?.contains("_count=1000") == true)
            }
        }
    }

    @Test("_count=0 and _summary=count give the total without entries")
    func countOnly() async throws {
        try await FHIRServerHarness.with { h, client in
            for uri in ["/fhir/Observation?_count=0", "/fhir/Observation?_summary=count"] {
                try await client.execute(uri: uri, method: .get, headers: h.headers(.admin)) { r in
                    let bundle = try fhir(r.body)
                    #expect(bundle["total"]?.intValue == 0)
                    #expect(bundle["entry"] == nil)
                }
            }
        }
    }

    @Test("_include=Observation:patient and _revinclude=Observation:patient; another site's patient is not included")
    func includes() async throws {
        try await FHIRServerHarness.with { h, client in
            for subject in ["Patient/p-a", "Patient/p-b"] {
                try await client.execute(uri: "/fhir/Observation", method: .post, headers: h.headers(.admin),
                                         body: ByteBuffer(string: #"{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"\#(subject)"}}"#)) { r in
                    #expect(r.status == .created)
                }
            }
            try await client.execute(uri: "/fhir/Observation?_include=Observation:patient", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .ok)
                let entries = try fhir(r.body)["entry"]?.arrayValue ?? []
                let included = entries.filter { $0["search"]?["mode"]?.stringValue == "include" }
                #expect(included.compactMap { $0["resource"]?["id"]?.stringValue } == ["p-a"])
                #expect(entries.filter { $0["search"]?["mode"]?.stringValue == "match" }.count == 2)
            }
            try await client.execute(uri: "/fhir/Patient?_id=p-a&_revinclude=Observation:patient", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .ok)
                let entries = try fhir(r.body)["entry"]?.arrayValue ?? []
                let included = entries.filter { $0["search"]?["mode"]?.stringValue == "include" }
                #expect(included.count == 1)
                #expect(included.first?["resource"]?["subject"]?["reference"]?.stringValue == "Patient/p-a")
            }
            try await client.execute(uri: "/fhir/Patient?_revinclude=Spaceship:patient", method: .get, headers: h.headers(.admin)) { r in
                #expect(r.status == .badRequest)
            }
        }
    }
}

@Suite("FHIR server: create, conditional create, update")
struct FHIRServerWriteTests {
    @Test("create: 201 with Location, ETag and the resource; audited as the user")
    func create() async throws {
        try await FHIRServerHarness.with { h, client in
            let id = try await client.execute(uri: "/fhir/Patient", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(string: patientJSON(mrn: "A-002"))) { r in
                #expect(r.status == .created)
                #expect(r.headers[.eTag] == "W/\"1\"")
                let patient = try fhir(r.body)
                let id = patient["id"]?.stringValue ?? ""
                #expect(r.headers[.location]?.hasSuffix("/fhir/Patient/\(id)/_history/1") == true)
                #expect(patient["meta"]?["versionId"]?.stringValue == "1")
                return id
            }
            #expect(try await h.database.repositories.audit.history(table: "participants", recordID: id).map(\.actor.userID) == ["u-coordinator"])
        }
    }

    @Test("Prefer: return=minimal answers no body; return=OperationOutcome an OperationOutcome")
    func prefer() async throws {
        try await FHIRServerHarness.with { h, client in
            try await client.execute(uri: "/fhir/Patient", method: .post, headers: h.headers(.admin, ["Prefer": "return=minimal"]), body: ByteBuffer(string: patientJSON(mrn: "M-1"))) { r in
                #expect(r.status == .created)
                #expect(r.body.readableBytes == 0)
                #expect(r.headers[.location] != nil)
            }
            try await client.execute(uri: "/fhir/Patient", method: .post, headers: h.headers(.admin, ["Prefer": "return=OperationOutcome"]), body: ByteBuffer(string: patientJSON(mrn: "M-2"))) { r in
                #expect(r.status == .created)
                let json9 = try fhir(r.body)
                #expect(json9["resourceType"]?.stringValue == "OperationOutcome")
            }
        }
    }

    @Test("refusals write nothing: wrong role 403, malformed JSON 400, wrong resourceType 400, invalid resource 400 with its path, duplicate 409")
    func refusals() async throws {
        try await FHIRServerHarness.with { h, client in
            let cases: [(UserRole, String, HTTPResponse.Status, [String])] = [
                (.monitor, patientJSON(mrn: "R-1"), .forbidden, []),
                (.auditor, patientJSON(mrn: "R-1"), .forbidden, []),
                (.admin, "{\"resourceType\":", .badRequest, []),
                (.admin, #"{"resourceType":"Observation"}"#, .badRequest, ["resourceType"]),
                (.admin, #"{"resourceType":"Patient","birthDate":"1980-01-01"}"#, .badRequest, ["Patient.identifier"]),
                (.admin, patientJSON(mrn: "A-001"), .conflict, []),
                (.coordinator, patientJSON(mrn: "R-2", site: "site-b"), .unprocessableContent, ["Patient.managingOrganization"]),
            ]
            for (role, body, status, expression) in cases {
                try await client.execute(uri: "/fhir/Patient", method: .post, headers: h.headers(role), body: ByteBuffer(string: body)) { r in
                    #expect(r.status == status, "\(body)")
                    let outcome = try fhir(r.body)
                    #expect(outcome["resourceType"]?.stringValue == "OperationOutcome")
                    if !expression.isEmpty { #expect(issue(outcome).expression == expression) }
                }
            }
            #expect(try await h.participantCount() == 2)
        }
    }

    @Test("conditional create: one match → 200 with it, none → 201, several → 412")
    func conditionalCreate() async throws {
        try await FHIRServerHarness.with { h, client in
            try await client.execute(uri: "/fhir/Patient", method: .post, headers: h.headers(.coordinator, ["If-None-Exist": "identifier=urn:test:mrn|A-001"]),
                                     body: ByteBuffer(string: patientJSON(mrn: "A-001"))) { r in
                #expect(r.status == .ok)
                let json10 = try fhir(r.body)
                #expect(json10["id"]?.stringValue == "p-a")
            }
            try await client.execute(uri: "/fhir/Patient", method: .post, headers: h.headers(.coordinator, ["If-None-Exist": "identifier=A-050"]),
                                     body: ByteBuffer(string: patientJSON(mrn: "A-050"))) { r in
                #expect(r.status == .created)
            }
            // The same MRN at both sites: an admin's criteria match two.
            _ = try await h.database.repositories.participants.create(
                Participant(id: "p-b2", siteID: "site-b", mrn: "A-001", sex: .male, birthDate: CalendarDate(year: 1990, month: 1, day: 1)!),
                context: FHIRServerHarness.setup, idempotencyKey: nil)
            try await client.execute(uri: "/fhir/Patient", method: .post, headers: h.headers(.admin, ["If-None-Exist": "identifier=A-001"]),
                                     body: ByteBuffer(string: patientJSON(mrn: "A-001"))) { r in
                #expect(r.status == .preconditionFailed)
            }
            try await client.execute(uri: "/fhir/Patient", method: .post, headers: h.headers(.admin, ["If-None-Exist": "colour=blue"]),
                                     body: ByteBuffer(string: patientJSON(mrn: "A-077"))) { r in
                #expect(r.status == .badRequest)
            }
            #expect(try await h.participants(mrn: "A-050").count == 1)
            #expect(try await h.participants(mrn: "A-077").isEmpty)
        }
    }

    @Test("conditional create from 20 concurrent clients makes one resource; every client gets it")
    func conditionalCreateConcurrent() async throws {
        try await FHIRServerHarness.with { h, client in
            let statuses = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let headers = h.headers(.coordinator, ["If-None-Exist": "identifier=urn:test:mrn|C-20"])
                        let result: (Int, String) = try await client.execute(
                            uri: "/fhir/Patient", method: .post, headers: headers, body: ByteBuffer(string: patientJSON(mrn: "C-20"))
                        ) { r -> (Int, String) in
                            let id = try fhir(r.body)["id"]?.stringValue ?? ""
                            return (r.status.code, id)
                        }
                        return result
                    }
                }
                var all: [(Int, String)] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(statuses.filter { $0.0 == 201 }.count == 1)
            #expect(statuses.filter { $0.0 == 200 }.count == 19)
            #expect(Set(statuses.map(\.1)).count == 1)
            #expect(try await h.participants(mrn: "C-20").count == 1)
        }
    }

    @Test("update: If-Match current → 200 W/\"2\"; stale If-Match or stale meta.versionId → 412; id mismatch 400; unknown id 404")
    func update() async throws {
        try await FHIRServerHarness.with { h, client in
            try await client.execute(uri: "/fhir/Patient/p-a", method: .put, headers: h.headers(.coordinator, ["If-Match": "W/\"1\""]),
                                     body: ByteBuffer(string: patientJSON(mrn: "A-001", id: "p-a", family: "Perez"))) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.eTag] == "W/\"2\"")
                let json11 = try fhir(r.body)
                #expect(json11["name"]?.arrayValue?.first?["family"]?.stringValue == "Perez")
            }
            try await client.execute(uri: "/fhir/Patient/p-a", method: .put, headers: h.headers(.coordinator, ["If-Match": "W/\"1\""]),
                                     body: ByteBuffer(string: patientJSON(mrn: "A-001", id: "p-a", family: "Stale"))) { r in
                #expect(r.status == .preconditionFailed)
                let json12 = try fhir(r.body)
                #expect(json12["resourceType"]?.stringValue == "OperationOutcome")
            }
            try await client.execute(uri: "/fhir/Patient/p-a", method: .put, headers: h.headers(.coordinator),
                                     body: ByteBuffer(string: patientJSON(mrn: "A-001", id: "p-a", versionId: "1", family: "Stale"))) { r in
                #expect(r.status == .preconditionFailed)
            }
            try await client.execute(uri: "/fhir/Patient/p-a", method: .put, headers: h.headers(.coordinator, ["If-Match": "nonsense"]),
                                     body: ByteBuffer(string: patientJSON(mrn: "A-001", id: "p-a"))) { r in
                #expect(r.status == .badRequest)
            }
            try await client.execute(uri: "/fhir/Patient/p-a", method: .put, headers: h.headers(.coordinator),
                                     body: ByteBuffer(string: patientJSON(mrn: "A-001", id: "p-x"))) { r in
                #expect(r.status == .badRequest)
                let json13 = try fhir(r.body)
                #expect(issue(json13).expression == ["Patient.id"])
            }
            try await client.execute(uri: "/fhir/Patient/p-b", method: .put, headers: h.headers(.coordinator),
                                     body: ByteBuffer(string: patientJSON(mrn: "B-001", id: "p-b"))) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(uri: "/fhir/Patient/p-a", method: .put, headers: h.headers(.monitor),
                                     body: ByteBuffer(string: patientJSON(mrn: "A-001", id: "p-a"))) { r in
                #expect(r.status == .forbidden)
            }
            #expect(try await h.database.repositories.participants.get("p-a").value.familyName == "Perez")
        }
    }
}

func txBundle(_ type: String, _ entries: [String]) -> ByteBuffer {
    ByteBuffer(string: #"{"resourceType":"Bundle","type":"\#(type)","entry":[\#(entries.joined(separator: ","))]}"#)
}

func txPost(_ resource: String, fullUrl: String? = nil, type: String = "Patient", ifNoneExist: String? = nil) -> String {
    let full = fullUrl.map { #""fullUrl":"\#($0)","# } ?? ""
    let condition = ifNoneExist.map { #","ifNoneExist":"\#($0)""# } ?? ""
    return #"{\#(full)"resource":\#(resource),"request":{"method":"POST","url":"\#(type)"\#(condition)}}"#
}


@Suite("FHIR server: transaction and batch bundles")
struct FHIRServerTransactionTests {
    @Test("a transaction commits every entry, resolving urn:uuid references, whatever the entries' order")
    func commits() async throws {
        try await FHIRServerHarness.with { h, client in
            let note = #"{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"urn:uuid:0c3b1c9e-1111-4c4c-9d9d-000000000001"}}"#
            let body = txBundle("transaction", [
                txPost(note, fullUrl: "urn:uuid:0c3b1c9e-2222-4c4c-9d9d-000000000002", type: "Observation"),
                txPost(patientJSON(mrn: "T-1"), fullUrl: "urn:uuid:0c3b1c9e-1111-4c4c-9d9d-000000000001"),
                #"{"request":{"method":"GET","url":"Patient/p-a"}}"#,
            ])
            try await client.execute(uri: "/fhir", method: .post, headers: h.headers(.coordinator), body: body) { r in
                #expect(r.status == .ok)
                let response = try fhir(r.body)
                #expect(response["type"]?.stringValue == "transaction-response")
                let entries = response["entry"]?.arrayValue ?? []
                #expect(entries.count == 3)
                #expect(entries.prefix(2).allSatisfy { $0["response"]?["status"]?.stringValue == "201 Created" })
                let patientID = entries[1]["resource"]?["id"]?.stringValue ?? "?"
                #expect(entries[0]["resource"]?["subject"]?["reference"]?.stringValue == "Patient/\(patientID)")
                #expect(entries[1]["response"]?["location"]?.stringValue == "Patient/\(patientID)/_history/1")
                #expect(entries[2]["resource"]?["id"]?.stringValue == "p-a")
            }
            #expect(try await h.participants(mrn: "T-1").count == 1)
        }
    }

    @Test("one bad entry and nothing is written: the OperationOutcome names Bundle.entry[i]")
    func allOrNothing() async throws {
        try await FHIRServerHarness.with { h, client in
            let invalid = #"{"resourceType":"Patient","birthDate":"1980-01-01"}"#
            let cases: [([String], HTTPResponse.Status, String?)] = [
                ([txPost(patientJSON(mrn: "T-2")), txPost(invalid)], .badRequest, "Bundle.entry[1].resource.identifier"),
                ([txPost(patientJSON(mrn: "T-2")), txPost(patientJSON(mrn: "A-001"))], .conflict, "Bundle.entry[1].resource"),
                ([txPost(patientJSON(mrn: "T-2")), txPost(patientJSON(mrn: "T-3")),
                  #"{"resource":\#(patientJSON(mrn: "A-001", id: "p-a")),"request":{"method":"PUT","url":"Patient/p-a","ifMatch":"W/\"7\""}}"#],
                 .preconditionFailed, "Bundle.entry[2].resource"),
                ([txPost(patientJSON(mrn: "T-2")), txPost(#"{"resourceType":"Observation","subject":{"reference":"urn:uuid:nowhere"}}"#, type: "Observation")],
                 .badRequest, "Bundle.entry[1].resource.subject.reference"),
                ([txPost(patientJSON(mrn: "T-2")), #"{"request":{"method":"DELETE","url":"Patient/p-a"}}"#], .methodNotAllowed, "Bundle.entry[1].request.method"),
                ([txPost(patientJSON(mrn: "T-2")), #"{"request":{"method":"POST","url":"Spaceship"},"resource":{}}"#], .notFound, nil),
            ]
            for (entries, status, expression) in cases {
                try await client.execute(uri: "/fhir", method: .post, headers: h.headers(.coordinator), body: txBundle("transaction", entries)) { r in
                    #expect(r.status == status)
                    let outcome = try fhir(r.body)
                    #expect(outcome["resourceType"]?.stringValue == "OperationOutcome")
                    if let expression { #expect(issue(outcome).expression == [expression]) }
                }
                #expect(try await h.participants(mrn: "T-2").isEmpty)
                #expect(try await h.participants(mrn: "T-3").isEmpty)
            }
            #expect(try await h.participantCount() == 2)
            try await client.execute(uri: "/fhir", method: .post, headers: h.headers(.monitor), body: txBundle("transaction", [txPost(patientJSON(mrn: "T-2"))])) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/fhir", method: .post, headers: h.headers(.admin), body: ByteBuffer(string: #"{"resourceType":"Bundle","type":"document"}"#)) { r in
                #expect(r.status == .badRequest)
                let json14 = try fhir(r.body)
                #expect(issue(json14).expression == ["Bundle.type"])
            }
            #expect(try await h.participantCount() == 2)
        }
    }

    @Test("a conditional create inside a transaction reuses the existing resource for later references")
    func conditionalInTransaction() async throws {
        try await FHIRServerHarness.with { h, client in
            let note = #"{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"urn:uuid:0c3b1c9e-1111-4c4c-9d9d-000000000001"}}"#
            let body = txBundle("transaction", [
                txPost(patientJSON(mrn: "A-001"), fullUrl: "urn:uuid:0c3b1c9e-1111-4c4c-9d9d-000000000001", ifNoneExist: "identifier=A-001"),
                txPost(note, type: "Observation"),
            ])
            try await client.execute(uri: "/fhir", method: .post, headers: h.headers(.coordinator), body: body) { r in
                #expect(r.status == .ok)
                let entries = try fhir(r.body)["entry"]?.arrayValue ?? []
                #expect(entries.first?["response"]?["status"]?.stringValue == "200 OK")
                #expect(entries.last?["resource"]?["subject"]?["reference"]?.stringValue == "Patient/p-a")
            }
            #expect(try await h.participantCount() == 2)
        }
    }

    @Test("a batch writes its good entries and answers each bad one with its outcome")
    func batch() async throws {
        try await FHIRServerHarness.with { h, client in
            let body = txBundle("batch", [txPost(patientJSON(mrn: "B-2")), txPost(#"{"resourceType":"Patient","birthDate":"1980-01-01"}"#)])
            try await client.execute(uri: "/fhir", method: .post, headers: h.headers(.admin), body: body) { r in
                #expect(r.status == .ok)
                let response = try fhir(r.body)
                #expect(response["type"]?.stringValue == "batch-response")
                let entries = response["entry"]?.arrayValue ?? []
                #expect(entries.first?["response"]?["status"]?.stringValue == "201 Created")
                #expect(entries.last?["response"]?["status"]?.stringValue == "400")
                #expect(entries.last?["response"]?["outcome"]?["issue"]?.arrayValue?.first?["expression"]?.arrayValue?.first?.stringValue
                        == "Bundle.entry[1].resource.identifier")
            }
            #expect(try await h.participants(mrn: "B-2").count == 1)
        }
    }
}
