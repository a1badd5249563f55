import Foundation

/// What one user may see of an allocation (issue #16 item 1, docs/randomisation.md "In the system"): blinded roles
/// (the protocol's `blinding.blindedRoles`) get the kit code and never the arm, unless they themselves unblinded
/// this enrolment in an emergency. Nobody is shown the block (number, size, position) or the sequence's state:
/// from a past allocation's place in its block the next ones could be inferred (REFERENCE.md I, concealment).
public struct AllocationDisclosure: Hashable, Sendable, Codable {
    public var allocationID: Identifier<RandomisationAllocation>
    public var enrolmentID: Identifier<Enrolment>
    public var participantID: Identifier<Participant>
    public var programID: Identifier<Program>
    /// The arm; nil for a blinded role that has not unblinded this enrolment.
    public var armID: String?
    /// The kit or treatment code (blinded protocols).
    public var kitCode: String?
    /// True when the arm is withheld from this user.
    public var blinded: Bool
    public var method: String
    /// The order of allocation within the stratum (the randomisation number).
    public var randomisationNumber: Int
    public var stratum: String
    public var factors: [String: String]
    public var allocatedAt: Date
    public var allocatedBy: String
    public var protocolID: String
    public var protocolVersion: String
    /// Emergency unblindings of this enrolment (who, when, why) — shown to everyone who sees the allocation.
    public var unblindings: [UnblindingNote]

    public struct UnblindingNote: Hashable, Sendable, Codable {
        public var by: String
        public var at: Date
        public var reason: String
    }

    public static func make(
        _ a: RandomisationAllocation, scheme: RandomisationScheme?, role: UserRole, userID: String, unblindings: [EmergencyUnblinding]
    ) -> AllocationDisclosure {
        // A protocol no longer randomised in a later version keeps the blinding it had: unknown scheme + kit code = blinded.
        let hides = scheme.map { $0.blinding.hides(armFrom: role) } ?? (a.kitCode != nil && role != .admin)
        let unblindedForMe = unblindings.contains { $0.unblindedBy.userID == userID }
        let blinded = hides && !unblindedForMe
        return AllocationDisclosure(
            allocationID: a.id, enrolmentID: a.enrolmentID, participantID: a.participantID, programID: a.programID,
            armID: blinded ? nil : a.armID, kitCode: a.kitCode, blinded: blinded, method: a.method, randomisationNumber: a.sequenceNumber,
            stratum: a.stratum, factors: a.factors, allocatedAt: a.allocatedAt, allocatedBy: a.allocatedBy.userID,
            protocolID: a.protocolID, protocolVersion: a.protocolVersion,
            unblindings: unblindings.map { UnblindingNote(by: $0.unblindedBy.userID, at: $0.unblindedAt, reason: $0.reason) })
    }
}

/// Emergency unblinding (issue #16 item 1): an investigator, with a reason, is shown the arm of a blinded
/// participant. Audited (the unblinding record, REFERENCE.md H1 11.10(e)), and the protocol's unblinded contacts
/// (`blinding.unblindedContacts`, roles at the participant's site) are notified through the outbox in the same
/// transaction. Only an investigator (ICH E6: the investigator is responsible for the participant's care, H2).
public struct RandomiseUnblinding: Sendable {
    public let repositories: Repositories
    public let catalog: ProtocolCatalog
    public let ids: any IDGenerator

    public init(repositories: Repositories, catalog: ProtocolCatalog, ids: any IDGenerator) {
        self.repositories = repositories
        self.catalog = catalog
        self.ids = ids
    }

    public struct Outcome: Sendable {
        public var unblinding: Versioned<EmergencyUnblinding>
        public var allocation: RandomisationAllocation
        public var notified: Int
    }

    public func unblind(_ id: Identifier<Enrolment>, reason: String?, at: Date, context: AuditContext) async throws -> Outcome {
        try RoleRefusal.requireInvestigator(context.actor, rule: "emergency unblinding is done by an investigator",
                                            doing: "unblind a participant in an emergency")
        guard let why = reason?.trimmingCharacters(in: .whitespacesAndNewlines), !why.isEmpty else {
            throw DomainError.invalidValue(field: "reason", message: "an emergency unblinding needs a reason (the clinical emergency)")
        }
        let enrolment = try await repositories.enrolments.get(id).value
        guard let allocation = try await repositories.randomisation.allocation(enrolment: id)?.value else {
            throw DomainError.illegalTransition(from: enrolment.status.rawValue, to: "unblinded",
                                                message: "enrolment \(id.rawValue) has not been randomised: there is no arm to unblind")
        }
        let (scheme, _) = try await RandomiseEnrolment(repositories: repositories, catalog: catalog, ids: ids).scheme(for: enrolment)
        guard scheme.blinding.isBlinded else {
            throw DomainError.protocolRule(rule: "blinding", field: "enrolment",
                                           message: "this trial is open label: the arm is not blinded, there is nothing to unblind")
        }
        let unblindingID = Identifier<EmergencyUnblinding>(ids.next())
        let contacts = scheme.blinding.unblindedContacts.compactMap(UserRole.init(rawValue:))
        var reasoned = context
        reasoned.reason = "emergency unblinding: \(why)"
        let audit = reasoned
        let ids = self.ids
        return try await repositories.transaction { tx in
            let event = EmergencyUnblinding(
                id: unblindingID, enrolmentID: id, participantID: allocation.participantID, siteID: allocation.siteID,
                allocationID: allocation.id, reason: why, unblindedBy: context.actor, unblindedAt: at)
            let stored = try await tx.randomisation.recordUnblinding(event, context: audit)
            // Identifiers only in the message (docs/notifications.md): never the arm.
            let notice = NotificationEvent(kind: .emergencyUnblinding, participantID: allocation.participantID,
                                           linkPath: Notifications.participantPath(allocation.participantID),
                                           eventKey: "emergency-unblinding:\(unblindingID.rawValue)", onDate: CalendarDate(at))
            let notified = try await Notifications.enqueue(tx, notice, now: at, ids: ids, roles: contacts)
            return Outcome(unblinding: stored, allocation: allocation, notified: notified)
        }
    }
}
