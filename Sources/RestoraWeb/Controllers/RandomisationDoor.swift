import Foundation
import Hummingbird
import RestoraDomain

/// The one door of randomisation for the JSON API and the web pages (issue #16 item 1): site checks (another
/// site's enrolment or program is 404), role checks (403, from the domain services), and what each role may see
/// (`AllocationDisclosure`: blinded roles get the kit code, never the arm).
struct RandomisationDoor {
    let dependencies: WebDependencies
    var repositories: Repositories { dependencies.repositories }
    var service: RandomiseEnrolment { RandomiseEnrolment(repositories: repositories, catalog: dependencies.catalog, ids: dependencies.ids) }

    /// The enrolment, if the user may see it; 404 otherwise.
    func enrolment(_ id: String, user: UserAccount) async throws -> Versioned<Enrolment> {
        let enrolment = try await repositories.enrolments.get(Identifier(id))
        try Access.requireSite(user, enrolment.value.siteID, kind: "enrolment", id: id)
        return enrolment
    }

    /// The program, if it runs at one of the user's sites (admins: any); 404 otherwise.
    func program(_ id: String, user: UserAccount) async throws -> Program {
        let program = try await repositories.programs.get(Identifier(id)).value
        guard user.role.seesAllSites || program.siteIDs.contains(where: user.siteIDs.contains) else {
            throw RepositoryError.notFound(kind: "program", id: id)
        }
        return program
    }

    func randomise(
        _ id: String, factors: [String: String], expectedVersion: Int, reason: String?, deviation: DeviationInput?,
        user: UserAccount, context: AppRequestContext
    ) async throws -> (RandomiseEnrolment.Outcome, AllocationDisclosure) {
        _ = try await enrolment(id, user: user)
        let outcome = try await service.randomise(
            Identifier(id), factors: factors, expectedVersion: expectedVersion, at: dependencies.clock.now(), deviation: deviation,
            context: context.audit(user, reason: reason))
        let view = AllocationDisclosure.make(outcome.allocation.value, scheme: outcome.scheme, role: user.role, userID: user.actor.userID,
                                             unblindings: [])
        return (outcome, view)
    }

    /// The allocation as this user may see it; nil when the enrolment is not randomised.
    func disclosure(of enrolment: Enrolment, user: UserAccount) async throws -> AllocationDisclosure? {
        guard let allocation = try await repositories.randomisation.allocation(enrolment: enrolment.id)?.value else { return nil }
        let scheme = try? await service.scheme(for: enrolment).0
        let unblindings = try await repositories.randomisation.unblindings(enrolment: enrolment.id).map(\.value)
        return AllocationDisclosure.make(allocation, scheme: scheme, role: user.role, userID: user.actor.userID, unblindings: unblindings)
    }

    func unblind(_ id: String, reason: String?, user: UserAccount, context: AppRequestContext) async throws -> AllocationDisclosure {
        let enrolment = try await enrolment(id, user: user)
        let outcome = try await RandomiseUnblinding(repositories: repositories, catalog: dependencies.catalog, ids: dependencies.ids)
            .unblind(enrolment.value.id, reason: reason, at: dependencies.clock.now(), context: context.audit(user))
        let scheme = try? await service.scheme(for: enrolment.value).0
        let unblindings = try await repositories.randomisation.unblindings(enrolment: enrolment.value.id).map(\.value)
        return AllocationDisclosure.make(outcome.allocation, scheme: scheme, role: user.role, userID: user.actor.userID, unblindings: unblindings)
    }

    /// The balance report of a program over the user's sites (admins: all). Unblinded roles only: a blinded role
    /// would read the arms of small strata from the counts (403).
    func report(_ programID: String, user: UserAccount) async throws -> RandomisationReport {
        let program = try await program(programID, user: user)
        let definition = try dependencies.catalog.definition(for: program)
        guard let scheme = definition.randomisation else {
            throw DomainError.protocolRule(rule: "randomisation", field: "program",
                                           message: "protocol \(definition.id) v\(definition.version) is not randomised: there is no randomisation report")
        }
        guard !scheme.blinding.hides(armFrom: user.role) else {
            throw RoleRefusal(rule: "the randomisation report is for unblinded roles",
                              message: "the \(user.role.rawValue) role is blinded in this trial and may not see the balance by arm")
        }
        let sites = user.role.seesAllSites ? nil : user.siteIDs
        let allocations = try await repositories.randomisation.list(program: program.id, sites: sites).map(\.value)
        let codes = Dictionary(uniqueKeysWithValues: try await repositories.sites.list().map { ($0.value.id, $0.value.code) })
        let entries = allocations.map {
            BalanceReport.Entry(armID: $0.armID, siteCode: codes[$0.siteID] ?? $0.siteID.rawValue, stratum: $0.stratum, levels: $0.factors)
        }
        return RandomisationReport(
            programID: program.id, programName: program.name, protocolID: definition.id, protocolVersion: definition.version,
            method: scheme.method.rawValue, blinded: scheme.blinding.isBlinded, allSites: sites == nil,
            balance: BalanceReport(scheme: scheme, allocations: entries))
    }
}

/// `GET /api/v1/programs/{id}/randomisation`: the balance of a program's allocations (`BalanceReport`).
struct RandomisationReport: Encodable, Sendable {
    var programID: Identifier<Program>
    var programName: String
    var protocolID: String
    var protocolVersion: String
    var method: String
    var blinded: Bool
    /// False when the counts cover only the user's sites.
    var allSites: Bool
    var balance: BalanceReport
}
