import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import RestoraDomain
@testable import RestoraWeb
import Testing

/// FHIR Bulk Data (issue #17, docs/fhir.md "Bulk Data"): `$export` kick-off → status → manifest → NDJSON files,
/// DELETE, the refusals (no Prefer header, unknown `_type`, bad `_since`, a role that may not export, another
/// user's job, an unknown Group), and the NDJSON import with a bad line among good ones.
@Suite("FHIR Bulk Data")
struct FHIRBulkTests {
    /// A harness whose exports go to a fresh temporary folder, with p-a (site A) enrolled in prog-1.
    static func with(_ body: @escaping @Sendable (WebHarness, any TestClientProtocol, URL) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restora-bulk-tests-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await WebHarness.with(configure: { $0.exportDirectory = folder.path; $0.maxBodyBytes = 1 << 16 }) { h, client in
            _ = try await h.database.repositories.enrolments.create(
                Enrolment(id: "e-a", participantID: "p-a", programID: "prog-1", siteID: "site-a"), context: WebHarness.setup, idempotencyKey: nil)
            try await body(h, client, folder)
        }
    }

    static func headers(_ h: WebHarness, _ role: UserRole, async: Bool = true) -> HTTPFields {
        var fields = h.headers(role)
        fields[.accept] = "application/fhir+json"
        if async { fields[HTTPField.Name("Prefer")!] = "respond-async" }
        return fields
    }

    /// Kicks off; returns the status URL's path (from Content-Location).
    static func kickOff(_ h: WebHarness, _ client: any TestClientProtocol, _ role: UserRole, _ uri: String) async throws -> String {
        try await client.execute(uri: uri, method: .get, headers: headers(h, role)) { r in
            #expect(r.status == .accepted, "\(String(buffer: r.body))")
            let location = try #require(r.headers[.contentLocation])
            #expect(location.contains("/fhir/$export-status/"))
            return String(location[location.range(of: "/fhir/")!.lowerBound...])
        }
    }

    /// Polls until the manifest (200) comes; returns it.
    static func manifest(_ h: WebHarness, _ client: any TestClientProtocol, _ role: UserRole, _ status: String) async throws -> FHIRJSON {
        for _ in 0..<400 {
            let (code, body) = try await client.execute(uri: status, method: .get, headers: h.headers(role)) { r in
                if r.status == .accepted { #expect(r.headers[HTTPField.Name("X-Progress")!] != nil) }
                return (r.status, r.body)
            }
            if code == .ok { return try fhir(body) }
            #expect(code == .accepted, "\(String(buffer: body))")
            if code != .accepted { throw BrowserError("status \(code)") }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw BrowserError("the export did not finish")
    }

    static func path(_ url: String) -> String { String(url[url.range(of: "/fhir/")!.lowerBound...]) }

    /// The NDJSON lines of a manifest's output file, each parsed.
    static func lines(_ h: WebHarness, _ client: any TestClientProtocol, _ role: UserRole, _ url: String) async throws -> [FHIRJSON] {
        try await client.execute(uri: path(url), method: .get, headers: h.headers(role)) { r in
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "application/fhir+ndjson")
            return try String(buffer: r.body).split(separator: "\n").map { try FHIRJSON.parse(Array($0.utf8)) }
        }
    }

    static func outcome(_ r: TestResponse, _ status: HTTPResponse.Status, expression: String? = nil) throws {
        #expect(r.status == status, "\(String(buffer: r.body))")
        let body = try fhir(r.body)
        #expect(body["resourceType"] == .string("OperationOutcome"))
        if let expression {
            #expect(body["issue"]?.arrayValue?.first?["expression"] == .array([.string(expression)]), "\(String(buffer: r.body))")
        }
    }

    @Test("X-Progress names every type started, in the order they started, while two are written at once")
    func progressOfTypesWrittenAtOnce() async {
        let board = FHIRBulkBoard()
        #expect(await board.progress("j") == nil)
        await board.set("j", type: "Patient", "Patient: 4000 resources written")
        await board.set("j", type: "Observation", "Observation: 4000 resources written")
        await board.set("j", type: "Patient", "Patient: 8000 resources written")
        await board.set("other", type: "Consent", "Consent: 1 resources written")
        #expect(await board.progress("j") == "Patient: 8000 resources written; Observation: 4000 resources written")
        await board.clear("j")
        #expect(await board.progress("j") == nil)
        #expect(await board.progress("other") == "Consent: 1 resources written")
    }

    @Test("types start longest first (Observation, then the types whose reading sets their pace), each once; a _type list keeps that order among its own types")
    func startOrder() {
        let all = FHIRBulkExporter.supportedTypes
        let order = FHIRBulkExporter.started(all)
        #expect(order.sorted() == Array(all.indices))
        #expect(order.map { all[$0] } == FHIRBulkExporter.startOrder)
        #expect(Set(FHIRBulkExporter.startOrder) == Set(all))
        let some = ["Patient", "Consent", "Observation"]
        #expect(FHIRBulkExporter.started(some).map { some[$0] } == ["Observation", "Consent", "Patient"])
        let unknown = ["Later", "Patient", "Sooner"]
        #expect(FHIRBulkExporter.started(unknown).map { unknown[$0] } == ["Patient", "Later", "Sooner"])
    }

    @Test("a file written in pieces across several 16 MB flush steps (the write-out asked for, pages dropped) reads back byte for byte")
    func pacedAppendKeepsEveryByte() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("restora-bulk-append-\(UUID().uuidString).ndjson")
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
        defer { try? FileManager.default.removeItem(at: url) }
        let handle = try FileHandle(forWritingTo: url)
        // Piece sizes that end short of, exactly on, and past the step boundaries, up to 2.5 steps; the content
        // repeats every 251 bytes (a prime: a page written at the wrong offset would not match).
        let sizes = [5 << 20, (11 << 20) - 7, 7, 16 << 20, 1, (9 << 20) + 123]
        var expected = (0..<251).map { UInt8($0) }
        while expected.count < sizes.reduce(0, +) { expected += expected }
        expected.removeLast(expected.count - sizes.reduce(0, +))
        var written = 0
        for size in sizes {
            try FHIRBulkFile.append(Array(expected[written..<written + size]), to: handle, written: written)
            written += size
        }
        try handle.close()
        #expect(written > 2 * FHIRBulkFile.flushStep)
        let read = try [UInt8](Data(contentsOf: url))
        #expect(read.count == expected.count)
        // A failure names the first differing byte, not the two 41 MB arrays.
        let same = read == expected
        #expect(same, "first difference at byte \((0..<min(read.count, expected.count)).first { read[$0] != expected[$0] } ?? -1)")
    }

    @Test("system $export by an admin: 202 + Content-Location, 202 X-Progress, manifest with Patient and Observation NDJSON of every site, each line a resource with meta")
    func systemExport() async throws {
        try await Self.with { h, client, _ in
            _ = try await h.database.repositories.observations.create(
                Observation(id: "o-1", participantID: "p-a", code: Coding(.loinc, "2571-8"), value: .quantity(Quantity(150, "mg/dL")),
                            effective: WebHarness.now.addingTimeInterval(-86_400)),
                context: WebHarness.setup, idempotencyKey: nil)
            let status = try await Self.kickOff(h, client, .admin, "/fhir/$export?_outputFormat=application/fhir%2Bndjson")
            let manifest = try await Self.manifest(h, client, .admin, status)
            #expect(manifest["requiresAccessToken"] == .bool(true))
            #expect(manifest["request"]?.stringValue?.hasSuffix("/fhir/$export?_outputFormat=application/fhir%2Bndjson") == true)
            #expect(manifest["transactionTime"]?.stringValue != nil)
            #expect(manifest["error"] == .array([]))
            let output = try #require(manifest["output"]?.arrayValue)
            // Every type with records, in the exporter's order (the harness's program and the enrolment made above).
            #expect(output.compactMap { $0["type"]?.stringValue } == ["Patient", "Observation", "ResearchStudy", "ResearchSubject", "Provenance"])
            #expect(output.compactMap { $0["count"]?.intValue } == [2, 1, 1, 1, 4])
            // Provenance: the creation of each record of a target type, as a read of its id returns it.
            let provenance = try await Self.lines(h, client, .admin, try #require(output[4]["url"]?.stringValue))
            #expect(Set(provenance.compactMap { $0["target"]?.arrayValue?.first?["reference"]?.stringValue })
                    == ["Patient/p-a", "Patient/p-b", "Observation/o-1", "ResearchSubject/\(try #require(Self.onlyEnrolment(provenance)))"])
            #expect(provenance.allSatisfy { $0["activity"]?["coding"]?.arrayValue?.first?["code"] == .string("CREATE")
                && $0["meta"]?["versionId"] == .string("1")
                && $0["meta"]?["lastUpdated"]?.stringValue.flatMap(FHIRBulkInstant.parse) == $0["recorded"]?.stringValue.flatMap(FHIRBulkInstant.parse) })
            for line in provenance {
                let id = try #require(line["id"]?.stringValue)
                let read = try await client.execute(uri: "/fhir/Provenance/\(id)", method: .get, headers: Self.headers(h, .admin, async: false)) { r in
                    #expect(r.status == .ok)
                    return try fhir(r.body)
                }
                #expect(read == line, "\(id)")
            }
            let patients = try await Self.lines(h, client, .admin, try #require(output[0]["url"]?.stringValue))
            #expect(Set(patients.compactMap { $0["id"]?.stringValue }) == ["p-a", "p-b"])
            #expect(patients.allSatisfy { $0["resourceType"] == .string("Patient") && $0["meta"]?["versionId"] == .string("1") })
            let observations = try await Self.lines(h, client, .admin, try #require(output[1]["url"]?.stringValue))
            #expect(observations.count == 1)
            #expect(observations.first?["subject"]?["reference"] == .string("Patient/p-a"))
            // The same bearer token is needed for the files.
            try await client.execute(uri: Self.path(try #require(output[0]["url"]?.stringValue)), method: .get, headers: [:]) { r in
                #expect(r.status == .unauthorized)
            }
            // The job is audited: its create and each status change.
            let job = String(status.split(separator: "/").last!)
            let stored = try await h.database.repositories.fhirBulk.jobs.get(Identifier(job))
            #expect(stored.value.status == .done && stored.value.requestedBy.userID == "u-admin" && stored.version == 3)
        }
    }

    /// One record of every exported type for p-a (site A, enrolled in prog-1 as e-a) and for p-b (site B, e-b),
    /// ids ending in -a / -b; p-b's records were written before `bLater`'s records of p-a (`_since` splits them).
    static func seedEveryType(_ h: WebHarness) async throws {
        let repos = h.database.repositories
        let setup = WebHarness.setup
        _ = try await repos.enrolments.create(
            Enrolment(id: "e-b", participantID: "p-b", programID: "prog-1", siteID: "site-b", protocolVersion: "1.0"), context: setup, idempotencyKey: nil)
        let document = try await repos.consents.issue(
            ConsentDocument(id: "doc-1", programID: "prog-1", title: "Participant information and consent", mediaType: .text,
                            fileName: "consent.txt", witnessRequired: false, issuedBy: setup.actor, issuedAt: WebHarness.now),
            content: Data("I agree to take part.".utf8), context: setup)
        let day = { (text: String) in CalendarDate(text)! }
        for side in ["a", "b"] {
            let participant = Identifier<Participant>("p-\(side)")
            let enrolment = Identifier<Enrolment>("e-\(side)")
            _ = try await repos.observations.create(
                Observation(id: Identifier("o-\(side)"), participantID: participant, code: Coding(.loinc, "2571-8"),
                            value: .quantity(Quantity(150, "mg/dL")), effective: WebHarness.now.addingTimeInterval(-86_400)),
                context: setup, idempotencyKey: nil)
            _ = try await repos.visits.create(Visit(id: Identifier("v-\(side)"), enrolmentID: enrolment, visitKey: "baseline", plannedDay: 0,
                                                    windowBefore: 0, windowAfter: 7), context: setup, idempotencyKey: nil)
            _ = try await repos.procedures.create(Procedure(id: Identifier("proc-\(side)"), participantID: participant, kind: .biopsy,
                                                            performed: WebHarness.now), context: setup, idempotencyKey: nil)
            _ = try await repos.adverseEvents.create(FHIRCareTests.event("ae-\(side)", participant.rawValue, onset: "2026-01-05"),
                                                     context: setup, idempotencyKey: nil)
            _ = try await repos.medicationCourses.create(
                MedicationCourse(id: Identifier("course-\(side)"), participantID: participant, drug: ClinicalCodes.isotretinoin,
                                 dose: Quantity(20, "mg"), route: "oral", timesPerDay: 2, start: day("2026-01-02"),
                                 dispensings: [Dispensing(date: day("2026-01-02"), unitsDispensed: 60, daysCovered: 30),
                                               Dispensing(date: day("2026-02-01"), unitsDispensed: 60, daysCovered: 30)]),
                context: setup, idempotencyKey: nil)
            _ = try await repos.concomitantMedications.create(
                ConcomitantMedicationRecord(id: Identifier("cm-\(side)"), participantID: participant,
                                            medication: ConcomitantMedication(drug: ClinicalCodes.alendronate, dose: "70 mg weekly")),
                context: setup, idempotencyKey: nil)
            _ = try await repos.cellProducts.create(
                CellProduct(id: Identifier("cp-\(side)"), lot: "LOT-\(side)", participantID: participant, sourceTissue: "bone-marrow-aspirate"),
                context: setup, idempotencyKey: nil)
            _ = try await repos.consents.record(
                ConsentRecord(id: Identifier("c-\(side)"), participantID: participant, enrolmentID: enrolment, programID: "prog-1",
                              documentID: "doc-1", documentVersion: 1, documentSHA256: document.value.sha256, signerName: "Ana Lopez",
                              signedAt: WebHarness.now, method: .inPerson, recordedBy: setup.actor, recordedAt: WebHarness.now),
                context: setup, idempotencyKey: nil)
        }
    }

    static let everyType: [String: [String]] = [
        "Patient": ["p-a", "p-b"], "Observation": ["o-a", "o-b"], "ResearchStudy": ["prog-1"], "ResearchSubject": ["e-a", "e-b"],
        "Encounter": ["v-a", "v-b"], "Procedure": ["proc-a", "proc-b"], "MedicationRequest": ["course-a", "course-b"],
        "MedicationDispense": ["course-a.d1", "course-a.d2", "course-b.d1", "course-b.d2"], "MedicationStatement": ["cm-a", "cm-b"],
        "AdverseEvent": ["ae-a", "ae-b"], "BiologicallyDerivedProduct": ["cp-a", "cp-b"], "Consent": ["c-a", "c-b"],
        "Provenance": ["AdverseEvent/ae-a", "AdverseEvent/ae-b", "BiologicallyDerivedProduct/cp-a", "BiologicallyDerivedProduct/cp-b",
                       "Encounter/v-a", "Encounter/v-b", "MedicationRequest/course-a", "MedicationRequest/course-b",
                       "MedicationStatement/cm-a", "MedicationStatement/cm-b", "Observation/o-a", "Observation/o-b", "Patient/p-a", "Patient/p-b",
                       "Procedure/proc-a", "Procedure/proc-b", "ResearchSubject/e-a", "ResearchSubject/e-b"],
    ]

    /// Each output file's resource ids by type (every line of the file's type, with meta).
    static func exported(_ h: WebHarness, _ client: any TestClientProtocol, _ role: UserRole, _ uri: String) async throws -> [String: [String]] {
        let manifest = try await Self.manifest(h, client, role, try await Self.kickOff(h, client, role, uri))
        var found: [String: [String]] = [:]
        for output in manifest["output"]?.arrayValue ?? [] {
            let type = try #require(output["type"]?.stringValue)
            let lines = try await Self.lines(h, client, role, try #require(output["url"]?.stringValue))
            #expect(output["count"]?.intValue == lines.count, "\(type)")
            #expect(lines.allSatisfy { $0["resourceType"] == .string(type) && $0["meta"]?["lastUpdated"] != nil }, "\(type)")
            // A Provenance id carries the audit sequence: the records it is about are compared instead.
            found[type] = type == "Provenance" ? Array(Set(lines.compactMap { $0["target"]?.arrayValue?.first?["reference"]?.stringValue })).sorted()
                : lines.compactMap { $0["id"]?.stringValue }.sorted()
        }
        return found
    }

    /// The one ResearchSubject a set of Provenance lines targets (the harness's enrolment, whose id it makes).
    static func onlyEnrolment(_ lines: [FHIRJSON]) -> String? {
        let subjects = lines.compactMap { $0["target"]?.arrayValue?.first?["reference"]?.stringValue }.filter { $0.hasPrefix("ResearchSubject/") }
        return subjects.count == 1 ? String(subjects[0].dropFirst("ResearchSubject/".count)) : nil
    }

    @Test("$export writes every type the server serves, one file each with the manifest's counts; a data manager of site A gets site A's records only, the same at Patient and Group level")
    func everyTypeAndSiteScope() async throws {
        try await Self.with { h, client, _ in
            try await Self.seedEveryType(h)
            #expect(try await Self.exported(h, client, .admin, "/fhir/$export") == Self.everyType)
            let siteA = Self.everyType.mapValues { ids in ids.filter { !$0.hasSuffix("-b") && !$0.contains("-b.") } }
            #expect(try await Self.exported(h, client, .dataManager, "/fhir/$export") == siteA)
            #expect(try await Self.exported(h, client, .dataManager, "/fhir/Patient/$export") == siteA)
            #expect(try await Self.exported(h, client, .dataManager, "/fhir/Group/prog-1/$export") == siteA)
        }
    }

    @Test("_type limits the files to the types named; _since leaves out records not changed after it (a withdrawal recorded later brings its Consent)")
    func typeAndSinceFilters() async throws {
        try await Self.with { h, client, _ in
            try await Self.seedEveryType(h)
            #expect(try await Self.exported(h, client, .admin, "/fhir/$export?_type=Encounter,MedicationDispense,Consent")
                    == ["Encounter": ["v-a", "v-b"], "MedicationDispense": ["course-a.d1", "course-a.d2", "course-b.d1", "course-b.d2"],
                        "Consent": ["c-a", "c-b"]])
            // Rows are stamped with the time they are stored: nothing changed after `since` until the withdrawal below.
            try await Task.sleep(for: .milliseconds(20))
            let since = FHIRBulkInstant.text(Date())
            try await Task.sleep(for: .milliseconds(20))
            #expect(try await Self.exported(h, client, .admin, "/fhir/$export?_since=\(since)") == [:])
            _ = try await h.database.repositories.consents.withdraw(
                ConsentWithdrawal(id: "w-b", participantID: "p-b", enrolmentID: "e-b", scope: .followUp,
                                  withdrawnAt: WebHarness.now.addingTimeInterval(86_400), reason: "moving away",
                                  recordedBy: WebHarness.setup.actor, recordedAt: WebHarness.now.addingTimeInterval(86_400)),
                context: WebHarness.setup)
            #expect(try await Self.exported(h, client, .admin, "/fhir/$export?_type=Consent,ResearchSubject&_since=\(since)") == ["Consent": ["c-b"]])
        }
    }

    @Test("a participant who withdrew consent to the use of their data is left out of every type, at system and Group level")
    func withdrawnParticipantsLeftOut() async throws {
        try await Self.with { h, client, _ in
            try await Self.seedEveryType(h)
            _ = try await h.database.repositories.consents.withdraw(
                ConsentWithdrawal(id: "w-a", participantID: "p-a", enrolmentID: "e-a", scope: .dataUse, withdrawnAt: WebHarness.now,
                                  reason: nil, recordedBy: WebHarness.setup.actor, recordedAt: WebHarness.now),
                context: WebHarness.setup)
            var siteB = Self.everyType.mapValues { ids in ids.filter { !$0.hasSuffix("-a") && !$0.contains("-a.") } }
            siteB["ResearchStudy"] = ["prog-1"]
            #expect(try await Self.exported(h, client, .admin, "/fhir/$export") == siteB)
            #expect(try await Self.exported(h, client, .admin, "/fhir/Group/prog-1/$export") == siteB)
        }
    }

    @Test("a data manager's Patient/$export with _type=Patient sees site A only; the Group (program) export its enrolled participants; _since in the future exports nothing")
    func scopedExports() async throws {
        try await Self.with { h, client, _ in
            let status = try await Self.kickOff(h, client, .dataManager, "/fhir/Patient/$export?_type=Patient")
            let manifest = try await Self.manifest(h, client, .dataManager, status)
            let output = try #require(manifest["output"]?.arrayValue)
            #expect(output.count == 1)
            let patients = try await Self.lines(h, client, .dataManager, try #require(output.first?["url"]?.stringValue))
            #expect(patients.compactMap { $0["id"]?.stringValue } == ["p-a"])

            let group = try await Self.kickOff(h, client, .admin, "/fhir/Group/prog-1/$export?_type=Patient")
            let groupOutput = try #require(try await Self.manifest(h, client, .admin, group)["output"]?.arrayValue)
            let members = try await Self.lines(h, client, .admin, try #require(groupOutput.first?["url"]?.stringValue))
            #expect(members.compactMap { $0["id"]?.stringValue } == ["p-a"])

            let later = try await Self.kickOff(h, client, .admin, "/fhir/$export?_since=2999-01-01T00:00:00Z")
            #expect(try await Self.manifest(h, client, .admin, later)["output"] == .array([]))
        }
    }

    @Test("kick-off refusals: no Prefer: respond-async → 400, unknown _type → 400 at _type, bad _since → 400 at _since, an unknown parameter → 400, investigator → 403, unknown Group → 404; nothing queued")
    func kickOffRefusals() async throws {
        try await Self.with { h, client, _ in
            try await client.execute(uri: "/fhir/$export", method: .get, headers: Self.headers(h, .admin, async: false)) { r in
                try Self.outcome(r, .badRequest)
            }
            try await client.execute(uri: "/fhir/$export?_type=Patient,Spaceship", method: .get, headers: Self.headers(h, .admin)) { r in
                try Self.outcome(r, .badRequest, expression: "_type")
            }
            try await client.execute(uri: "/fhir/$export?_since=yesterday", method: .get, headers: Self.headers(h, .admin)) { r in
                try Self.outcome(r, .badRequest, expression: "_since")
            }
            try await client.execute(uri: "/fhir/$export?_typeFilter=Patient%3Fgender%3Dmale", method: .get, headers: Self.headers(h, .admin)) { r in
                try Self.outcome(r, .badRequest, expression: "_typeFilter")
            }
            try await client.execute(uri: "/fhir/$export", method: .get, headers: Self.headers(h, .investigator)) { r in
                try Self.outcome(r, .forbidden)
            }
            try await client.execute(uri: "/fhir/Group/no-such-program/$export", method: .get, headers: Self.headers(h, .admin)) { r in
                try Self.outcome(r, .notFound)
            }
            try await client.execute(uri: "/fhir/$export", method: .get, headers: [:]) { r in #expect(r.status == .unauthorized) }
            try await client.execute(uri: "/fhir/$export-status/nope", method: .get, headers: h.headers(.admin)) { r in
                try Self.outcome(r, .notFound)
            }
        }
    }

    @Test("another user's job is 404 for its status, its files and DELETE; the requester's DELETE → 202, then the status is 404")
    func otherUsersJobAndDelete() async throws {
        try await Self.with { h, client, _ in
            let status = try await Self.kickOff(h, client, .admin, "/fhir/$export?_type=Patient")
            let manifest = try await Self.manifest(h, client, .admin, status)
            let file = Self.path(try #require(manifest["output"]?.arrayValue?.first?["url"]?.stringValue))
            try await client.execute(uri: status, method: .get, headers: h.headers(.dataManager)) { r in try Self.outcome(r, .notFound) }
            try await client.execute(uri: file, method: .get, headers: h.headers(.dataManager)) { r in try Self.outcome(r, .notFound) }
            try await client.execute(uri: status, method: .delete, headers: h.headers(.dataManager)) { r in try Self.outcome(r, .notFound) }
            try await client.execute(uri: status, method: .delete, headers: h.headers(.admin)) { r in #expect(r.status == .accepted) }
            try await client.execute(uri: status, method: .get, headers: h.headers(.admin)) { r in try Self.outcome(r, .notFound) }
            try await client.execute(uri: file, method: .get, headers: h.headers(.admin)) { r in try Self.outcome(r, .notFound) }
        }
    }

    @Test("the CapabilityStatement lists $export")
    func capability() async throws {
        try await Self.with { h, client, _ in
            try await client.execute(uri: "/fhir/metadata", method: .get, headers: [:]) { r in
                #expect(String(buffer: r.body).contains("bulkdata/OperationDefinition/export"))
            }
        }
    }

    @Test("import: a bad line among good ones is refused with its line number, path and reason; the good lines load (the Observation linked to the new Patient's id)")
    func importWithBadLines() async throws {
        try await Self.with { h, _, folder in
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let file = folder.appendingPathComponent("in.ndjson")
            let lines = [
                #"{"resourceType":"Patient","id":"old-1","identifier":[{"system":"urn:restora:site:A:mrn","value":"A-900"}],"name":[{"family":"Ruiz","given":["Eva"]}],"gender":"female","birthDate":"1979-05-02"}"#,
                #"{"resourceType":"Patient","identifier":[{"system":"urn:restora:site:A:mrn","value":"A-901"}],"gender":"female"}"#,
                #"{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2571-8"}]},"subject":{"reference":"Patient/old-1"},"effectiveDateTime":"2025-12-01T09:00:00Z","valueQuantity":{"value":150,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"}}"#,
                #"{"resourceType":"Observation", this is not JSON"#,
                "",
                #"{"resourceType":"Encounter","status":"finished"}"#,
                #"{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2571-8"}]},"subject":{"reference":"Patient/p-a"},"effectiveDateTime":"2025-12-02T09:00:00Z","valueQuantity":{"value":140,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"}}"#,
            ]
            try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            let admin = try await h.database.repositories.users.get(username: "admin").value
            let dependencies = WebDependencies(repositories: h.database.repositories, clock: FixedClock(WebHarness.now), logger: .init(label: "t"),
                                               catalog: try WebHarness.catalog())
            let summary = try await FHIRBulkImport(dependencies: dependencies, user: admin, audit: WebHarness.setup, batchSize: 50)
                .load(path: file.path)
            #expect(summary.lines == 7)
            #expect(summary.loaded == ["Patient": 1, "Observation": 2])
            #expect(summary.refusals.map(\.line) == [2, 4, 6])
            #expect(summary.refusals.first?.path == "Patient.birthDate")
            #expect(summary.refusals.last?.path == "resourceType")
            let new = try #require(try await h.database.repositories.participants.search(ParticipantQuery(siteIDs: nil, mrn: "A-900", limit: 10)).items.first)
            #expect(try await h.database.repositories.observations.list(participant: new.value.id).count == 1)
            #expect(try await h.database.repositories.observations.list(participant: "p-a").count == 1)
        }
    }
}
