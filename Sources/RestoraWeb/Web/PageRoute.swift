import Hummingbird

/// Every HTML page's route in one typed list (issue #14; like SwiftPackageIndex-Server's `SiteURL`): pages
/// register `PageRoute`s, never path literals, and links are made from the same entries (`WebPath` fills them
/// in), so a route and the links to it cannot drift apart. `APIRouteTests` checks no page registers a literal.
/// Patterns are absolute, in Hummingbird's syntax (`:id` is a parameter); GET and POST of a form share one.
struct PageRoute: Hashable, Sendable, CustomStringConvertible {
    let pattern: String

    init(_ pattern: String) { self.pattern = pattern }

    /// The path with the parameters filled in, in order: `PageRoute.participant.path("p-1")` → "/participants/p-1".
    func path(_ values: String...) -> String { RoutePattern.fill(pattern, values) }

    var description: String { pattern }
}

extension PageRoute {
    static let acknowledgeAlert = PageRoute("/alerts/:id/acknowledge")
    static let asset = PageRoute("/assets/:name")
    static let audit = PageRoute("/audit/:kind/:id")
    static let candidateStatus = PageRoute("/prescreened/:id/status")
    static let cellProduct = PageRoute("/cell-products/:id")
    static let countReturn = PageRoute("/medication-courses/:id/return")
    static let courseStatus = PageRoute("/medication-courses/:id/status")
    static let custodyStep = PageRoute("/cell-products/:id/custody")
    static let dashboard = PageRoute("/dashboard")
    static let dispense = PageRoute("/medication-courses/:id/dispense")
    static let editObservation = PageRoute("/observations/:id/edit")
    static let enrol = PageRoute("/participants/:id/enrolments/new")
    static let medicationCourse = PageRoute("/medication-courses/:id")
    static let newParticipant = PageRoute("/participants/new")
    static let participant = PageRoute("/participants/:id")
    static let participantFacts = PageRoute("/participants/:id/screening-facts")
    static let participants = PageRoute("/participants")
    static let prescreen = PageRoute("/prescreen")
    static let prescreenContact = PageRoute("/prescreen/contact")
    static let prescreenThanks = PageRoute("/prescreen/thanks")
    static let prescreened = PageRoute("/prescreened")
    static let prescribe = PageRoute("/participants/:id/medication-courses/new")
    static let recordAdverseEvent = PageRoute("/participants/:id/adverse-events/new")
    static let recordAssessments = PageRoute("/participants/:id/screening-assessments/new")
    static let recordConcomitantMedication = PageRoute("/participants/:id/concomitant-medications/new")
    static let recordDXA = PageRoute("/participants/:id/dxa/new")
    static let recordLab = PageRoute("/participants/:id/labs/new")
    static let recordProcedure = PageRoute("/participants/:id/procedures/new")
    static let recordSemen = PageRoute("/participants/:id/semen/new")
    static let recordVisit = PageRoute("/enrolments/:id/visits/new")
    static let registerCandidate = PageRoute("/prescreened/:id/register")
    static let registerCellProduct = PageRoute("/participants/:id/cell-products/new")
    static let releaseDecision = PageRoute("/cell-products/:id/release-decision")
    static let releaseTests = PageRoute("/cell-products/:id/release-tests")
    static let report = PageRoute("/programs/:id/report")
    static let reviewedSections = PageRoute("/participants/:id/reviewed-sections")
    static let root = PageRoute("/")
    static let screen = PageRoute("/enrolments/:id/screen")
    static let signIn = PageRoute("/sign-in")
    static let signOut = PageRoute("/sign-out")
    static let transition = PageRoute("/enrolments/:id/transition")
    static let resumeAlertHold = PageRoute("/alerts/:id/resume")  // ParticipantPage+Safety.swift (issue #15 item 4)
}

/// Filling a route pattern's `:parameters` in, shared by `APIRoute` and `PageRoute`.
enum RoutePattern {
    static func fill(_ pattern: String, _ values: [String]) -> String {
        var remaining = values[...]
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: false).map { part -> String in
            guard part.hasPrefix(":"), let value = remaining.popFirst() else { return String(part) }
            // Ids are letters, digits and "-._~" (unreserved in every URL part): nothing to encode, no Foundation call.
            if value.utf8.allSatisfy(isUnreserved) { return value }
            return value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? value
        }
        precondition(remaining.isEmpty, "\(pattern) takes fewer parameters than given")
        return parts.joined(separator: "/")
    }

    /// RFC 3986 unreserved: ASCII letters, digits, "-", ".", "_", "~" (never percent-encoded in a path).
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}

extension RouterMethods {
    @discardableResult
    func get(_ route: PageRoute, use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator) -> Self {
        on(RouterPath(route.pattern), method: .get, use: handler)
    }

    @discardableResult
    func post(_ route: PageRoute, use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator) -> Self {
        on(RouterPath(route.pattern), method: .post, use: handler)
    }
}
