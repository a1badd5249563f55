import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import RestoraDomain
import RestoraStorage
import Testing
@testable import RestoraWeb

/// FHIR Observation and Encounter through their handlers over the real application's database (WebHarness:
/// sites A and B, participant p-a at A and p-b at B, program prog-1 running isotretinoin-noa, the repository's
/// protocols loaded): the mapping, create through ClinicalEntry (the safety rules raise their alerts as in the
/// JSON API), the refusals (wrong unit, missing code, another site, a read-only role, stale version, no
/// reason), search by each parameter with prefixes, and keyset paging that survives concurrent writes.
@Suite("FHIR Observation and Encounter")
struct FHIRObservationTests {
    static let setup = AuditContext(actor: Actor(userID: "setup", role: "admin"), requestID: "setup")

    static func context(_ h: WebHarness, _ role: UserRole, sites: [Identifier<Site>] = ["site-a"]) throws -> FHIRInteractionContext {
        let user = UserAccount(id: Identifier("u-\(role.rawValue)"), username: role.rawValue, role: role, siteIDs: sites)
        var logger = Logger(label: "restora.fhir.obs.tests")
        logger.logLevel = .warning
        let dependencies = WebDependencies(repositories: h.database.repositories, clock: FixedClock(WebHarness.now), logger: logger,
                                           catalog: try WebHarness.catalog())
        return FHIRInteractionContext(user: user, audit: AuditContext(actor: user.actor, requestID: "fhir-obs-test"),
                                      dependencies: dependencies, repositories: h.database.repositories, now: WebHarness.now,
                                      baseURL: "http://127.0.0.1:8080/fhir")
    }

    static func triglyceride(_ value: String, unit: String = "mg/dL", patient: String = "p-a", code: String = "2571-8",
                             system: String = "http://loinc.org", when: String = "2025-12-30T09:00:00Z") throws -> FHIRJSON {
        try FHIRJSON.parse(Array("""
            {"resourceType":"Observation","status":"final",
             "code":{"coding":[{"system":"\(system)","code":"\(code)","display":"Triglyceride"}]},
             "subject":{"reference":"Patient/\(patient)"},"effectiveDateTime":"\(when)",
             "valueQuantity":{"value":\(value),"unit":"\(unit)","system":"http://unitsofmeasure.org","code":"\(unit)"}}
            """.utf8))
    }

    static func expectFHIRError(status: Int, expression: String? = nil, _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("expected a refusal with status \(status)")
        } catch {
            let mapped = FHIRErrorMapping.fhirError(error)
            #expect(mapped.status == status, "\(mapped.diagnostics)")
            if let expression { #expect(mapped.expression == [expression], "\(mapped.diagnostics)") }
        }
    }

    static func observation(_ id: String, participant: String = "p-a", code: Coding = ClinicalCodes.triglyceride,
                            value: ObservationValue = .quantity(Quantity(150, "mg/dL")), day: Int) -> Observation {
        Observation(id: Identifier(id), participantID: Identifier(participant), code: code, value: value,
                    effective: Date(timeIntervalSince1970: 1_764_547_200 + Double(day) * 86_400))  // 2025-12-01 + day
    }

    static func search(_ handler: some FHIRResourceHandler, _ items: [(String, [String], String?)], count: Int = 50,
                       sort: [FHIRSortKey] = [], cursor: String? = nil, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        try await handler.search(FHIRSearchQuery(
            criteria: items.map { FHIRSearchCriterion(name: $0.0, modifier: $0.2, values: $0.1) }, count: count, sort: sort, cursor: cursor),
            in: context)
    }

    static func ids(_ page: FHIRSearchPage) -> [String] { page.resources.map(\.id) }

    // MARK: create

    @Test("create runs ClinicalEntry.record: a grade 3 triglyceride raises the protocol's alert, and the resource carries the CTCAE grade, UCUM unit and category")
    func createFiresSafetyRules() async throws {
        try await WebHarness.with { h, client in
            _ = try await SafetyRulesAPITests.enrol(h, client)
            let context = try Self.context(h, .coordinator)
            let created = try await FHIRObservationHandler().create(try Self.triglyceride("600"), in: context)
            #expect(created.versionID == 1)
            let r = created.resource
            #expect(r["resourceType"]?.stringValue == "Observation")
            #expect(r["status"]?.stringValue == "final")
            #expect(r["subject"]?["reference"]?.stringValue == "Patient/p-a")
            #expect(r["category"]?.arrayValue?.first?["coding"]?.arrayValue?.first?["code"]?.stringValue == "laboratory")
            #expect(r["valueQuantity"]?["system"]?.stringValue == "http://unitsofmeasure.org")
            #expect(r["valueQuantity"]?["code"]?.stringValue == "mg/dL")
            #expect(r["valueQuantity"]?["value"] == .decimal("600"))
            let grade = r["interpretation"]?.arrayValue?.first?["coding"]?.arrayValue?.first
            #expect(grade?["system"]?.stringValue == FHIRCodeSystems.ctcaeGrade)
            #expect(grade?["code"]?.stringValue == "3")
            let alerts = try await h.database.repositories.safetyAlerts.list(participant: "p-a").map(\.value)
            #expect(alerts.count == 1)
            #expect(alerts.first?.observationID?.rawValue == created.id)
            // Read back: the same resource.
            let read = try await FHIRObservationHandler().read(id: created.id, in: context)
            #expect(read.resource == created.resource)
        }
    }

    @Test("a value in a unit the test is not recorded in is refused (422 at Observation.valueQuantity.code) and nothing is written")
    func wrongUnitRefused() async throws {
        try await WebHarness.with { h, _ in
            let context = try Self.context(h, .coordinator)
            await Self.expectFHIRError(status: 422, expression: "Observation.valueQuantity.code") {
                _ = try await FHIRObservationHandler().create(try Self.triglyceride("150", unit: "kg"), in: context)
            }
            await Self.expectFHIRError(status: 422, expression: "Observation.valueQuantity.system") {
                var body = try Self.triglyceride("150")
                body = body.setting("valueQuantity", .object([("value", .integer(150)), ("system", .string("http://example.org/units")), ("code", .string("mg/dL"))]))
                _ = try await FHIRObservationHandler().create(body, in: context)
            }
            #expect(try await h.count("observations") == 0)
        }
    }

    @Test("a missing code, an unknown code system, a missing value, a bad date: 400/422 naming the element")
    func malformedBodiesRefused() async throws {
        try await WebHarness.with { h, _ in
            let context = try Self.context(h, .coordinator)
            let handler = FHIRObservationHandler()
            await Self.expectFHIRError(status: 400, expression: "Observation.code") {
                _ = try await handler.create(try Self.triglyceride("150").setting("code", nil), in: context)
            }
            await Self.expectFHIRError(status: 422, expression: "Observation.code.coding[0].system") {
                _ = try await handler.create(try Self.triglyceride("150", system: "http://example.org/codes"), in: context)
            }
            await Self.expectFHIRError(status: 400, expression: "Observation.value[x]") {
                _ = try await handler.create(try Self.triglyceride("150").setting("valueQuantity", nil), in: context)
            }
            await Self.expectFHIRError(status: 400, expression: "Observation.effectiveDateTime") {
                _ = try await handler.create(try Self.triglyceride("150", when: "30/12/2025"), in: context)
            }
            await Self.expectFHIRError(status: 422, expression: "Observation.effectiveDateTime") {
                _ = try await handler.create(try Self.triglyceride("150", when: "2027-01-01T00:00:00Z"), in: context)
            }
            await Self.expectFHIRError(status: 400, expression: "Observation.resourceType") {
                _ = try await handler.create(try Self.triglyceride("150").setting("resourceType", .string("Patient")), in: context)
            }
            #expect(try await h.count("observations") == 0)
        }
    }

    @Test("another site's patient or observation is 404; a read-only role cannot create (403)")
    func siteScopingAndRoles() async throws {
        try await WebHarness.with { h, _ in
            let repos = h.database.repositories
            _ = try await repos.observations.create(Self.observation("o-b", participant: "p-b", day: 1), context: Self.setup, idempotencyKey: nil)
            _ = try await repos.observations.create(Self.observation("o-a", day: 1), context: Self.setup, idempotencyKey: nil)
            let coordinator = try Self.context(h, .coordinator)
            let handler = FHIRObservationHandler()
            await Self.expectFHIRError(status: 404, expression: "Observation.subject") {
                _ = try await handler.create(try Self.triglyceride("150", patient: "p-b"), in: coordinator)
            }
            await Self.expectFHIRError(status: 404) { _ = try await handler.read(id: "o-b", in: coordinator) }
            await Self.expectFHIRError(status: 404) { _ = try await handler.read(id: "not a valid id", in: coordinator) }
            #expect(Self.ids(try await Self.search(handler, [], in: coordinator)) == ["o-a"])
            #expect(Self.ids(try await Self.search(handler, [("patient", ["p-b"], nil)], in: coordinator)).isEmpty)
            let admin = try Self.context(h, .admin, sites: [])
            #expect(Self.ids(try await Self.search(handler, [], in: admin)) == ["o-a", "o-b"])
            for role in [UserRole.monitor, .auditor] {
                await Self.expectFHIRError(status: 403) {
                    _ = try await handler.create(try Self.triglyceride("150"), in: try Self.context(h, role))
                }
                await Self.expectFHIRError(status: 403) {
                    _ = try await handler.update(id: "o-a", try Self.triglyceride("150"), expectedVersion: 1, in: try Self.context(h, role))
                }
            }
            // Reads are open to every role of the site.
            #expect(try await handler.read(id: "o-a", in: try Self.context(h, .monitor)).id == "o-a")
        }
    }

    // MARK: update

    @Test("update corrects through ClinicalEntry.correct with the reason extension: version 2, status amended; stale version and no reason refused")
    func updateWithReason() async throws {
        try await WebHarness.with { h, _ in
            let context = try Self.context(h, .coordinator)
            let handler = FHIRObservationHandler()
            let created = try await handler.create(try Self.triglyceride("150"), in: context)
            let corrected = try Self.triglyceride("160").setting("id", .string(created.id))
            await Self.expectFHIRError(status: 422, expression: "Observation.extension") {
                _ = try await handler.update(id: created.id, corrected, expectedVersion: 1, in: context)
            }
            let reason = FHIRJSON.array([.object([("url", .string(FHIRCodeSystems.changeReasonExtension)), ("valueString", .string("transcription error"))])])
            let updated = try await handler.update(id: created.id, corrected.setting("extension", reason), expectedVersion: 1, in: context)
            #expect(updated.versionID == 2)
            #expect(updated.resource["status"]?.stringValue == "amended")
            #expect(updated.resource["valueQuantity"]?["value"] == .decimal("160"))
            await Self.expectFHIRError(status: 412) {
                _ = try await handler.update(id: created.id, corrected.setting("extension", reason), expectedVersion: 1, in: context)
            }
            await Self.expectFHIRError(status: 400, expression: "Observation.id") {
                _ = try await handler.update(id: created.id, corrected.setting("id", .string("other")).setting("extension", reason), expectedVersion: 2, in: context)
            }
            await Self.expectFHIRError(status: 422, expression: "Observation.subject") {
                _ = try await handler.update(id: created.id, try Self.triglyceride("160", patient: "p-b").setting("extension", reason), expectedVersion: 2, in: context)
            }
            let audit = try await h.database.repositories.audit.history(table: "observations", recordID: created.id)
            #expect(audit.contains { $0.reason == "transcription error" })
        }
    }

    // MARK: search

    @Test("search by code, date prefixes, category, value-quantity, patient/subject and _id")
    func searchParameters() async throws {
        try await WebHarness.with { h, _ in
            let repos = h.database.repositories
            for (id, code, value, day) in [
                ("o1", ClinicalCodes.triglyceride, ObservationValue.quantity(Quantity(150, "mg/dL")), 1),
                ("o2", ClinicalCodes.triglyceride, .quantity(Quantity(600, "mg/dL")), 5),
                ("o3", ClinicalCodes.phq9, .quantity(Quantity(12, "{score}")), 5),
                ("o4", ClinicalCodes.dxaBMD(.lumbarSpine), .quantity(Quantity(0.95, "g/cm2")), 10),
                ("o5", ClinicalCodes.semenClassification, .coded(Coding(.restora, "azoospermia")), 20),
            ] {
                _ = try await repos.observations.create(Self.observation(id, code: code, value: value, day: day), context: Self.setup, idempotencyKey: nil)
            }
            let c = try Self.context(h, .investigator)
            let o = FHIRObservationHandler()
            func find(_ name: String, _ values: [String], _ modifier: String? = nil) async throws -> [String] {
                Self.ids(try await Self.search(o, [(name, values, modifier)], in: c))
            }
            #expect(try await find("code", ["http://loinc.org|2571-8"]) == ["o1", "o2"])
            #expect(try await find("code", ["2571-8", "44261-6"]) == ["o1", "o2", "o3"])
            #expect(try await find("code", ["http://example.org|2571-8"]).isEmpty)
            #expect(try await find("code", ["\(CodeSystem.restora.uri)|semen-classification"]) == ["o5"])
            #expect(try await find("date", ["2025-12-06"]) == ["o2", "o3"])
            #expect(try await find("date", ["lt2025-12-06"]) == ["o1"])
            #expect(try await find("date", ["le2025-12-06"]) == ["o1", "o2", "o3"])
            #expect(try await find("date", ["gt2025-12-06"]) == ["o4", "o5"])
            #expect(try await find("date", ["ge2025-12-11T00:00:00Z"]) == ["o4", "o5"])
            #expect(try await find("date", ["ne2025-12"]).isEmpty)
            #expect(try await find("date", ["2025-12"]) == ["o1", "o2", "o3", "o4", "o5"])
            #expect(try await find("category", ["laboratory"]) == ["o1", "o2", "o5"])
            #expect(try await find("category", ["http://terminology.hl7.org/CodeSystem/observation-category|imaging"]) == ["o4"])
            #expect(try await find("category", ["survey"]) == ["o3"])
            #expect(try await find("value-quantity", ["gt200|http://unitsofmeasure.org|mg/dL"]) == ["o2"])
            #expect(try await find("value-quantity", ["150||mg/dL"]) == ["o1"])
            #expect(try await find("value-quantity", ["0.95"]) == ["o4"])
            #expect(try await find("value-quantity", ["le600|http://unitsofmeasure.org|g"]).isEmpty)
            #expect(try await find("patient", ["Patient/p-a"]).count == 5)
            #expect(try await find("subject", ["p-a"], "Patient").count == 5)
            #expect(try await find("subject", ["http://127.0.0.1:8080/fhir/Patient/p-a"]).count == 5)
            #expect(try await find("_id", ["o3", "o4"]) == ["o3", "o4"])
            // Parameters AND, values OR.
            #expect(Self.ids(try await Self.search(o, [("code", ["2571-8"], nil), ("date", ["ge2025-12-04"], nil)], in: c)) == ["o2"])
            // Sorted by date, newest first.
            #expect(Self.ids(try await Self.search(o, [], sort: [FHIRSortKey(name: "date", descending: true)], in: c)).first == "o5")
            // Refusals: a bad date, an unsupported modifier or prefix.
            await Self.expectFHIRError(status: 400) { _ = try await find("date", ["2025-13-01"]) }
            await Self.expectFHIRError(status: 400) { _ = try await find("code", ["2571-8"], "text") }
            await Self.expectFHIRError(status: 400) { _ = try await find("date", ["ap2025-12-01"]) }
            await Self.expectFHIRError(status: 400) { _ = try await find("value-quantity", ["abc"]) }
            // The total of the first page; the BMD carries no LSC verdict without a previous scan.
            #expect(try await Self.search(o, [], count: 2, in: c).total == 5)
            #expect(try await o.read(id: "o4", in: c).resource["interpretation"] == nil)
        }
    }

    @Test("keyset paging: every observation exactly once while others are written between pages, by id and by date")
    func pagingUnderConcurrentWrites() async throws {
        try await WebHarness.with { h, _ in
            let repos = h.database.repositories
            for index in 0..<60 {
                _ = try await repos.observations.create(Self.observation(String(format: "m%03d", index), day: index % 25),
                                                        context: Self.setup, idempotencyKey: nil)
            }
            let c = try Self.context(h, .coordinator)
            for (order, sort) in [[], [FHIRSortKey(name: "date", descending: false)], [FHIRSortKey(name: "date", descending: true)]].enumerated() {
                var seen: [String] = []
                var cursor: String?
                var extra = 0
                repeat {
                    let page = try await Self.search(FHIRObservationHandler(), [("patient", ["p-a"], nil)], count: 7, sort: sort, cursor: cursor, in: c)
                    seen += Self.ids(page)
                    cursor = page.nextCursor
                    // Another client writes between pages (ids sorting before and after the cursor).
                    extra += 1
                    _ = try await repos.observations.create(Self.observation("a-\(order)-\(extra)", day: 30), context: Self.setup, idempotencyKey: nil)
                } while cursor != nil
                let original = (0..<60).map { String(format: "m%03d", $0) }
                #expect(Set(original).isSubset(of: Set(seen)))
                #expect(seen.count == Set(seen).count, "no observation twice")
            }
            // A cursor of another order is refused.
            let first = try await Self.search(FHIRObservationHandler(), [], count: 5, in: c)
            await Self.expectFHIRError(status: 400) {
                _ = try await Self.search(FHIRObservationHandler(), [], count: 5, sort: [FHIRSortKey(name: "date", descending: false)], cursor: first.nextCursor, in: c)
            }
        }
    }

    @Test("a DXA BMD carries the least-significant-change verdict against the previous scan (U, then D)")
    func boneDensityChange() async throws {
        try await WebHarness.with { h, _ in
            let repos = h.database.repositories
            let spine = ClinicalCodes.dxaBMD(.lumbarSpine)
            _ = try await repos.observations.create(Self.observation("b1", code: spine, value: .quantity(Quantity(1.0, "g/cm2")), day: 1), context: Self.setup, idempotencyKey: nil)
            _ = try await repos.observations.create(Self.observation("b2", code: spine, value: .quantity(Quantity(0.9, "g/cm2")), day: 20), context: Self.setup, idempotencyKey: nil)
            let read = try await FHIRObservationHandler().read(id: "b2", in: try Self.context(h, .coordinator))
            let coding = read.resource["interpretation"]?.arrayValue?.first?["coding"]?.arrayValue?.first
            #expect(coding?["code"]?.stringValue == "D")
            #expect(read.resource["category"]?.arrayValue?.first?["coding"]?.arrayValue?.first?["code"]?.stringValue == "imaging")
        }
    }

    @Test("the mapping of a semen value with its specimen round-trips through the parser")
    func specimenRoundTrip() async throws {
        let o = Observation(
            id: "s1", participantID: "p-a", enrolmentID: "e-1", visitID: "v-1", panelID: "panel-1", code: ClinicalCodes.spermConcentration,
            value: .quantity(Quantity(0, "10*6/mL")), effective: Date(timeIntervalSince1970: 1_764_576_000.123),
            specimen: SpecimenDetails(type: "semen", collected: Date(timeIntervalSince1970: 1_764_575_000), centrifuged: true,
                                      centrifugationG: 3000, centrifugationMinutes: 15, pelletExamined: true, pelletFinding: .noSperm,
                                      abstinenceDays: 3, note: "complete sample"),
            note: "no sperm seen")
        let resource = FHIRObservationHandler.resource(Versioned(value: o, version: 1, createdAt: Date(), updatedAt: Date()))
        #expect(resource["effectiveDateTime"]?.stringValue == "2025-12-01T08:00:00.123Z")
        #expect(resource["encounter"]?["reference"]?.stringValue == "Encounter/v-1")
        let parsed = try FHIRObservationHandler.observation(from: resource, id: "s1", now: Date())
        #expect(parsed == o)
    }

    // MARK: Encounter

    @Test("Encounter: a visit with its status, class, type, period and subject; search by patient and date; another site 404")
    func encounters() async throws {
        try await WebHarness.with { h, _ in
            let repos = h.database.repositories
            for (enrolment, participant, site) in [("e-a", "p-a", "site-a"), ("e-b", "p-b", "site-b")] {
                _ = try await repos.enrolments.create(Enrolment(id: Identifier(enrolment), participantID: Identifier(participant), programID: "prog-1",
                                                                siteID: Identifier(site)), context: Self.setup, idempotencyKey: nil)
            }
            _ = try await repos.visits.create(Visit(id: "v1", enrolmentID: "e-a", visitKey: "baseline", plannedDay: 0, windowBefore: 0, windowAfter: 7,
                                                    actualDate: CalendarDate("2025-12-02"), status: .completed), context: Self.setup, idempotencyKey: nil)
            _ = try await repos.visits.create(Visit(id: "v2", enrolmentID: "e-a", visitKey: "month-3", plannedDay: 90, windowBefore: 7, windowAfter: 7),
                                              context: Self.setup, idempotencyKey: nil)
            _ = try await repos.visits.create(Visit(id: "v3", enrolmentID: "e-b", visitKey: "baseline", plannedDay: 0, windowBefore: 0, windowAfter: 7,
                                                    actualDate: CalendarDate("2025-12-02"), status: .completed), context: Self.setup, idempotencyKey: nil)
            let c = try Self.context(h, .investigator)
            let e = FHIREncounterHandler()
            let v1 = try await e.read(id: "v1", in: c).resource
            #expect(v1["status"]?.stringValue == "finished")
            #expect(v1["class"]?["code"]?.stringValue == "AMB")
            #expect(v1["subject"]?["reference"]?.stringValue == "Patient/p-a")
            #expect(v1["period"]?["start"]?.stringValue == "2025-12-02")
            #expect(v1["type"]?.arrayValue?.first?["coding"]?.arrayValue?.first?["code"]?.stringValue == "baseline")
            #expect(try await e.read(id: "v2", in: c).resource["status"]?.stringValue == "planned")
            await Self.expectFHIRError(status: 404) { _ = try await e.read(id: "v3", in: c) }
            #expect(Self.ids(try await Self.search(e, [("patient", ["Patient/p-a"], nil)], in: c)) == ["v1", "v2"])
            #expect(Self.ids(try await Self.search(e, [("date", ["2025-12-02"], nil)], in: c)) == ["v1"])
            #expect(Self.ids(try await Self.search(e, [("date", ["lt2025-12-02"], nil)], in: c)).isEmpty)
            #expect(Self.ids(try await Self.search(e, [("date", ["ge2025-12"], nil)], in: c)) == ["v1"])
            #expect(Self.ids(try await Self.search(e, [("status", ["planned"], nil)], in: c)) == ["v2"])
            let admin = try Self.context(h, .admin, sites: [])
            #expect(Self.ids(try await Self.search(e, [("patient", ["p-b"], nil)], in: admin)) == ["v3"])
            await Self.expectFHIRError(status: 405) { _ = try await e.create(.object([]), in: c) }
        }
    }
}
