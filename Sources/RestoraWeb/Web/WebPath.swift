import RestoraDomain

/// Every HTML link, made from the typed route list (`PageRoute`) the pages register (docs/web-app.md).
enum WebPath {
    static let signIn = PageRoute.signIn.path()
    static let signOut = PageRoute.signOut.path()
    static let dashboard = PageRoute.dashboard.path()
    static let participants = PageRoute.participants.path()
    static let newParticipant = PageRoute.newParticipant.path()
    static let prescreen = PageRoute.prescreen.path()
    static let prescreened = PageRoute.prescreened.path()
    static let stylesheet = PageRoute.asset.path("restora.css")

    static func participant(_ id: Identifier<Participant>) -> String { PageRoute.participant.path(id.rawValue) }
    static func report(_ program: Identifier<Program>) -> String { PageRoute.report.path(program.rawValue) }
    static func audit(_ kind: String, _ id: String) -> String { PageRoute.audit.path(kind, id) }
    static func acknowledge(_ alert: Identifier<SafetyAlertRecord>) -> String { PageRoute.acknowledgeAlert.path(alert.rawValue) }

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
