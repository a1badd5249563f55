/// What a user may do. Monitors read and raise queries; auditors read the audit trail; neither writes
/// clinical data (PRODUCT.md "The people who use it"). Data managers (issue #18, docs/exports.md) read the
/// records and the audit trail of their sites, raise and close data queries like a monitor, and export the
/// research data of their sites; they write no clinical data.
public enum UserRole: String, Hashable, Sendable, Codable, CaseIterable {
    case admin, investigator, coordinator, monitor, auditor
    /// Data manager (issue #18): exports the research data of its sites; reads, does not write clinical records.
    case dataManager = "data-manager"

    /// May create and edit clinical records (participants, visits, observations, events…).
    public var writesClinicalData: Bool { self == .admin || self == .investigator || self == .coordinator }
    /// May read the audit trail of records.
    public var readsAudit: Bool { self == .admin || self == .auditor || self == .monitor || self == .dataManager }
    /// Raises and closes data queries (the monitor's source data verification; the data manager's data review).
    public var raisesQueries: Bool { self == .admin || self == .monitor || self == .dataManager }
    /// Admins see every site; everyone else only the sites they belong to.
    public var seesAllSites: Bool { self == .admin }
}

/// A person who signs in. Credentials (password hash, token hashes) never leave the storage layer.
public struct UserAccount: Hashable, Sendable, Codable, Identifiable {
    public var id: Identifier<UserAccount>
    public var username: String
    public var role: UserRole
    public var siteIDs: [Identifier<Site>]
    public var active: Bool
    /// The printed name an electronic signature shows (21 CFR 11.50(a)(1), REFERENCE.md H1; migration 0044).
    /// nil for an account made without one: such a user cannot sign until it is set.
    public var fullName: String?

    public init(
        id: Identifier<UserAccount>, username: String, role: UserRole, siteIDs: [Identifier<Site>], active: Bool = true,
        fullName: String? = nil
    ) {
        self.id = id
        self.username = username
        self.role = role
        self.siteIDs = siteIDs
        self.active = active
        self.fullName = fullName
    }

    /// Whether this user may see records of `site`.
    public func canSee(site: Identifier<Site>) -> Bool { role.seesAllSites || siteIDs.contains(site) }

    public var actor: Actor { Actor(userID: id.rawValue, role: role.rawValue) }
}
