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
        guard let next, next.utf8.count < 512 else { return dashboard }
        // A path of ASCII letters, digits and `-._~/?=&` only (the pages' own links): no `%` to decode, no backslash,
        // nothing the character check refuses, so only the slashes decide (the same answer, without Foundation; every
        // alert row of the dashboard carries one).
        if next.utf8.allSatisfy(isPlainASCII) { return next.hasPrefix("/") && !next.contains("//") ? next : dashboard }
        return checkedNext(next)
    }

    /// `safeNext`'s full check, for any text.
    static func checkedNext(_ next: String) -> String {
        guard next.utf8.count < 512, isPlainLocalPath(next), let decoded = next.removingPercentEncoding, isPlainLocalPath(decoded) else {
            return dashboard
        }
        return next
    }

    private static func isPlainASCII(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "="), UInt8(ascii: "&"): return true
        default: return RoutePattern.isUnreserved(byte)
        }
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
