import RestoraDomain

/// Every HTML path in one place: routes register these and pages link with them (docs/web-app.md).
enum WebPath {
    static let signIn = "/sign-in"
    static let signOut = "/sign-out"
    static let dashboard = "/dashboard"
    static let participants = "/participants"
    static let newParticipant = "/participants/new"
    static let prescreen = "/prescreen"
    static let prescreened = "/prescreened"
    static let stylesheet = "/assets/restora.css"

    static func participant(_ id: Identifier<Participant>) -> String { "/participants/\(id.rawValue)" }
    static func report(_ program: Identifier<Program>) -> String { "/programs/\(program.rawValue)/report" }
    static func audit(_ kind: String, _ id: String) -> String { "/audit/\(kind)/\(id)" }
    static func acknowledge(_ alert: Identifier<SafetyAlertRecord>) -> String { "/alerts/\(alert.rawValue)/acknowledge" }

    /// `next` after sign-in: only a local path of this site (never `//host` or a scheme), else the dashboard.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), next.count < 512 else {
            return dashboard
        }
        return next
    }
}
