import Foundation
import Logging
import RestoraDomain
import RestoraStorage
import Testing
@testable import RestoraWeb

/// The CARE resource types (Procedure, MedicationRequest/Dispense/Statement, AdverseEvent,
/// BiologicallyDerivedProduct, Provenance) through their handlers, over a real in-memory SQLite database:
/// the mapping, read, search (per patient and, for AdverseEvent, in SQL across the user's sites), paging and
/// the refusals (another site's record 404, a role without audit access 403, bad search values 400 naming the
/// parameter). Set `RESTORA_FHIR_CARE_DUMP=<file>` to write every resource the tests map as NDJSON (validated
/// against the fhir.resources models by docs/fhir.md's check).
@Suite("FHIR CARE resources")
struct FHIRCareTests {
    static let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
    static let setup = AuditContext(actor: Actor(userID: "setup", role: "admin"), requestID: "setup")

    struct World {
        let database: StorageDatabase
        let dependencies: WebDependencies
        var repositories: Repositories { database.repositories }

        func context(_ role: UserRole, sites: [Identifier<Site>] = ["site-a"]) -> FHIRInteractionContext {
            let user = UserAccount(id: Identifier("u-\(role.rawValue)"), username: role.rawValue, role: role, siteIDs: sites)
            return FHIRInteractionContext(
                user: user, audit: AuditContext(actor: Actor(userID: user.id.rawValue, role: role.rawValue), requestID: "test"),
                dependencies: dependencies, repositories: database.repositories, now: FHIRCareTests.now,
                baseURL: "http://127.0.0.1:8080/fhir")
        }
    }

    static func with(catalog: Bool = false, _ body: (World) async throws -> Void) async throws {
        var logger = Logger(label: "restora.fhir.care.tests")
        logger.logLevel = .warning
        let database = try await StorageDatabase.open(url: "sqlite::memory:", logger: logger, clock: FixedClock(now),
                                                      hasher: CredentialHasher(bcryptCost: 4))
        do {
            try await database.migrator.migrate()
            let repos = database.repositories
            _ = try await repos.sites.create(Site(id: "site-a", code: "A", name: "Clinic A"), context: setup, idempotencyKey: nil)
            _ = try await repos.sites.create(Site(id: "site-b", code: "B", name: "Clinic B"), context: setup, idempotencyKey: nil)
            for (id, site, mrn) in [("p-a", "site-a", "A-001"), ("p-a2", "site-a", "A-002"), ("p-b", "site-b", "B-001")] {
                _ = try await repos.participants.create(
                    Participant(id: Identifier(id), siteID: Identifier(site), mrn: mrn, givenName: "Ana", familyName: "Lopez",
                                sex: .male, birthDate: CalendarDate(year: 1980, month: 3, day: 1)!),
                    context: setup, idempotencyKey: nil)
            }
            let dependencies = WebDependencies(repositories: repos, clock: FixedClock(now), logger: logger,
                                               catalog: catalog ? try WebHarness.catalog() : ProtocolCatalog(directory: "", protocols: []))
            try await body(World(database: database, dependencies: dependencies))
            try await database.shutdown()
        } catch {
            try? await database.shutdown()
            throw error
        }
    }

    static func day(_ text: String) -> CalendarDate { CalendarDate(text)! }

    static func event(_ id: String, _ participant: String, onset: String, grade: Int = 1, serious: [AdverseEvent.Seriousness] = [],
                      term: String = "Dry skin", meddra: String? = "10013786") -> AdverseEvent {
        AdverseEvent(id: Identifier(id), participantID: Identifier(participant), term: term, grade: grade, seriousness: serious,
                     relatedness: .probable, onset: day(onset), outcome: grade == 5 ? .fatal : .recovering,
                     meddraCode: meddra, causalityAssessedBy: "u-investigator")
    }

    static func seedEvents(_ world: World) async throws {
        let ae = world.repositories.adverseEvents
        for e in [
            event("ae-1", "p-a", onset: "2026-01-05"),
            event("ae-2", "p-a", onset: "2026-01-12", grade: 3, serious: [.hospitalization], term: "Depression", meddra: "10012378"),
            event("ae-3", "p-a2", onset: "2026-02-01", grade: 2),
            event("ae-4", "p-b", onset: "2026-01-20", grade: 4, serious: [.lifeThreatening]),
        ] {
            _ = try await ae.create(e, context: setup, idempotencyKey: nil)
        }
    }

    static func query(_ pairs: [(String, String)], count: Int = 50, sort: [FHIRSortKey] = [], cursor: String? = nil) -> FHIRSearchQuery {
        FHIRSearchQuery(
            criteria: pairs.map { name, value in
                let parts = name.split(separator: ":", maxSplits: 1).map(String.init)
                return FHIRSearchCriterion(name: parts[0], modifier: parts.count > 1 ? parts[1] : nil,
                                           values: value.split(separator: ",").map(String.init))
            },
            count: count, sort: sort, cursor: cursor)
    }

    static func ids(_ page: FHIRSearchPage) -> [String] { page.resources.map(\.id) }

    /// Writes the resources as NDJSON lines when `RESTORA_FHIR_CARE_DUMP` names a file.
    static func dump(_ resources: [FHIRJSON]) {
        guard let path = ProcessInfo.processInfo.environment["RESTORA_FHIR_CARE_DUMP"] else { return }
        var bytes: [UInt8] = []
        for resource in resources { resource.write(to: &bytes); bytes.append(0x0A) }
        if let handle = FileHandle(forWritingAtPath: path) {
            handle.seekToEndOfFile()
            handle.write(Data(bytes))
            try? handle.close()
        } else {
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
        }
    }

    static func expectError(_ status: Int, expression: String? = nil, _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("expected a \(status) FHIRError")
        } catch let error as FHIRError {
            #expect(error.status == status, "\(error.diagnostics)")
            if let expression { #expect(error.expression.contains(expression), "\(error.expression)") }
        } catch {
            Issue.record("expected a FHIRError, got \(error)")
        }
    }

    // MARK: AdverseEvent

    @Test func adverseEventMapsGradeSeriousnessCausalityAndCoding() async throws {
        try await Self.with { world in
            try await Self.seedEvents(world)
            let handler = FHIRAdverseEventHandler()
            let stored = try await handler.read(id: "ae-2", in: world.context(.investigator))
            Self.dump([stored.resource])
            let r = stored.resource
            #expect(stored.versionID == 1)
            #expect(r["resourceType"] == .string("AdverseEvent"))
            #expect(r["actuality"] == .string("actual"))
            #expect(r["subject"]?["reference"] == .string("Patient/p-a"))
            #expect(r["date"] == .string("2026-01-12"))
            #expect(r["event"]?["coding"]?.arrayValue?.first?["system"] == .string("http://terminology.hl7.org/CodeSystem/mdr"))
            #expect(r["event"]?["coding"]?.arrayValue?.first?["code"] == .string("10012378"))
            #expect(r["event"]?["text"] == .string("Depression"))
            let seriousness = r["seriousness"]?["coding"]?.arrayValue ?? []
            #expect(seriousness.first?["code"] == .string("serious"))
            #expect(seriousness.contains { $0["code"] == .string("hospitalization") })
            #expect(r["severity"]?["coding"]?.arrayValue?.first?["code"] == .string("severe"))
            let grade = r["extension"]?.arrayValue?.first { $0["url"] == .string(FHIRAdverseEventHandler.gradeExtension) }
            #expect(grade?["valueCodeableConcept"]?["coding"]?.arrayValue?.first?["code"] == .string("3"))
            let causality = r["suspectEntity"]?.arrayValue?.first?["causality"]?.arrayValue?.first
            #expect(causality?["assessment"]?["coding"]?.arrayValue?.first?["code"] == .string("Probably-Likely"))
            #expect(causality?["author"]?["identifier"]?["value"] == .string("u-investigator"))
            #expect(r["outcome"]?["coding"]?.arrayValue?.first?["code"] == .string("recovering"))
        }
    }

    @Test func adverseEventOfAnotherSiteOrUnknownIs404() async throws {
        try await Self.with { world in
            try await Self.seedEvents(world)
            let handler = FHIRAdverseEventHandler()
            await Self.expectError(404) { _ = try await handler.read(id: "ae-4", in: world.context(.investigator)) }
            await Self.expectError(404) { _ = try await handler.read(id: "nope", in: world.context(.investigator)) }
            await Self.expectError(404) { _ = try await handler.read(id: "bad id!", in: world.context(.investigator)) }
            // The admin sees every site.
            _ = try await handler.read(id: "ae-4", in: world.context(.admin, sites: []))
        }
    }

    @Test func adverseEventSearchBySubjectDateAndSeriousness() async throws {
        try await Self.with { world in
            try await Self.seedEvents(world)
            let handler = FHIRAdverseEventHandler()
            let ctx = world.context(.investigator)
            #expect(Self.ids(try await handler.search(Self.query([("subject", "Patient/p-a")]), in: ctx)) == ["ae-1", "ae-2"])
            #expect(Self.ids(try await handler.search(Self.query([("patient", "p-a"), ("date", "ge2026-01-10")]), in: ctx)) == ["ae-2"])
            #expect(Self.ids(try await handler.search(Self.query([("subject", "p-a"), ("date", "lt2026-01-10")]), in: ctx)) == ["ae-1"])
            #expect(Self.ids(try await handler.search(Self.query([("subject", "p-a"), ("date", "2026-01")]), in: ctx)) == ["ae-1", "ae-2"])
            #expect(Self.ids(try await handler.search(Self.query([("subject", "p-a"), ("date", "ge2026-01-01"), ("date", "le2026-01-05")]), in: ctx)) == ["ae-1"])
            #expect(Self.ids(try await handler.search(Self.query([("subject", "p-a"), ("seriousness", "serious")]), in: ctx)) == ["ae-2"])
            #expect(Self.ids(try await handler.search(
                Self.query([("subject", "p-a"), ("seriousness", "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness|non-serious")]),
                in: ctx)) == ["ae-1"])
            #expect(Self.ids(try await handler.search(Self.query([("subject", "p-a"), ("seriousness", "hospitalization")]), in: ctx)) == ["ae-2"])
            // Another site's participant: no results, not an error that tells it exists.
            #expect(Self.ids(try await handler.search(Self.query([("subject", "Patient/p-b")]), in: ctx)).isEmpty)
            #expect(Self.ids(try await handler.search(Self.query([("subject", "p-a"), ("date", "2026-01-05")]), in: ctx)) == ["ae-1"])
        }
    }

    @Test func adverseEventSearchInSQLIsSiteScopedAndPages() async throws {
        try await Self.with { world in
            try await Self.seedEvents(world)
            let handler = FHIRAdverseEventHandler()
            let ctx = world.context(.investigator)
            #expect(Self.ids(try await handler.search(Self.query([]), in: ctx)) == ["ae-1", "ae-2", "ae-3"])
            #expect(Self.ids(try await handler.search(Self.query([]), in: world.context(.admin, sites: []))) == ["ae-1", "ae-2", "ae-4", "ae-3"])
            #expect(Self.ids(try await handler.search(Self.query([("date", "ge2026-01-10")]), in: ctx)) == ["ae-2", "ae-3"])
            #expect(Self.ids(try await handler.search(Self.query([("date", "gt2026-01-12")]), in: ctx)) == ["ae-3"])
            #expect(Self.ids(try await handler.search(Self.query([("date", "le2026-01-12")]), in: ctx)) == ["ae-1", "ae-2"])
            #expect(Self.ids(try await handler.search(Self.query([("date", "ne2026-01-12")]), in: ctx)) == ["ae-1", "ae-3"])
            #expect(Self.ids(try await handler.search(Self.query([("date", "sa2026-01-05")]), in: ctx)) == ["ae-2", "ae-3"])
            #expect(Self.ids(try await handler.search(Self.query([("date", "eb2026-01-12")]), in: ctx)) == ["ae-1"])
            #expect(Self.ids(try await handler.search(Self.query([("seriousness", "serious")]), in: ctx)) == ["ae-2"])
            #expect(Self.ids(try await handler.search(Self.query([("seriousness", "non-serious")]), in: ctx)) == ["ae-1", "ae-3"])
            #expect(Self.ids(try await handler.search(Self.query([("seriousness", "life-threatening,hospitalization")]),
                                                      in: world.context(.admin, sites: []))) == ["ae-2", "ae-4"])
            #expect(Self.ids(try await handler.search(Self.query([("severity", "moderate")]), in: ctx)) == ["ae-3"])
            #expect(Self.ids(try await handler.search(Self.query([("_id", "ae-3,ae-4")]), in: ctx)) == ["ae-3"])
            #expect(Self.ids(try await handler.search(Self.query([], sort: [FHIRSortKey(name: "date", descending: true)]), in: ctx))
                    == ["ae-3", "ae-2", "ae-1"])
            // Keyset paging: one at a time, following the cursor.
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await handler.search(Self.query([], count: 1, cursor: cursor), in: ctx)
                seen += Self.ids(page)
                cursor = page.nextCursor
            } while cursor != nil && seen.count < 10
            #expect(seen == ["ae-1", "ae-2", "ae-3"])
            // A write between pages does not disturb the next link (an event with an earlier onset is not re-read).
            let first = try await handler.search(Self.query([], count: 2), in: ctx)
            _ = try await world.repositories.adverseEvents.create(Self.event("ae-0", "p-a", onset: "2025-12-01"), context: Self.setup, idempotencyKey: nil)
            let second = try await handler.search(Self.query([], count: 2, cursor: first.nextCursor), in: ctx)
            #expect(Self.ids(first) + Self.ids(second) == ["ae-1", "ae-2", "ae-3"])
            Self.dump(first.resources.map(\.resource))
        }
    }

    @Test func adverseEventSearchRefusesBadValues() async throws {
        try await Self.with { world in
            let handler = FHIRAdverseEventHandler()
            let ctx = world.context(.investigator)
            await Self.expectError(400, expression: "date") { _ = try await handler.search(Self.query([("date", "yesterday")]), in: ctx) }
            await Self.expectError(400, expression: "date") { _ = try await handler.search(Self.query([("date", "2026-02-30")]), in: ctx) }
            await Self.expectError(400, expression: "date") { _ = try await handler.search(Self.query([("date", "ap2026-01-01")]), in: ctx) }
            await Self.expectError(400, expression: "seriousness") { _ = try await handler.search(Self.query([("seriousness", "very")]), in: ctx) }
            await Self.expectError(400, expression: "severity") { _ = try await handler.search(Self.query([("severity", "grade-3")]), in: ctx) }
            await Self.expectError(400, expression: "subject") { _ = try await handler.search(Self.query([("subject", "Group/g-1")]), in: ctx) }
            await Self.expectError(400, expression: "code") { _ = try await handler.search(Self.query([("code", "x")]), in: ctx) }
            await Self.expectError(400, expression: "_sort") {
                _ = try await handler.search(Self.query([], sort: [FHIRSortKey(name: "grade", descending: false)]), in: ctx)
            }
            await Self.expectError(400, expression: "_cursor") { _ = try await handler.search(Self.query([], cursor: "garbage"), in: ctx) }
        }
    }

    @Test func dateParameterRanges() throws {
        let day = try DateParameter(parsing: "2026-01-05", parameter: "date")
        #expect(day.matches(day: Self.day("2026-01-05")))
        #expect(!day.matches(day: Self.day("2026-01-06")))
        let instant = try DateParameter(parsing: "ge2026-01-05T23:00:00-02:00", parameter: "date")
        #expect(instant.matches(day: Self.day("2026-01-06")))  // 2026-01-06T01:00Z
        #expect(!instant.matches(day: Self.day("2026-01-04")))
        let year = try DateParameter(parsing: "lt2026", parameter: "date")
        #expect(year.matches(day: Self.day("2025-12-31")))
        #expect(!year.matches(day: Self.day("2026-01-01")))
        #expect(throws: FHIRError.self) { try DateParameter(parsing: "2026-13", parameter: "date") }
        #expect(throws: FHIRError.self) { try DateParameter(parsing: "2026-01-05T10:00", parameter: "date") }  // no zone
        #expect(FHIRCare.instantText(Date(timeIntervalSince1970: 1_767_225_600.25)) == "2026-01-01T00:00:00.250Z")
        #expect(FHIRCare.instantText(Self.now) == "2026-01-01T00:00:00Z")
        #expect(FHIRCare.sortKey(Self.now) == "2026-01-01T00:00:00.000Z")
    }

    // MARK: AdverseEvent create and update

    static func aeBody(subject: String = "Patient/p-a", term: String? = "Dry skin", meddra: String? = "10013786", grade: String = "1",
                       serious: [String] = [], date: String = "2025-12-20", causality: String? = nil,
                       extra: [(String, FHIRJSON)] = []) -> FHIRJSON {
        var seriousness: [FHIRJSON] = []
        if !serious.isEmpty {
            seriousness = [FHIRCare.coding(system: FHIRAdverseEventHandler.seriousnessSystem, code: "serious")]
                + serious.map { FHIRCare.coding(system: FHIRAdverseEventHandler.criterionSystem, code: $0) }
        }
        var extensions: [FHIRJSON] = [.object([
            ("url", .string(FHIRAdverseEventHandler.gradeExtension)),
            ("valueCodeableConcept", FHIRCare.concept([FHIRCare.coding(system: FHIRAdverseEventHandler.gradeSystem, code: grade)])),
        ])]
        extensions += extra.map { url, value in .object([("url", .string(url)), value.objectValue!.first!]) }
        return .object([
            "resourceType": .string("AdverseEvent"),
            "extension": .array(extensions),
            "actuality": .string("actual"),
            "event": FHIRCare.concept(meddra.map { [FHIRCare.coding(system: FHIRAdverseEventHandler.meddraSystem, code: $0, display: term)] } ?? [],
                                      text: term),
            "subject": .object(["reference": .string(subject)]),
            "date": .string(date),
            "seriousness": seriousness.isEmpty ? nil : FHIRCare.concept(seriousness),
            "suspectEntity": causality.map { code in
                .array([.object(["instance": .object(["display": .string("study treatment")]),
                                 "causality": .array([.object(["assessment": FHIRCare.concept([
                                     FHIRCare.coding(system: FHIRAdverseEventHandler.causalitySystem, code: code)])])])])])
            },
        ])
    }

    static func enrol(_ world: World) async throws {
        _ = try await world.repositories.programs.create(
            Program(id: "prog-1", protocolID: "isotretinoin-noa", protocolVersion: "1.0", name: "Isotretinoin", siteIDs: ["site-a", "site-b"]),
            context: setup, idempotencyKey: nil)
        _ = try await world.repositories.enrolments.create(
            Enrolment(id: "e-1", participantID: "p-a", programID: "prog-1", siteID: "site-a", status: .onTreatment),
            context: setup, idempotencyKey: nil)
    }

    @Test func adverseEventCreateGoesThroughTheSafetyService() async throws {
        try await Self.with(catalog: true) { world in
            try await Self.enrol(world)
            let handler = FHIRAdverseEventHandler()
            #expect(handler.supportsCreate && handler.supportsUpdate)
            // Expected (the program's reference safety information lists dry skin), coded, assessed by the investigator.
            let created = try await handler.create(Self.aeBody(causality: "Probably-Likely"), in: world.context(.investigator))
            #expect(created.versionID == 1)
            let stored = try await world.repositories.adverseEvents.get(Identifier(created.id)).value
            #expect(stored.meddraCode == "10013786" && stored.expected && stored.relatedness == .probable)
            #expect(stored.causalityAssessedBy == "u-investigator")
            #expect(created.resource["extension"]?.arrayValue?.contains { $0["url"] == .string(FHIRCare.extensionBase + "ae-expected") && $0["valueBoolean"] == .bool(true) } == true)
            // A serious event: the program's SAE rule raises an alert in the same transaction.
            let serious = try await handler.create(
                Self.aeBody(term: "Depression", meddra: "10012378", grade: "3", serious: ["hospitalization"]), in: world.context(.coordinator))
            let sae = try await world.repositories.adverseEvents.get(Identifier(serious.id)).value
            #expect(sae.seriousness == [.hospitalization] && sae.relatedness == .possible && sae.causalityAssessedBy == nil)
            #expect(try await world.repositories.safetyAlerts.list(participant: "p-a").count >= 1)
            // Through the audit trail: a create by the coordinator.
            let trail = try await world.repositories.audit.history(table: "adverse_events", recordID: serious.id)
            #expect(trail.first?.action == .create && trail.first?.actor.userID == "u-coordinator")
            Self.dump([created.resource, serious.resource])
        }
    }

    @Test func adverseEventCreateRefusals() async throws {
        try await Self.with { world in
            let handler = FHIRAdverseEventHandler()
            let ctx = world.context(.coordinator)
            let before = try await world.repositories.adverseEvents.list(participant: "p-a").count
            await Self.expectError(403) { _ = try await handler.create(Self.aeBody(), in: world.context(.monitor)) }
            await Self.expectError(403, expression: "AdverseEvent.suspectEntity") {
                _ = try await handler.create(Self.aeBody(causality: "Certain"), in: ctx)
            }
            await Self.expectError(400, expression: "AdverseEvent.subject") {
                _ = try await handler.create(Self.aeBody().setting("subject", nil), in: ctx)
            }
            await Self.expectError(422, expression: "AdverseEvent.subject.reference") {
                _ = try await handler.create(Self.aeBody(subject: "Patient/p-b"), in: ctx)
            }
            await Self.expectError(400, expression: "AdverseEvent.subject.reference") {
                _ = try await handler.create(Self.aeBody(subject: "Group/g-1"), in: ctx)
            }
            await Self.expectError(422, expression: "AdverseEvent.event") {
                _ = try await handler.create(Self.aeBody(term: "Dry skn", meddra: nil), in: ctx)
            }
            await Self.expectError(422, expression: "AdverseEvent.event") {
                _ = try await handler.create(Self.aeBody(meddra: "12345678"), in: ctx)
            }
            await Self.expectError(422, expression: "AdverseEvent.extension") {
                _ = try await handler.create(Self.aeBody(grade: "4"), in: ctx)  // dry skin has no grade 4
            }
            await Self.expectError(400, expression: "AdverseEvent.extension[0]") {
                _ = try await handler.create(Self.aeBody(grade: "7"), in: ctx)
            }
            await Self.expectError(400, expression: "AdverseEvent.date") {
                _ = try await handler.create(Self.aeBody(date: "20.12.2025"), in: ctx)
            }
            await Self.expectError(400, expression: "AdverseEvent.resourceType") {
                _ = try await handler.create(Self.aeBody().setting("resourceType", .string("Observation")), in: ctx)
            }
            await Self.expectError(422, expression: "AdverseEvent.seriousness") {
                _ = try await handler.create(Self.aeBody().setting("seriousness", FHIRCare.concept([
                    FHIRCare.coding(system: FHIRAdverseEventHandler.seriousnessSystem, code: "serious")])), in: ctx)
            }
            // Serious, unexpected (not enrolled: no reference safety information) and suspected: needs day 0.
            await Self.expectError(422, expression: "AdverseEvent.extension") {
                _ = try await handler.create(Self.aeBody(term: "Anxiety", meddra: "10002855", grade: "3", serious: ["hospitalization"]), in: ctx)
            }
            #expect(try await world.repositories.adverseEvents.list(participant: "p-a").count == before)
        }
    }

    @Test func adverseEventUpdateNeedsAReasonAndTheCurrentVersion() async throws {
        try await Self.with { world in
            let handler = FHIRAdverseEventHandler()
            let ctx = world.context(.coordinator)
            let created = try await handler.create(Self.aeBody(), in: ctx)
            // Read back and sent again with a higher grade: no reason → 422, nothing written.
            var body = created.resource.setting("extension", .array([
                .object([("url", .string(FHIRAdverseEventHandler.gradeExtension)),
                         ("valueCodeableConcept", FHIRCare.concept([FHIRCare.coding(system: FHIRAdverseEventHandler.gradeSystem, code: "2")]))]),
            ]))
            await Self.expectError(422, expression: "AdverseEvent.extension") {
                _ = try await handler.update(id: created.id, body, expectedVersion: 1, in: ctx)
            }
            body = body.setting("extension", .array((body["extension"]?.arrayValue ?? []) + [
                .object([("url", .string(FHIRCodeSystems.changeReasonExtension)), ("valueString", .string("source document re-read"))]),
            ]))
            let updated = try await handler.update(id: created.id, body, expectedVersion: 1, in: ctx)
            #expect(updated.versionID == 2)
            #expect(try await world.repositories.adverseEvents.get(Identifier(created.id)).value.grade == 2)
            // The coordinator's read-back keeps the stored (unassessed) causality: not an assessment.
            #expect(try await world.repositories.adverseEvents.get(Identifier(created.id)).value.causalityAssessedBy == nil)
            do {
                _ = try await handler.update(id: created.id, body, expectedVersion: 1, in: ctx)
                Issue.record("a stale version was accepted")
            } catch let error as RepositoryError {
                if case .staleVersion = error {} else { Issue.record("expected staleVersion, got \(error)") }
            }
            await Self.expectError(404) { _ = try await handler.update(id: "nope", body, expectedVersion: 1, in: ctx) }
            await Self.expectError(422, expression: "AdverseEvent.subject") {
                _ = try await handler.update(id: created.id, body.setting("subject", .object(["reference": .string("Patient/p-a2")])),
                                             expectedVersion: 2, in: ctx)
            }
            await Self.expectError(403) { _ = try await handler.update(id: created.id, body, expectedVersion: 2, in: world.context(.auditor)) }
        }
    }

    // MARK: Procedure

    static func seedProcedures(_ world: World) async throws {
        let harvest = Procedure(
            id: "proc-h", participantID: "p-a", kind: .tissueHarvest, performed: now.addingTimeInterval(86_400 * 3),
            performer: Actor(userID: "u-investigator", role: "investigator"), anatomicalSite: "posterior iliac crest", laterality: "left",
            anaesthesia: .local, sourceTissue: "bone-marrow-aspirate", volumeML: 60, outcome: "uneventful")
        let injection = Procedure(
            id: "proc-i", participantID: "p-a", kind: .injection, code: ClinicalCodes.spermRetrieval,
            performed: now.addingTimeInterval(86_400 * 20), anatomicalSite: "right femoral neck", imagingGuidance: .fluoroscopy,
            volumeML: 2.5, cellProductID: "cp-1", note: "no complication")
        let other = Procedure(id: "proc-b", participantID: "p-b", kind: .biopsy, performed: now)
        for p in [harvest, injection, other] { _ = try await world.repositories.procedures.create(p, context: setup, idempotencyKey: nil) }
    }

    @Test func procedureReadAndSearch() async throws {
        try await Self.with { world in
            try await Self.seedProcedures(world)
            let handler = FHIRProcedureHandler()
            let ctx = world.context(.coordinator)
            let injection = try await handler.read(id: "proc-i", in: ctx).resource
            let harvest = try await handler.read(id: "proc-h", in: ctx).resource
            Self.dump([injection, harvest])
            #expect(injection["status"] == .string("completed"))
            #expect(injection["performedDateTime"] == .string("2026-01-21T00:00:00Z"))
            #expect(injection["bodySite"]?.arrayValue?.first?["text"] == .string("right femoral neck"))
            let extensions = injection["extension"]?.arrayValue ?? []
            #expect(extensions.contains { $0["valueCode"] == .string("fluoroscopy") })
            #expect(extensions.contains { $0["valueReference"]?["reference"] == .string("BiologicallyDerivedProduct/cp-1") })
            #expect(extensions.contains { $0["valueQuantity"]?["code"] == .string("mL") && $0["valueQuantity"]?["value"] == .decimal("2.5") })
            #expect(harvest["bodySite"]?.arrayValue?.first?["text"] == .string("posterior iliac crest (left)"))
            #expect(harvest["code"]?["coding"]?.arrayValue?.last?["code"] == .string("tissue-harvest"))
            #expect(Self.ids(try await handler.search(Self.query([("patient", "Patient/p-a")]), in: ctx)) == ["proc-h", "proc-i"])
            #expect(Self.ids(try await handler.search(Self.query([("patient", "p-a"), ("date", "ge2026-01-10")]), in: ctx)) == ["proc-i"])
            #expect(Self.ids(try await handler.search(Self.query([("patient", "p-a"), ("code", "\(FHIRProcedureHandler.kindSystem)|injection")]), in: ctx)) == ["proc-i"])
            #expect(Self.ids(try await handler.search(Self.query([("patient", "p-a")], sort: [FHIRSortKey(name: "date", descending: true)]), in: ctx))
                    == ["proc-i", "proc-h"])
            let first = try await handler.search(Self.query([("patient", "p-a")], count: 1), in: ctx)
            #expect(Self.ids(first) == ["proc-h"] && first.total == 2)
            let second = try await handler.search(Self.query([("patient", "p-a")], count: 1, cursor: first.nextCursor), in: ctx)
            #expect(Self.ids(second) == ["proc-i"] && second.nextCursor == nil)
            #expect(Self.ids(try await handler.search(Self.query([("_id", "proc-i,proc-b")]), in: ctx)) == ["proc-i"])
            #expect(Self.ids(try await handler.search(Self.query([("patient", "p-b")]), in: ctx)).isEmpty)
            await Self.expectError(404) { _ = try await handler.read(id: "proc-b", in: ctx) }
            await Self.expectError(400, expression: "patient") { _ = try await handler.search(Self.query([("date", "ge2026-01-01")]), in: ctx) }
            await Self.expectError(400, expression: "date") { _ = try await handler.search(Self.query([("patient", "p-a"), ("date", "soon")]), in: ctx) }
        }
    }

    // MARK: Medication

    static func seedMedication(_ world: World) async throws {
        let course = MedicationCourse(
            id: "course-1", participantID: "p-a", drug: ClinicalCodes.isotretinoin, dose: Quantity(20, "mg"), route: "oral",
            timesPerDay: 2, start: day("2026-01-02"), plannedStop: day("2026-07-02"),
            dispensings: [Dispensing(date: day("2026-01-02"), unitsDispensed: 60, daysCovered: 30, unitsReturned: 4, lot: "L-77"),
                          Dispensing(date: day("2026-02-01"), unitsDispensed: 60, daysCovered: 30)])
        _ = try await world.repositories.medicationCourses.create(course, context: setup, idempotencyKey: nil)
        let other = MedicationCourse(id: "course-b", participantID: "p-b", drug: ClinicalCodes.isotretinoin, dose: Quantity(20, "mg"),
                                     route: "oral", timesPerDay: 2, start: day("2026-01-02"),
                                     dispensings: [Dispensing(date: day("2026-01-02"), unitsDispensed: 60, daysCovered: 30)])
        _ = try await world.repositories.medicationCourses.create(other, context: setup, idempotencyKey: nil)
        let concomitant = ConcomitantMedicationRecord(
            id: "cm-1", participantID: "p-a",
            medication: ConcomitantMedication(drug: ClinicalCodes.alendronate, drugClass: "bisphosphonate", dose: "70 mg weekly",
                                              start: day("2025-06-01"), adjunct: true))
        _ = try await world.repositories.concomitantMedications.create(concomitant, context: setup, idempotencyKey: nil)
    }

    @Test func medicationRequestDispenseAndStatement() async throws {
        try await Self.with { world in
            try await Self.seedMedication(world)
            let ctx = world.context(.monitor)
            let request = try await FHIRMedicationRequestHandler().read(id: "course-1", in: ctx).resource
            #expect(request["status"] == .string("active"))
            #expect(request["intent"] == .string("order"))
            #expect(request["medicationCodeableConcept"]?["coding"]?.arrayValue?.first?["system"] == .string("http://www.nlm.nih.gov/research/umls/rxnorm"))
            let dosage = request["dosageInstruction"]?.arrayValue?.first
            #expect(dosage?["timing"]?["repeat"]?["frequency"] == .integer(2))
            #expect(dosage?["timing"]?["repeat"]?["periodUnit"] == .string("d"))
            #expect(dosage?["timing"]?["repeat"]?["boundsPeriod"]?["end"] == .string("2026-07-02"))
            #expect(dosage?["doseAndRate"]?.arrayValue?.first?["doseQuantity"]?["value"] == .decimal("20"))

            let dispenses = FHIRMedicationDispenseHandler()
            let second = try await dispenses.read(id: "course-1.d2", in: ctx)
            #expect(second.resource["whenHandedOver"] == .string("2026-02-01"))
            #expect(second.resource["authorizingPrescription"]?.arrayValue?.first?["reference"] == .string("MedicationRequest/course-1"))
            #expect(second.versionID == 1)
            await Self.expectError(404) { _ = try await dispenses.read(id: "course-1.d3", in: ctx) }
            await Self.expectError(404) { _ = try await dispenses.read(id: "course-1", in: ctx) }
            await Self.expectError(404) { _ = try await dispenses.read(id: "course-b.d1", in: ctx) }
            #expect(Self.ids(try await dispenses.search(Self.query([("patient", "p-a")]), in: ctx)) == ["course-1.d1", "course-1.d2"])
            #expect(Self.ids(try await dispenses.search(Self.query([("prescription", "MedicationRequest/course-1")]), in: ctx)) == ["course-1.d1", "course-1.d2"])
            #expect(Self.ids(try await dispenses.search(Self.query([("_id", "course-1.d2")]), in: ctx)) == ["course-1.d2"])
            #expect(Self.ids(try await dispenses.search(Self.query([("prescription", "course-b")]), in: ctx)).isEmpty)
            await Self.expectError(400, expression: "patient") { _ = try await dispenses.search(Self.query([]), in: ctx) }

            let requests = FHIRMedicationRequestHandler()
            #expect(Self.ids(try await requests.search(Self.query([("patient", "p-a"), ("status", "active")]), in: ctx)) == ["course-1"])
            #expect(Self.ids(try await requests.search(Self.query([("patient", "p-a"), ("status", "stopped")]), in: ctx)).isEmpty)
            #expect(Self.ids(try await requests.search(Self.query([("patient", "p-a"), ("code", "http://www.nlm.nih.gov/research/umls/rxnorm|6064")]), in: ctx)) == ["course-1"])

            let statements = FHIRMedicationStatementHandler()
            let statement = try await statements.read(id: "cm-1", in: ctx).resource
            #expect(statement["status"] == .string("active"))
            #expect(statement["effectivePeriod"]?["start"] == .string("2025-06-01"))
            #expect(statement["dosage"]?.arrayValue?.first?["text"] == .string("70 mg weekly"))
            #expect(Self.ids(try await statements.search(Self.query([("subject", "Patient/p-a")]), in: ctx)) == ["cm-1"])
            #expect(Self.ids(try await statements.search(Self.query([("subject", "p-a2")]), in: ctx)).isEmpty)
            Self.dump([request, second.resource, statement])
        }
    }

    // MARK: BiologicallyDerivedProduct

    @Test func biologicallyDerivedProductLotReleaseAndCustody() async throws {
        try await Self.with { world in
            let lab = Actor(userID: "u-lab", role: "cell-therapy-lab")
            let t0 = Self.now
            // The lot names its harvest, which must exist (reference integrity).
            let harvest = Procedure(id: "proc-h", participantID: "p-a", kind: .tissueHarvest, performed: t0,
                                    sourceTissue: "bone-marrow-aspirate", volumeML: 60)
            _ = try await world.repositories.procedures.create(harvest, context: Self.setup, idempotencyKey: nil)
            let product = CellProduct(
                id: "cp-1", lot: "LOT-1", participantID: "p-a", sourceTissue: "bone-marrow-aspirate", harvestProcedureID: "proc-h",
                totalCells: 1.4e8, viableCells: 1.26e8, viabilityPercent: 90, releaseStatus: .released,
                custody: [CustodyEvent(kind: .harvested, at: t0, actor: Actor(userID: "u-investigator", role: "investigator"), location: "theatre"),
                          CustodyEvent(kind: .received, at: t0.addingTimeInterval(3600), actor: lab, location: "GMP facility"),
                          CustodyEvent(kind: .processingStarted, at: t0.addingTimeInterval(86_400), actor: lab),
                          CustodyEvent(kind: .processed, at: t0.addingTimeInterval(86_400 * 14), actor: lab),
                          CustodyEvent(kind: .released, at: t0.addingTimeInterval(86_400 * 15), actor: lab, note: "all criteria met")])
            _ = try await world.repositories.cellProducts.create(product, context: Self.setup, idempotencyKey: nil)
            let rejected = CellProduct(id: "cp-2", lot: "LOT-2", participantID: "p-a", sourceTissue: "adipose-lipoaspirate", releaseStatus: .rejected)
            _ = try await world.repositories.cellProducts.create(rejected, context: Self.setup, idempotencyKey: nil)
            let foreign = CellProduct(id: "cp-b", lot: "LOT-B", participantID: "p-b", sourceTissue: "adipose-lipoaspirate")
            _ = try await world.repositories.cellProducts.create(foreign, context: Self.setup, idempotencyKey: nil)

            let handler = FHIRBiologicallyDerivedProductHandler()
            let ctx = world.context(.investigator)
            let r = try await handler.read(id: "cp-1", in: ctx).resource
            Self.dump([r])
            #expect(r["productCategory"] == .string("cells"))
            #expect(r["status"] == .string("available"))
            #expect(r["identifier"]?.arrayValue?.first?["value"] == .string("LOT-1"))
            #expect(r["collection"]?["source"]?["reference"] == .string("Patient/p-a"))
            #expect(r["collection"]?["collectedDateTime"] == .string("2026-01-01T00:00:00Z"))
            #expect(r["processing"]?.arrayValue?.count == 2)
            #expect(r["storage"]?.arrayValue?.count == 1)
            let custody = (r["extension"]?.arrayValue ?? []).filter { $0["url"] == .string(FHIRCare.extensionBase + "cell-custody-event") }
            #expect(custody.count == 5)
            #expect(try await handler.read(id: "cp-2", in: ctx).resource["status"] == .string("unavailable"))
            await Self.expectError(404) { _ = try await handler.read(id: "cp-b", in: ctx) }
            #expect(Self.ids(try await handler.search(Self.query([("patient", "p-a")]), in: ctx)) == ["cp-1", "cp-2"])
            #expect(Self.ids(try await handler.search(Self.query([("patient", "p-a"), ("status", "available")]), in: ctx)) == ["cp-1"])
            #expect(Self.ids(try await handler.search(Self.query([("identifier", "urn:restora:cell-product-lot|LOT-2")]), in: ctx)) == ["cp-2"])
            #expect(Self.ids(try await handler.search(Self.query([("identifier", "LOT-B")]), in: ctx)).isEmpty)
            await Self.expectError(400, expression: "patient") { _ = try await handler.search(Self.query([("status", "available")]), in: ctx) }
        }
    }

    // MARK: Provenance

    @Test func provenanceFromTheAuditTrail() async throws {
        try await Self.with { world in
            try await Self.seedEvents(world)
            var changed = Self.event("ae-1", "p-a", onset: "2026-01-05", grade: 2)
            changed.note = "grade corrected"
            _ = try await world.repositories.adverseEvents.update(
                changed, expectedVersion: 1,
                context: AuditContext(actor: Actor(userID: "u-investigator", role: "investigator"), requestID: "r-2", reason: "source document re-read"))
            let handler = FHIRProvenanceHandler()
            let ctx = world.context(.monitor)
            let page = try await handler.search(Self.query([("target", "AdverseEvent/ae-1")]), in: ctx)
            Self.dump(page.resources.map(\.resource))
            #expect(page.resources.count == 2)
            let create = page.resources[0].resource
            let update = page.resources[1].resource
            #expect(create["activity"]?["coding"]?.arrayValue?.first?["code"] == .string("CREATE"))
            #expect(update["activity"]?["coding"]?.arrayValue?.first?["code"] == .string("UPDATE"))
            #expect(update["reason"]?.arrayValue?.first?["text"] == .string("source document re-read"))
            #expect(update["agent"]?.arrayValue?.first?["who"]?["identifier"]?["value"] == .string("u-investigator"))
            #expect(update["target"]?.arrayValue?.first?["reference"] == .string("AdverseEvent/ae-1"))
            #expect((update["extension"]?.arrayValue ?? []).contains { $0["valueString"] == .string("grade") })
            let id = page.resources[1].id
            #expect(try await handler.read(id: id, in: ctx).resource == update)
            #expect(Self.ids(try await handler.search(Self.query([("_id", id)]), in: ctx)) == [id])
            // Roles without the audit trail: 403; another site's record or an unknown one: nothing / 404.
            await Self.expectError(403) { _ = try await handler.search(Self.query([("target", "AdverseEvent/ae-1")]), in: world.context(.coordinator)) }
            await Self.expectError(403) { _ = try await handler.read(id: id, in: world.context(.investigator)) }
            #expect(Self.ids(try await handler.search(Self.query([("target", "AdverseEvent/ae-4")]), in: ctx)).isEmpty)
            await Self.expectError(404) { _ = try await handler.read(id: "ae.ae-4.1", in: ctx) }
            await Self.expectError(404) { _ = try await handler.read(id: "zz.ae-1.1", in: ctx) }
            await Self.expectError(400, expression: "target") { _ = try await handler.search(Self.query([("target", "Organization/o-1")]), in: ctx) }
            await Self.expectError(400, expression: "target") { _ = try await handler.search(Self.query([]), in: ctx) }
            // The participant's own record.
            #expect(try await handler.search(Self.query([("patient", "p-a")]), in: ctx).resources.count == 1)
        }
    }
}
