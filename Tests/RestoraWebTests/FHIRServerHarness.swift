import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import RestoraDomain
import RestoraStorage
@testable import RestoraWeb

/// The FHIR server over a real (in-memory SQLite) database with test handlers of its own, so the HTTP layer
/// (routing, errors, search, paging, includes, conditional create, transactions) is tested whatever the
/// resource types' handlers do. Seeded like `WebHarness`: sites A and B, participant p-a at A and
/// p-b (B-001) at B, one user per role (site A only; admin sees all) with a bearer token.
struct FHIRServerHarness {
    let database: StorageDatabase
    let tokens: [UserRole: String]
    let notes: TestNoteStore
    static let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    static func with(_ body: @escaping @Sendable (FHIRServerHarness, any TestClientProtocol) async throws -> Void) async throws {
        var logger = Logger(label: "restora.fhir.tests")
        logger.logLevel = .warning
        let database = try await StorageDatabase.open(url: "sqlite::memory:", logger: logger, hasher: CredentialHasher(bcryptCost: 4))
        do {
            try await database.migrator.migrate()
            let harness = FHIRServerHarness(database: database, tokens: try await seed(database.repositories), notes: TestNoteStore())
            let dependencies = WebDependencies(repositories: database.repositories, clock: FixedClock(now), logger: logger)
            let router = Router(context: AppRequestContext.self)
            router.add(middleware: RequestIDMiddleware(ids: dependencies.ids))
            router.add(middleware: ErrorMiddleware())
            router.get("healthz") { _, _ in "ok" }
            let fhir = FHIRServer(dependencies: dependencies, config: WebConfiguration(maxBodyBytes: 4096),
                                  handlers: [TestPatientHandler(), TestNoteHandler(store: harness.notes)])
                .mount(on: router)
            // An operation route of another part under a type's path must not shadow the type's own routes.
            fhir.get("Patient/$export") { _, _ in "export" }
            let app = Application(router: router, logger: logger)
            try await app.test(.router) { client in try await body(harness, client) }
            try await database.shutdown()
        } catch {
            try? await database.shutdown()
            throw error
        }
    }

    static let setup = AuditContext(actor: Actor(userID: "setup", role: "admin"), requestID: "setup")

    private static func seed(_ repos: Repositories) async throws -> [UserRole: String] {
        _ = try await repos.sites.create(Site(id: "site-a", code: "A", name: "Clinic A"), context: setup, idempotencyKey: nil)
        _ = try await repos.sites.create(Site(id: "site-b", code: "B", name: "Clinic B"), context: setup, idempotencyKey: nil)
        for (id, site, mrn) in [("p-a", "site-a", "A-001"), ("p-b", "site-b", "B-001")] {
            _ = try await repos.participants.create(
                Participant(id: Identifier(id), siteID: Identifier(site), mrn: mrn, givenName: "Ana", familyName: "Lopez",
                            sex: .female, birthDate: CalendarDate(year: 1980, month: 3, day: 1)!),
                context: setup, idempotencyKey: nil)
        }
        var tokens: [UserRole: String] = [:]
        for role in UserRole.allCases {
            let user = UserAccount(id: Identifier("u-\(role.rawValue)"), username: role.rawValue, role: role, siteIDs: ["site-a"])
            _ = try await repos.users.create(user, password: nil, context: setup)
            tokens[role] = try await repos.users.issueToken(username: role.rawValue, expiresAt: nil, context: setup)
        }
        return tokens
    }

    func headers(_ role: UserRole?, _ extra: [String: String] = [:]) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/fhir+json"]
        if let role, let token = tokens[role] { fields[.authorization] = "Bearer \(token)" }
        for (name, value) in extra { fields[HTTPField.Name(name)!] = value }
        return fields
    }

    func participants(mrn: String) async throws -> [Versioned<Participant>] {
        try await database.repositories.participants.search(ParticipantQuery(siteIDs: nil, mrn: mrn, limit: 200)).items
    }

    func participantCount() async throws -> Int {
        try await database.repositories.participants.search(ParticipantQuery(siteIDs: nil, limit: 200)).items.count
    }
}

func fhir(_ buffer: ByteBuffer) throws -> FHIRJSON { try FHIRJSON.parse(buffer.readableBytesView) }

func patientJSON(mrn: String, site: String = "site-a", id: String? = nil, versionId: String? = nil, family: String = "Garcia") -> String {
    let idPart = id.map { "\"id\":\"\($0)\"," } ?? ""
    let metaPart = versionId.map { "\"meta\":{\"versionId\":\"\($0)\"}," } ?? ""
    return """
        {"resourceType":"Patient",\(idPart)\(metaPart)"identifier":[{"system":"urn:test:mrn","value":"\(mrn)"}],\
        "name":[{"family":"\(family)","given":["Luis"]}],"gender":"male","birthDate":"1985-07-04",\
        "managingOrganization":{"reference":"Organization/\(site)"}}
        """
}

// MARK: - Test handlers

/// Patient over the participants repository (a minimal mapping: MRN identifier, name, gender, birthDate).
struct TestPatientHandler: FHIRResourceHandler {
    var resourceType: String { "Patient" }
    var searchParameters: [FHIRSearchParameter] {
        [FHIRSearchParameter(name: "identifier", kind: .token, documentation: "the MRN"),
         FHIRSearchParameter(name: "name", kind: .string, documentation: "family or given name")]
    }
    var supportsCreate: Bool { true }
    var supportsUpdate: Bool { true }

    static func resource(_ participant: Versioned<Participant>) -> FHIRStoredResource {
        let p = participant.value
        return FHIRStoredResource(type: "Patient", id: p.id.rawValue, participant, resource: .object([
            "resourceType": .string("Patient"),
            "id": .string(p.id.rawValue),
            "identifier": .array([.object([("system", .string("urn:test:mrn")), ("value", .string(p.mrn))])]),
            "name": .array([.object(["family": p.familyName.map { .string($0) }, "given": p.givenName.map { .array([.string($0)]) }])]),
            "gender": .string(p.sex.rawValue),
            "birthDate": .string(p.birthDate.description),
            "managingOrganization": .object([("reference", .string("Organization/\(p.siteID.rawValue)"))]),
        ]))
    }

    func read(id: String, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        let participant = try await context.repositories.participants.get(Identifier(id))
        guard context.user.canSee(site: participant.value.siteID) else { throw FHIRError.notFound("Patient", id) }
        return Self.resource(participant)
    }

    func search(_ query: FHIRSearchQuery, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        var mrn: String?
        var ids: Set<String>?
        for criterion in query.criteria {
            switch criterion.name {
            case "identifier": mrn = criterion.values.first.map { $0.split(separator: "|").last.map(String.init) ?? $0 }
            case "_id": ids = Set(criterion.values)
            default: throw FHIRError.invalid("unsupported \(criterion.name)")
            }
        }
        let page = try await context.repositories.participants.search(ParticipantQuery(
            siteIDs: context.visibleSites, mrn: mrn, limit: query.count, cursor: query.cursor))
        let items = page.items.filter { ids == nil || ids!.contains($0.value.id.rawValue) }
        return FHIRSearchPage(resources: items.map(Self.resource), nextCursor: page.nextCursor, total: nil)
    }

    func participant(_ resource: FHIRJSON, id: String, context: FHIRInteractionContext) throws -> Participant {
        guard let mrn = resource["identifier"]?.arrayValue?.first?["value"]?.stringValue else {
            throw FHIRError.invalid("a Patient needs an identifier (the MRN)", at: "Patient.identifier")
        }
        guard let text = resource["birthDate"]?.stringValue, let birthDate = CalendarDate(text) else {
            throw FHIRError.invalid("birthDate must be a date", at: "Patient.birthDate")
        }
        let site = resource["managingOrganization"]?["reference"]?.stringValue.map { String($0.dropFirst("Organization/".count)) } ?? "site-a"
        guard context.user.canSee(site: Identifier(site)) else {
            throw FHIRError.unprocessable("not a site of yours", at: "Patient.managingOrganization")
        }
        let name = resource["name"]?.arrayValue?.first
        return Participant(id: Identifier(id), siteID: Identifier(site), mrn: mrn, givenName: name?["given"]?.arrayValue?.first?.stringValue,
                           familyName: name?["family"]?.stringValue, sex: Sex(rawValue: resource["gender"]?.stringValue ?? "") ?? .unknown,
                           birthDate: birthDate)
    }

    func create(_ resource: FHIRJSON, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        let participant = try participant(resource, id: context.dependencies.ids.next(), context: context)
        return Self.resource(try await context.repositories.participants.create(participant, context: context.audit, idempotencyKey: nil))
    }

    func update(id: String, _ resource: FHIRJSON, expectedVersion: Int?, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        let current = try await read(id: id, in: context)
        let participant = try participant(resource, id: id, context: context)
        // A recorded participant's edit needs a reason for change (the real Patient handler reads it from the
        // change-reason extension; this one tests the HTTP layer, so it gives one itself).
        var audit = context.audit
        audit.reason = "test correction"
        return Self.resource(try await context.repositories.participants.update(
            participant, expectedVersion: expectedVersion ?? current.versionID, context: audit))
    }
}

/// An in-memory "Observation" with a `subject` reference (for includes and urn:uuid resolution).
actor TestNoteStore {
    var notes: [FHIRStoredResource] = []
    func add(_ note: FHIRStoredResource) { notes.append(note) }
    func all() -> [FHIRStoredResource] { notes }
}

struct TestNoteHandler: FHIRResourceHandler {
    let store: TestNoteStore
    var resourceType: String { "Observation" }
    var searchParameters: [FHIRSearchParameter] {
        [FHIRSearchParameter(name: "patient", kind: .reference, documentation: "the patient"),
         FHIRSearchParameter(name: "subject", kind: .reference, documentation: "the subject")]
    }
    var supportsCreate: Bool { true }

    func read(id: String, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        guard let note = await store.all().first(where: { $0.id == id }) else { throw FHIRError.notFound("Observation", id) }
        return note
    }

    func search(_ query: FHIRSearchQuery, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        var notes = await store.all()
        for criterion in query.criteria where criterion.name == "patient" || criterion.name == "subject" {
            let wanted = Set(criterion.values.map { $0.hasPrefix("Patient/") ? $0 : "Patient/\($0)" })
            notes = notes.filter { wanted.contains($0.resource["subject"]?["reference"]?.stringValue ?? "") }
        }
        return FHIRSearchPage(resources: Array(notes.prefix(query.count)), nextCursor: nil, total: notes.count)
    }

    func create(_ resource: FHIRJSON, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        guard let subject = resource["subject"]?["reference"]?.stringValue else {
            throw FHIRError.invalid("an Observation needs a subject", at: "Observation.subject")
        }
        let id = "n-\(context.dependencies.ids.next())"
        let note = FHIRStoredResource(type: "Observation", id: id, versionID: 1, lastUpdated: context.now, resource: .object([
            ("resourceType", .string("Observation")), ("id", .string(id)), ("status", .string("final")),
            ("code", .object([("text", .string("note"))])), ("subject", .object([("reference", .string(subject))])),
        ]))
        await store.add(note)
        return note
    }
}
