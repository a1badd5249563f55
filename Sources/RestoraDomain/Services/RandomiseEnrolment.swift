import Foundation

/// Randomising an enrolment (issue #16 item 1; docs/randomisation.md "In the system"): the one way the JSON API
/// (`POST /api/v1/enrolments/{id}/randomisation`), the web form and the demo seeder allocate an arm.
///
/// One clinical action, one transaction: the move to enrolled goes through `EnrolmentTransitions` (every gate —
/// eligibility, consent — applies, and an investigator's deviation can let it through the same way), and in that
/// same transaction the sequence's row is locked, the next arm drawn (RAND-ENGINE's `PermutedBlocks` /
/// `Minimisation` with `SystemRandomNumberGenerator`, getrandom(2) on Linux), the allocation stored and audited and
/// the sequence's state written back. Either all of it commits or none of it (REFERENCE.md I: allocation
/// concealment — the arm exists only once the participant is irrevocably enrolled).
/// Never reallocated: a second randomisation of the enrolment is a 409; a wrong allocation is recorded as a protocol
/// deviation (`DeviationEntry`), never corrected.
public struct RandomiseEnrolment: Sendable {
    public let repositories: Repositories
    public let catalog: ProtocolCatalog
    public let ids: any IDGenerator

    public init(repositories: Repositories, catalog: ProtocolCatalog, ids: any IDGenerator) {
        self.repositories = repositories
        self.catalog = catalog
        self.ids = ids
    }

    /// The rule a refusal names.
    public static let rule = "randomisation: an enrolment on a randomised protocol is allocated through POST /api/v1/enrolments/{id}/randomisation"

    public struct Outcome: Sendable {
        public var enrolment: Versioned<Enrolment>
        public var allocation: Versioned<RandomisationAllocation>
        public var deviation: Versioned<ProtocolDeviation>?
        public var scheme: RandomisationScheme
    }

    /// Who may randomise: the roles that enrol (they write clinical data). Anyone else: 403.
    public static func requireRandomiser(_ actor: Actor) throws {
        guard let role = actor.role.flatMap(UserRole.init(rawValue:)), role.writesClinicalData else {
            throw RoleRefusal(rule: "randomisation is done by an investigator, a coordinator or an admin",
                              message: "you are signed in as \(actor.role ?? "an unknown role") and may not randomise")
        }
    }

    /// The randomisation scheme the enrolment runs under, or a refusal naming the protocol when it has none.
    public func scheme(for enrolment: Enrolment, in repositories: Repositories? = nil) async throws -> (RandomisationScheme, ProtocolDefinition) {
        let r = repositories ?? self.repositories
        let program = try await r.programs.get(enrolment.programID).value
        let definition = try catalog.definition(for: enrolment, program: program)
        guard let scheme = definition.randomisation else {
            throw DomainError.protocolRule(
                rule: "randomisation", field: "enrolment",
                message: "protocol \(definition.id) v\(definition.version) is not randomised; move the enrolment with a transition instead")
        }
        return (scheme, definition)
    }

    /// Moves the enrolment to enrolled and allocates its arm, in one transaction. `factors`: the level of each
    /// protocol factor (`RandomisationScheme.validateLevels`). `deviation`: as for `EnrolmentTransitions`.
    public func randomise(
        _ id: Identifier<Enrolment>, factors: [String: String], expectedVersion: Int, at: Date,
        deviation: DeviationInput? = nil, context: AuditContext
    ) async throws -> Outcome {
        try Self.requireRandomiser(context.actor)
        let current = try await repositories.enrolments.get(id)
        if try await repositories.randomisation.allocation(enrolment: id) != nil { throw Self.alreadyRandomised(id) }
        let (scheme, definition) = try await scheme(for: current.value)
        try scheme.validateLevels(factors)
        let site = try await repositories.sites.get(current.value.siteID).value
        let key = scheme.stratumKey(siteCode: site.code, levels: factors)
        var reasoned = context
        if reasoned.trimmedReason == nil { reasoned.reason = "randomised" }
        let audit = reasoned
        let allocationID = Identifier<RandomisationAllocation>(ids.next())
        let transitions = EnrolmentTransitions(repositories: repositories, catalog: catalog, ids: ids)
        let (moved, stored) = try await transitions.transition(
            id, to: .enrolled, at: at, expectedVersion: expectedVersion, deviation: deviation, signedAt: at, context: audit,
            randomising: true
        ) { tx, enrolment in
            // Inside the transaction: a concurrent request for the same enrolment was refused by the version check.
            if try await tx.randomisation.allocation(enrolment: id) != nil { throw Self.alreadyRandomised(id) }
            var stratum = try await tx.randomisation.lockStratum(program: enrolment.value.programID, key: key)
            // Production generator: the system's CSPRNG (getrandom(2) on Linux; docs/randomisation.md).
            var rng = SystemRandomNumberGenerator()
            let drawn: Allocation
            switch scheme.method {
            case .permutedBlocks:
                var block = stratum.block
                drawn = PermutedBlocks.next(&block, scheme: scheme, using: &rng)
                stratum.block = block
            case .minimisation:
                let counts = try await Self.factorCounts(tx, program: enrolment.value.programID, scheme: scheme)
                drawn = Minimisation.next(levels: scheme.minimisationLevels(siteCode: site.code, levels: factors), counts: counts,
                                          scheme: scheme, using: &rng)
            }
            stratum.allocations += 1
            let kit = scheme.blinding.isBlinded
                ? try await Self.freshKitCode(tx, program: enrolment.value.programID, blinding: scheme.blinding, using: &rng) : nil
            let allocation = RandomisationAllocation(
                id: allocationID, enrolmentID: id, participantID: enrolment.value.participantID, programID: enrolment.value.programID,
                siteID: enrolment.value.siteID, protocolID: definition.id, protocolVersion: definition.version,
                method: scheme.method.rawValue, stratum: key, sequenceNumber: stratum.allocations, factors: factors, armID: drawn.armID,
                kitCode: kit, blockNumber: drawn.blockNumber, blockSize: drawn.blockSize, positionInBlock: drawn.positionInBlock,
                allocatedBy: context.actor, allocatedAt: at)
            let saved = try await tx.randomisation.create(allocation, context: audit)
            try await tx.randomisation.saveStratum(stratum)
            // Open label: the enrolment carries its arm (regimen checks, exports). Blinded: the arm stays in the
            // allocation only, so no enrolment read, list, export or audit diff can show it to a blinded role.
            guard !scheme.blinding.isBlinded else { return (enrolment, saved) }
            let armed = try await tx.randomisation.assignArm(id, armID: drawn.armID, expectedVersion: enrolment.version, context: audit)
            return (armed, saved)
        }
        return Outcome(enrolment: stored.0, allocation: stored.1, deviation: moved.deviation, scheme: scheme)
    }

    static func alreadyRandomised(_ id: Identifier<Enrolment>) -> RepositoryError {
        // 409: an allocation is never changed (a wrong one is recorded as a protocol deviation).
        .duplicate(kind: "randomisation", field: "enrolment \(id.rawValue): it is already randomised and is never reallocated")
    }

    /// counts[factor][level][arm] of every earlier allocation of the program (minimisation balances the whole trial).
    static func factorCounts(
        _ tx: Repositories, program: Identifier<Program>, scheme: RandomisationScheme
    ) async throws -> [String: [String: [String: Int]]] {
        let earlier = try await tx.randomisation.list(program: program, sites: nil).map(\.value)
        let codes = Dictionary(uniqueKeysWithValues: try await tx.sites.list().map { ($0.value.id, $0.value.code) })
        var counts: [String: [String: [String: Int]]] = [:]
        for a in earlier {
            for (factor, level) in scheme.minimisationLevels(siteCode: codes[a.siteID] ?? a.siteID.rawValue, levels: a.factors) {
                counts[factor, default: [:]][level, default: [:]][a.armID, default: 0] += 1
            }
        }
        return counts
    }

    /// A kit code from the protocol's pattern not yet used in the program (drawn again on a clash).
    static func freshKitCode(
        _ tx: Repositories, program: Identifier<Program>, blinding: Blinding, using rng: inout SystemRandomNumberGenerator
    ) async throws -> String {
        for _ in 0..<50 {
            let code = blinding.kitCode(using: &rng)
            if try await !tx.randomisation.kitCodeExists(program: program, code: code) { return code }
        }
        throw DomainError.invalidValue(
            field: "randomisation.blinding.kitCodePattern",
            message: "the kit-code pattern '\(blinding.kitCodePattern)' has run out of unused codes; widen it in the protocol")
    }
}
