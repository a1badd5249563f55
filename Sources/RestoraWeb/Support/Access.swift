import RestoraDomain

/// Who may do what (PRODUCT.md "The people who use it"): everyone signed in reads the clinical records of
/// their sites; admins, investigators and coordinators write them; admins, auditors and monitors read the
/// audit trail. Records of another site answer 404, so their existence is not revealed.
enum Access {
    static func requireWriter(_ user: UserAccount) throws {
        guard user.role.writesClinicalData else {
            throw APIError.forbidden("the \(user.role.rawValue) role cannot change clinical records")
        }
    }

    static func requireAuditReader(_ user: UserAccount) throws {
        guard user.role.readsAudit else { throw APIError.forbidden("the \(user.role.rawValue) role cannot read the audit trail") }
    }

    static func requireSite(_ user: UserAccount, _ site: Identifier<Site>, kind: String, id: String) throws {
        guard user.canSee(site: site) else { throw RepositoryError.notFound(kind: kind, id: id) }
    }

    /// The participant, if the user may see it; 404 otherwise (also for another site's participant).
    static func participant(
        _ id: Identifier<Participant>, for user: UserAccount, in repositories: Repositories
    ) async throws -> Versioned<Participant> {
        let participant = try await repositories.participants.get(id)
        try requireSite(user, participant.value.siteID, kind: "participant", id: id.rawValue)
        return participant
    }

    /// `participant(_:for:in:)` for showing the record: the read is logged once access is granted (a refused
    /// read is not logged), with one read of the record instead of two.
    static func openParticipant(
        _ id: Identifier<Participant>, for user: UserAccount, in repositories: Repositories, context: AuditContext
    ) async throws -> Versioned<Participant> {
        let participant = try await self.participant(id, for: user, in: repositories)
        try await repositories.participants.logRead(participant, context: context)
        return participant
    }

    /// The sites a user's searches cover: nil means all (admins).
    static func visibleSites(_ user: UserAccount) -> Set<Identifier<Site>>? {
        user.role.seesAllSites ? nil : Set(user.siteIDs)
    }
}
