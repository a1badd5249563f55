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

    /// `next` after sign-in: only a path of this site, else the dashboard. Browsers forgive a lot
    /// (`/\t/evil` and `/\\evil` are read as `//evil`, a scheme-relative URL to another host), so the
    /// path must pass in its raw and its percent-decoded form: exactly one leading `/`, no `//` anywhere,
    /// no backslash, no control, format or whitespace characters, and no broken `%` escapes.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.utf8.count < 512, isPlainLocalPath(next),
              let decoded = next.removingPercentEncoding, isPlainLocalPath(decoded) else {
            return dashboard
        }
        return next
    }

    private static func isPlainLocalPath(_ path: String) -> Bool {
        guard path.hasPrefix("/"), !path.contains("//"), !path.contains("\\") else { return false }
        return path.unicodeScalars.allSatisfy { scalar in
            switch scalar.properties.generalCategory {
            case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
                return false
            default:
                return !scalar.properties.isWhitespace
            }
        }
    }
}
