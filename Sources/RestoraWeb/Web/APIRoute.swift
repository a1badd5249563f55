import HTTPTypes
import Hummingbird

/// Every JSON API route in one typed list (issue #14; the way SwiftPackageIndex-Server's `SiteURL` names its
/// routes): a controller registers `APIRoute`s, never a path literal, so the list here is the whole API. The
/// OpenAPI document must describe exactly these (`OpenAPIDocumentTests`, scripts/ci/contract.sh), and a test
/// fails when a controller registers a literal path. Patterns are relative to `/api/v1` in Hummingbird's
/// syntax (`:id` is a parameter); `path(_:)` fills them in for a link.
struct APIRoute: Hashable, Sendable, CustomStringConvertible {
    let method: HTTPRequest.Method
    let pattern: String

    init(_ method: HTTPRequest.Method, _ pattern: String) {
        self.method = method
        self.pattern = pattern
    }

    static let prefix = "/api/v1"

    /// The absolute path with the parameters filled in, in order: `APIRoute.participant.path("p-1")`.
    func path(_ values: String...) -> String { Self.prefix + "/" + RoutePattern.fill(pattern, values) }

    /// `POST /participants/{id}/observations`, as the OpenAPI document writes it.
    var description: String { "\(method.rawValue) \(openAPIPath)" }

    var openAPIPath: String {
        "/" + pattern.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
    }
}

extension APIRoute {
    // Sessions (bearer tokens for the API)
    static let createSession = APIRoute(.post, "sessions")
    static let deleteSession = APIRoute(.delete, "sessions")
    // Participants
    static let createParticipant = APIRoute(.post, "participants")
    static let searchParticipants = APIRoute(.get, "participants")
    static let participant = APIRoute(.get, "participants/:id")
    static let updateParticipant = APIRoute(.put, "participants/:id")
    // Observations and adverse events
    static let createObservation = APIRoute(.post, "participants/:id/observations")
    static let observations = APIRoute(.get, "participants/:id/observations")
    static let updateObservation = APIRoute(.put, "observations/:id")
    static let createAdverseEvent = APIRoute(.post, "participants/:id/adverse-events")
    static let adverseEvents = APIRoute(.get, "participants/:id/adverse-events")
    static let updateAdverseEvent = APIRoute(.put, "adverse-events/:id")
    // Cell products and their release
    static let createCellProduct = APIRoute(.post, "participants/:id/cell-products")
    static let cellProducts = APIRoute(.get, "participants/:id/cell-products")
    static let appendCustody = APIRoute(.post, "cell-products/:id/custody")
    static let decideRelease = APIRoute(.post, "cell-products/:id/release-decision")
    static let recordReleaseTests = APIRoute(.put, "cell-products/:id/release-tests")
    // Safety alerts, data queries, audit trail
    static let openSafetyAlerts = APIRoute(.get, "safety-alerts")
    static let acknowledgeSafetyAlert = APIRoute(.post, "safety-alerts/:id/acknowledge")
    static let raiseQuery = APIRoute(.post, "participants/:id/queries")
    static let queries = APIRoute(.get, "participants/:id/queries")
    static let answerQuery = APIRoute(.post, "queries/:id/answer")
    static let closeQuery = APIRoute(.post, "queries/:id/close")
    static let participantAudit = APIRoute(.get, "participants/:id/audit")
    static let recordAudit = APIRoute(.get, "audit/:kind/:id")
    // Enrolments and their moves (the eligibility gate), protocol deviations (issue #14, docs/deviations.md)
    static let enrol = APIRoute(.post, "participants/:id/enrolments")
    static let enrolments = APIRoute(.get, "participants/:id/enrolments")
    static let transitionEnrolment = APIRoute(.post, "enrolments/:id/transitions")
    static let recordDeviation = APIRoute(.post, "participants/:id/deviations")
    static let deviations = APIRoute(.get, "participants/:id/deviations")
    // Treatment within the protocol (issue #14, docs/treatment.md): procedures, prescribing, dispensing, returns
    static let createProcedure = APIRoute(.post, "participants/:id/procedures")
    static let procedures = APIRoute(.get, "participants/:id/procedures")
    static let startCourse = APIRoute(.post, "participants/:id/medication-courses")
    static let medicationCourses = APIRoute(.get, "participants/:id/medication-courses")
    static let dispense = APIRoute(.post, "medication-courses/:id/dispensings")
    static let countReturn = APIRoute(.post, "medication-courses/:id/returns")
    static let changeCourseStatus = APIRoute(.post, "medication-courses/:id/status")
    // Visits of the protocol's schedule (issue #14, docs/visits.md)
    static let recordVisit = APIRoute(.post, "enrolments/:id/visits")
    static let visits = APIRoute(.get, "enrolments/:id/visits")
    static let correctVisit = APIRoute(.put, "visits/:id")

    /// Every route of the API.
    static let all: [APIRoute] = [
        createSession, deleteSession,
        createParticipant, searchParticipants, participant, updateParticipant,
        createObservation, observations, updateObservation, createAdverseEvent, adverseEvents, updateAdverseEvent,
        createCellProduct, cellProducts, appendCustody, decideRelease, recordReleaseTests,
        openSafetyAlerts, acknowledgeSafetyAlert, raiseQuery, queries, answerQuery, closeQuery, participantAudit, recordAudit,
        enrol, enrolments, transitionEnrolment, recordDeviation, deviations,
        createProcedure, procedures, startCourse, medicationCourses, dispense, countReturn, changeCourseStatus,
        recordVisit, visits, correctVisit,
    ] + screening + safetyActions + notificationRoutes + adverseEventReporting + exportRoutes + consentRoutes
        + signatureRoutes + lockRoutes
        + randomisationRoutes
        + sdvRoutes
}

extension RouterMethods {
    /// Registers `handler` for `route` (under this group's path: the `/api/v1` group for the API).
    @discardableResult
    func on(_ route: APIRoute, use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator) -> Self {
        on(RouterPath(route.pattern), method: route.method, use: handler)
    }
}
