import Foundation
import Hummingbird
import RestoraDomain

/// Source data verification in the JSON API, through `SourceVerification` like the participant page
/// (docs/sdv.md): `POST /participants/{id}/sdv` marks a field, a record or a whole visit (monitor, data manager,
/// admin; site staff 403), `GET /participants/{id}/sdv` lists every record's state, `GET /sdv/participants/{id}` gives
/// the participant's progress and waiting queries, `GET /sdv/progress` the same per site of the user's sites.
struct SDVController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    struct VerifyInput: Decodable {
        var recordKind: String?
        var recordID: String?
        var field: String?
        var visitID: String?
        var note: String?
    }

    struct ProgressJSON: Encodable {
        var total: Int
        var verified: Int
        var changed: Int
        var percent: Int
        init(_ p: SDVProgress) { (total, verified, changed, percent) = (p.total, p.verified, p.changed, p.percent) }
    }

    struct MarkJSON: Encodable {
        var state: String
        var verifiedBy: Actor
        var verifiedAt: Date
        var verifiedVersion: Int
        var note: String?
        init(_ state: SDVState, _ m: SourceVerificationMark) {
            (self.state, verifiedBy, verifiedAt, verifiedVersion, note) = (state.rawValue, m.verifiedBy, m.verifiedAt, m.recordVersion, m.note)
        }
    }

    struct FieldJSON: Encodable {
        var field: String
        var verification: MarkJSON
    }

    struct RecordJSON: Encodable {
        var recordKind: String
        var recordID: String
        var label: String
        var version: Int
        var visitID: String?
        var state: String
        var verification: MarkJSON?
        var fields: [FieldJSON]

        init(_ r: RecordVerification) {
            recordKind = r.record.kind
            recordID = r.record.id
            label = r.record.label
            version = r.record.version
            visitID = r.record.visitID?.rawValue
            state = r.state.rawValue
            verification = r.latest.map { MarkJSON(r.state, $0) }
            fields = r.fields.map { FieldJSON(field: $0.field, verification: MarkJSON($0.state, $0.latest)) }
        }
    }

    struct ParticipantJSON: Encodable {
        var participantID: String
        var progress: ProgressJSON
        var openQueries: Int
        var answeredQueries: Int
    }

    struct VerifiedJSON: Encodable {
        var marks: [VersionedResponse<SourceVerificationMark>]
        var progress: ProgressJSON
    }

    struct SiteJSON: Encodable {
        var siteID: String
        var progress: ProgressJSON
        var openQueries: Int
        var answeredQueries: Int
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.verifySource, use: verify)
        group.on(.sourceVerification, use: status)
        group.on(.sdvProgress, use: progress)
        group.on(.participantSDVProgress, use: participantProgress)
    }

    @Sendable func verify(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let input = try await request.decodeJSON(VerifyInput.self, limit: config.maxBodyBytes)
        let marks = try await Self.verify(input, participant: participant.value.id, user: user, context: context, dependencies: dependencies)
        let progress = try await repositories.sourceVerifications.progress(participant: participant.value.id)
        return try JSONResponse.make(VerifiedJSON(marks: marks.map { VersionedResponse(value: $0) }, progress: ProgressJSON(progress)),
                                     status: .created)
    }

    /// The one call both doors make: the target read from the input, then the service (role check inside).
    static func verify(
        _ input: VerifyInput, participant: Identifier<Participant>, user: UserAccount, context: AppRequestContext, dependencies: WebDependencies
    ) async throws -> [Versioned<SourceVerificationMark>] {
        // The role first: site staff get 403 whatever they send.
        guard SourceVerification.allowed(user.actor) else {
            throw RoleRefusal(rule: SourceVerification.rule, message: "only a monitor, a data manager or an admin marks data as source-verified")
        }
        let target = try SourceVerification.target(recordKind: input.recordKind, recordID: input.recordID, field: input.field, visitID: input.visitID)
        return try await SourceVerification(repositories: dependencies.repositories).verify(
            target, participant: participant, note: input.note, now: dependencies.clock.now(), ids: dependencies.ids, context: context.audit(user))
    }

    @Sendable func status(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let sdv = try await SourceVerification(repositories: repositories).status(participant: participant.value.id)
        return try JSONResponse.make(sdv.records.map(RecordJSON.init))
    }

    @Sendable func participantProgress(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let id = participant.value.id
        async let progress = repositories.sourceVerifications.progress(participant: id)
        let queries = try await repositories.queries.list(participant: id).map(\.value.status)
        return try JSONResponse.make(ParticipantJSON(participantID: id.rawValue, progress: ProgressJSON(try await progress),
                                                     openQueries: queries.filter { $0 == .open }.count,
                                                     answeredQueries: queries.filter { $0 == .answered }.count))
    }

    @Sendable func progress(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let sites = Access.visibleSites(user)
        async let progress = repositories.sourceVerifications.progressBySite(sites: sites)
        async let queries = repositories.queryThreads.openCounts(sites: sites, perSite: true, limit: 10_000)
        let waiting = Dictionary(uniqueKeysWithValues: try await queries.map { ($0.siteID, $0) })
        var rows = try await progress.map { site in
            SiteJSON(siteID: site.siteID.rawValue, progress: ProgressJSON(site.progress), openQueries: waiting[site.siteID]?.open ?? 0,
                     answeredQueries: waiting[site.siteID]?.answered ?? 0)
        }
        let listed = Set(rows.map(\.siteID))
        rows += waiting.values.filter { !listed.contains($0.siteID.rawValue) }.map {
            SiteJSON(siteID: $0.siteID.rawValue, progress: ProgressJSON(SDVProgress()), openQueries: $0.open, answeredQueries: $0.answered)
        }
        return try JSONResponse.make(rows.sorted { $0.siteID < $1.siteID })
    }
}
