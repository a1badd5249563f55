import RestoraDomain

/// The demo's users, one per role. The passwords are published (README, docs/demo-clinic.md, the banner of
/// `restora demo`): they protect nothing and exist only in demo databases.
public struct DemoLogin: Sendable, Hashable {
    public var username: String
    public var password: String
    public var role: UserRole
    /// Site codes the user belongs to; empty for the admin, who sees every site.
    public var siteCodes: [String]
    /// What the role may do, in one line.
    public var canDo: String
}

extension DemoLogin {
    public static let all: [DemoLogin] = [
        DemoLogin(username: "admin", password: "demo-admin", role: .admin, siteCodes: [],
                  canDo: "everything at every site: users, sites, programs, clinical data, audit trail"),
        DemoLogin(username: "investigator", password: "demo-investigator", role: .investigator,
                  siteCodes: ["DEMO-BH", "DEMO-NS", "DEMO-LK"],
                  canDo: "records clinical data, acknowledges safety alerts, decides cell-product release (all three demo sites)"),
        DemoLogin(username: "coordinator", password: "demo-coordinator", role: .coordinator, siteCodes: ["DEMO-BH"],
                  canDo: "records visits and results at DEMO-BH only (site scoping: other sites' participants are invisible)"),
        DemoLogin(username: "monitor", password: "demo-monitor", role: .monitor, siteCodes: ["DEMO-BH", "DEMO-NS", "DEMO-LK"],
                  canDo: "reads records and the audit trail, raises data queries; writes no clinical data"),
        DemoLogin(username: "auditor", password: "demo-auditor", role: .auditor, siteCodes: ["DEMO-BH", "DEMO-NS", "DEMO-LK"],
                  canDo: "reads records and the audit trail; writes nothing"),
        DemoLogin(username: "datamanager", password: "demo-datamanager", role: .dataManager, siteCodes: ["DEMO-BH", "DEMO-NS", "DEMO-LK"],
                  canDo: "exports the research data (CSV, SDTM, ODM; identified or de-identified), reads records and the audit trail, raises data queries; writes no clinical data"),
    ]
}

extension DemoSeeder {
    /// Creates the demo users one after another. The seed runs this beside the participants' replay (`seed`):
    /// password hashing is deliberately slow (six bcrypt rounds at the server's cost, 1.5 s), and on one task it
    /// keeps one core while the replay, which is one task too, keeps the other.
    func createUsers(sites: [Site]) async throws -> Int {
        let byCode = Dictionary(sites.map { ($0.code, $0.id) }, uniquingKeysWith: { a, _ in a })
        for login in DemoLogin.all {
            let account = UserAccount(id: Identifier("demo-user-\(login.username)"), username: login.username,
                                      role: login.role, siteIDs: login.siteCodes.compactMap { byCode[$0] }, fullName: login.printedName)
            _ = try await repositories.users.create(account, password: login.password, context: context())
        }
        return DemoLogin.all.count
    }
}
