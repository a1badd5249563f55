import Foundation

/// Resolves every record a write names by id before the write happens (issue #12 items 1 and 2): the
/// referenced record must exist and belong to the same participant — and so to the same site. A bad
/// reference is refused as an invalid value of the field that named it (422, `details.path`), and nothing
/// is written.
///
/// "Does not exist" and "belongs to someone else" get the same message on purpose: a user at site A must
/// not be able to learn, by trying ids, that a record exists at site B.
public struct RecordReferences: Sendable {
    public let repositories: Repositories

    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    /// The message every unresolvable reference gets, whatever the reason.
    static func refusal(_ field: String, kind: String) -> DomainError {
        .invalidValue(field: field, message: "\(field) names no \(kind) of this participant")
    }

    /// The enrolment, if `id` is given and names an enrolment of `participant`.
    @discardableResult
    public func enrolment(
        _ id: Identifier<Enrolment>?, of participant: Identifier<Participant>, field: String = "enrolmentID"
    ) async throws -> Enrolment? {
        guard let id else { return nil }
        let enrolment = try await resolve(field, kind: "enrolment") { try await repositories.enrolments.get(id).value }
        guard enrolment.participantID == participant else { throw Self.refusal(field, kind: "enrolment") }
        return enrolment
    }

    /// The visit, if `id` is given and names a visit of one of `participant`'s enrolments; when the write
    /// also names an enrolment, the visit must be of that enrolment.
    @discardableResult
    public func visit(
        _ id: Identifier<Visit>?, of participant: Identifier<Participant>, enrolment: Identifier<Enrolment>?,
        field: String = "visitID"
    ) async throws -> Visit? {
        guard let id else { return nil }
        let visit = try await resolve(field, kind: "visit") { try await repositories.visits.get(id).value }
        let owner = try await resolve(field, kind: "visit") { try await repositories.enrolments.get(visit.enrolmentID).value }
        guard owner.participantID == participant else { throw Self.refusal(field, kind: "visit") }
        if let enrolment, enrolment != visit.enrolmentID {
            throw DomainError.invalidValue(field: field, message: "\(field) names a visit of another enrolment than enrolmentID")
        }
        return visit
    }

    /// The procedure, if `id` is given and names a procedure of `participant`.
    @discardableResult
    public func procedure(
        _ id: Identifier<Procedure>?, of participant: Identifier<Participant>, field: String
    ) async throws -> Versioned<Procedure>? {
        guard let id else { return nil }
        let procedure = try await resolve(field, kind: "procedure") { try await repositories.procedures.get(id) }
        guard procedure.value.participantID == participant else { throw Self.refusal(field, kind: "procedure") }
        return procedure
    }

    /// The cell product, if `id` is given and names a lot of `participant` (the autologous rule: a lot goes
    /// back only into the participant it came from).
    @discardableResult
    public func cellProduct(
        _ id: Identifier<CellProduct>?, of participant: Identifier<Participant>, field: String = "cellProductID"
    ) async throws -> Versioned<CellProduct>? {
        guard let id else { return nil }
        let product = try await resolve(field, kind: "cell product") { try await repositories.cellProducts.get(id) }
        guard product.value.participantID == participant else { throw Self.refusal(field, kind: "cell product") }
        return product
    }

    /// The site a participant is registered at: it must exist and be one of the user's sites. An unknown
    /// site and another site's id get the same answer.
    @discardableResult
    public func site(_ id: Identifier<Site>, for user: UserAccount, field: String = "siteID") async throws -> Site {
        let refusal = DomainError.invalidValue(field: field, message: "\(field) names no site you work at")
        guard user.canSee(site: id) else { throw refusal }
        do {
            return try await repositories.sites.get(id).value
        } catch RepositoryError.notFound {
            throw refusal
        }
    }

    /// The kinds of record a data query may point at, by the name used in `recordKind`.
    public static let queryableKinds: [String] = [
        "observations", "procedures", "adverse-events", "medication-courses", "cell-products", "enrolments", "visits",
    ]

    /// A data query's target: both kind and id, or neither; the record must be one of `participant`'s.
    public func queryTarget(kind: String?, id: String?, of participant: Identifier<Participant>) async throws {
        switch (kind, id) {
        case (nil, nil):
            return
        case (nil, _?):
            throw DomainError.invalidValue(field: "recordKind", message: "recordKind is required with recordID")
        case (_?, nil):
            throw DomainError.invalidValue(field: "recordID", message: "recordID is required with recordKind")
        case let (kind?, id?):
            guard Self.queryableKinds.contains(kind) else {
                throw DomainError.invalidValue(
                    field: "recordKind", message: "recordKind must be one of \(Self.queryableKinds.joined(separator: ", "))")
            }
            let owner = try await resolve("recordID", kind: "record of kind \(kind)") { try await self.owner(ofRecord: kind, id: id) }
            guard owner == participant else { throw Self.refusal("recordID", kind: "record of kind \(kind)") }
        }
    }

    /// The participant a record belongs to, by the record kind's name in the API (`participants`,
    /// `enrolments`, `visits`, `observations`, `procedures`, `cell-products`, `medication-courses`,
    /// `adverse-events`, `safety-alerts`, `queries`, `screenings`, `deviations`): its site decides who may see it. Throws
    /// `RepositoryError.notFound` for an unknown id, and for a kind that is none of these.
    public func owner(ofRecord kind: String, id: String) async throws -> Identifier<Participant> {
        let r = repositories
        switch kind {
        case "participants": return try await r.participants.get(Identifier(id)).value.id
        case "enrolments": return try await r.enrolments.get(Identifier(id)).value.participantID
        case "visits": return try await r.enrolments.get(try await r.visits.get(Identifier(id)).value.enrolmentID).value.participantID
        case "observations": return try await r.observations.get(Identifier(id)).value.participantID
        case "procedures": return try await r.procedures.get(Identifier(id)).value.participantID
        case "cell-products": return try await r.cellProducts.get(Identifier(id)).value.participantID
        case "medication-courses": return try await r.medicationCourses.get(Identifier(id)).value.participantID
        case "adverse-events": return try await r.adverseEvents.get(Identifier(id)).value.participantID
        case "safety-alerts": return try await r.safetyAlerts.get(Identifier(id)).value.participantID
        case "queries": return try await r.queries.get(Identifier(id)).value.participantID
        case "screenings": return try await r.screenings.get(Identifier(id)).value.participantID
        case "deviations": return try await r.deviations.get(Identifier(id)).value.participantID
        default: throw RepositoryError.notFound(kind: "record kind", id: kind)
        }
    }

    /// Runs a lookup; a missing record becomes the field's refusal.
    private func resolve<T>(_ field: String, kind: String, _ lookup: () async throws -> T) async throws -> T {
        do {
            return try await lookup()
        } catch RepositoryError.notFound {
            throw Self.refusal(field, kind: kind)
        } catch DomainError.notFound {
            throw Self.refusal(field, kind: kind)
        }
    }
}
