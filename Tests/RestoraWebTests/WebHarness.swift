import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import RestoraDomain
import RestoraStorage
@testable import RestoraWeb

/// A real application over a real (in-memory SQLite) database, seeded with two sites, a program, one
/// participant per site and one user (with a bearer token) per role. Coordinator, investigator, monitor
/// and auditor belong to site A only.
struct WebHarness {
    let database: StorageDatabase
    let tokens: [UserRole: String]
    var config = WebConfiguration(maxBodyBytes: 4096)
    static let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    /// `configure` adjusts the configuration, `clock` replaces the fixed clock (sign-in throttling tests).
    static func with(
        configure: @Sendable (inout WebConfiguration) -> Void = { _ in }, clock: (any RestoraDomain.Clock)? = nil,
        catalog given: ProtocolCatalog? = nil,
        _ body: @escaping @Sendable (WebHarness, any TestClientProtocol) async throws -> Void
    ) async throws {
        var logger = Logger(label: "restora.web.tests")
        logger.logLevel = .warning
        let database = try await StorageDatabase.open(url: "sqlite::memory:", logger: logger, hasher: CredentialHasher(bcryptCost: 4))
        do {
            try await database.migrator.migrate()
            var seeded = WebHarness(database: database, tokens: try await seed(database.repositories))
            configure(&seeded.config)
            let harness = seeded
            let app = buildApplication(harness.config, WebDependencies(
                repositories: database.repositories, clock: clock ?? FixedClock(now), logger: logger, catalog: try given ?? catalog()))
            try await app.test(.router) { client in try await body(harness, client) }
            try await database.shutdown()
        } catch {
            try? await database.shutdown()
            throw error
        }
    }

    /// The repository's own `protocols/` folder.
    static func catalog() throws -> ProtocolCatalog {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try ProtocolCatalog.load(directory: root.appendingPathComponent("protocols").path)
    }

    static let setup = AuditContext(actor: Actor(userID: "setup", role: "admin"), requestID: "setup")

    private static func seed(_ repos: Repositories) async throws -> [UserRole: String] {
        _ = try await repos.sites.create(Site(id: "site-a", code: "A", name: "Clinic A"), context: setup, idempotencyKey: nil)
        _ = try await repos.sites.create(Site(id: "site-b", code: "B", name: "Clinic B"), context: setup, idempotencyKey: nil)
        _ = try await repos.programs.create(
            Program(id: "prog-1", protocolID: "isotretinoin-noa", protocolVersion: "1.0", name: "Isotretinoin", siteIDs: ["site-a", "site-b"]),
            context: setup, idempotencyKey: nil)
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

    func headers(_ role: UserRole?, ifMatch: String? = nil, idempotencyKey: String? = nil) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let role, let token = tokens[role] { fields[.authorization] = "Bearer \(token)" }
        if let ifMatch { fields[.ifMatch] = ifMatch }
        if let idempotencyKey { fields[HTTPField.Name("Idempotency-Key")!] = idempotencyKey }
        return fields
    }

    func count(_ table: String) async throws -> Int {
        switch table {
        case "participants": return try await database.repositories.participants.search(ParticipantQuery(siteIDs: nil, limit: 200)).items.count
        case "observations": return try await database.repositories.observations.list(participant: "p-a").count
        case "adverse-events": return try await database.repositories.adverseEvents.list(participant: "p-a").count
        case "enrolments": return try await database.repositories.enrolments.list(participant: "p-a").count
        default: return -1
        }
    }
}

extension ByteBuffer {
    init(json: String) { self.init(string: json) }
}

/// The parts of a JSON body the tests look at.
struct ErrorJSON: Decodable {
    struct Detail: Decodable { var code: String; var message: String; var details: [String: String] }
    var error: Detail
    var requestId: String
}

func decode<T: Decodable>(_ type: T.Type, _ buffer: ByteBuffer) throws -> T {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return try decoder.decode(T.self, from: Data(buffer.readableBytesView))
}

struct ParticipantJSON: Decodable { var id: String; var siteID: String; var mrn: String; var familyName: String?; var version: Int }
struct RecordJSON: Decodable { var id: String; var version: Int; var status: String? }
struct PageJSON: Decodable { var items: [ParticipantJSON]; var nextCursor: String? }

let newParticipant = """
    {"siteID":"site-a","mrn":"A-002","givenName":"Luis","familyName":"Garcia","sex":"male","birthDate":"1985-07-04"}
    """

/// Non-throwing decode for use inside `#expect` in response callbacks (nil when the body does not decode,
/// which then fails the comparison).
func decoded<T: Decodable>(_ type: T.Type, _ buffer: ByteBuffer) -> T? {
    try? decode(type, buffer)
}
