import Foundation
import Hummingbird
import RestoraDomain

/// The participant page's safety alerts and data queries (issue #15 item 4, issue #19): what a safety rule did
/// to the treatment and still does (a hold standing, a discontinuation), the open alerts with their
/// acknowledge form, and — kept readable after they are closed — acknowledged alerts with who acknowledged
/// them, when and their comment (and who lifted a hold and why), and data queries with their answer and who
/// closed them, when and why. Dates are clinical dates: the value's or the event's, not when it was stored.
enum ParticipantSafety {
    static func sections(_ m: ParticipantPageModel, context: AppRequestContext) -> Node {
        // Data queries moved to their own section with their threads (ParticipantPage+Queries.swift, issue #16 item 5).
        .fragment([
            Layout.section("alerts", "Safety alerts") {
                treatment(m, context: context)
                openAlerts(m, context: context)
                closedAlerts(m)
            },
        ])
    }

    /// Newest clinical date first; alerts of one day in the order they were stored.
    static func ordered(_ alerts: [Versioned<SafetyAlertRecord>]) -> [Versioned<SafetyAlertRecord>] {
        alerts.sorted {
            ($0.value.clinicalDate ?? CalendarDate($0.value.raisedAt), $0.value.raisedAt) > ($1.value.clinicalDate ?? CalendarDate($1.value.raisedAt), $1.value.raisedAt)
        }
    }

    /// Holds and stops that stand on an enrolment's treatment, and discontinuations, one line each; an
    /// investigator lifts a hold with a reason here (a held course is resumed on its own page).
    static func treatment(_ m: ParticipantPageModel, context: AppRequestContext) -> Node {
        let standing = m.alerts.filter { $0.value.blocksTreatment }
        let discontinued = m.enrolments.compactMap { view in view.enrolment.value.treatmentDiscontinuation.map { (view, $0) } }
        guard !standing.isEmpty || !discontinued.isEmpty else { return .fragment([]) }
        let investigator = context.user?.role == .investigator
        return el("ul", ["id": "treatment-actions", "class": "treatment-actions"]) {
            discontinued.map { view, d in
                el("li", ["class": "treatment-discontinued"]) {
                    "\(view.program.name): treatment discontinued on \(d.on), \(view.enrolment.value.status == .followUp ? "in follow-up" : view.enrolment.value.status.rawValue) — \(d.reason)"
                }
            }
            // A hold under a stop of the same enrolment says nothing more: the treatment is discontinued.
            standing.filter { hold in
                hold.value.action == .holdDrug
                    && !standing.contains { $0.value.action == .stopTreatment && $0.value.enrolmentID == hold.value.enrolmentID }
            }.map { alert in
                let course = m.medicationCourses.first { $0.value.heldByAlertID == alert.value.id }
                return el("li", ["class": "treatment-hold"]) {
                    "Treatment on hold since \(AlertText.date(alert.value)) by safety rule \(alert.value.ruleID): \(alert.value.message). "
                    if let course {
                        el("a", ["href": WebPath.medicationCourse(course.value.id)]) { "Course on hold: resume it on its page" }
                    } else if investigator {
                        resumeForm(alert, context: context, next: WebPath.participant(m.participant.value.id))
                    } else {
                        "An investigator resumes it with a reason."
                    }
                }
            }
        }
    }

    /// `form.resume-hold-form`: an investigator lifts the hold of one alert with a reason (`TreatmentHolds.resume(alert:)`).
    static func resumeForm(_ alert: Versioned<SafetyAlertRecord>, context: AppRequestContext, next: String) -> Node {
        let field = "resume-reason-\(alert.value.id.rawValue)"
        return el("form", ["class": "resume-hold-form inline", "method": "post", "action": PageRoute.resumeAlertHold.path(alert.value.id.rawValue)]) {
            Forms.csrf(context)
            el("input", ["type": "hidden", "name": "version", "value": String(alert.version)])
            el("input", ["type": "hidden", "name": "next", "value": WebPath.safeNext(next)])
            el("label", ["for": field, "class": "visually-hidden"]) { "Reason to resume" }
            Node.element("input", ["id": field, "name": "reason", "type": "text", "placeholder": "Why treatment may resume"],
                         flags: ["required": true])
            el("button", ["type": "submit", "class": "resume-button secondary"]) { "Resume treatment" }
        }
    }

    static func openAlerts(_ m: ParticipantPageModel, context: AppRequestContext) -> Node {
        let open = ordered(m.alerts.filter { $0.value.status == .open })
        guard !open.isEmpty else { return Layout.empty(m.alerts.isEmpty ? "No safety alerts." : "No open safety alerts.") }
        return el("table", ["id": "open-alerts"]) {
            el("thead") { el("tr") { el("th") { "Clinical date" }; el("th") { "Rule" }; el("th") { "Action" }; el("th") { "Status" }; el("th") { "" } } }
            el("tbody") {
                open.map { alert in
                    el("tr", ["class": "alert-row"]) {
                        el("td") { AlertText.date(alert.value) }
                        el("td") { alert.value.message }
                        el("td") { alert.value.action.displayName }
                        el("td") { el("span", ["class": "badge alert-open"]) { "open" } }
                        el("td") {
                            if m.canAcknowledge {
                                AlertForms.acknowledge(alert, context: context, next: WebPath.participant(m.participant.value.id))
                            }
                        }
                    }
                }
            }
        }
    }

    static func closedAlerts(_ m: ParticipantPageModel) -> Node {
        let closed = ordered(m.alerts.filter { $0.value.status == .acknowledged })
        guard !closed.isEmpty else { return .fragment([]) }
        return .fragment([
            el("h3") { "Acknowledged alerts" },
            el("table", ["id": "acknowledged-alerts"]) {
                el("thead") { el("tr") {
                    el("th") { "Clinical date" }; el("th") { "Rule" }; el("th") { "Acknowledged" }; el("th") { "Comment" }; el("th") { "Hold" }
                } }
                el("tbody") {
                    closed.map { alert in
                        let a = alert.value
                        return el("tr", ["class": "acknowledged-alert"]) {
                            el("td") { AlertText.date(a) }
                            el("td") { a.message }
                            el("td") { "by \(a.acknowledgedBy.map(ActorText.describe) ?? "?") on \(a.acknowledgedAt.map { CalendarDate($0).description } ?? "?")" }
                            el("td", ["class": "ack-comment-text"]) { a.acknowledgementComment ?? "no comment (acknowledged before comments were required)" }
                            el("td") { holdText(a) }
                        }
                    }
                }
            },
        ])
    }

    static func holdText(_ a: SafetyAlertRecord) -> String {
        switch a.action {
        case .holdDrug:
            guard let at = a.holdLiftedAt else { return "standing" }
            return "lifted by \(a.holdLiftedBy.map(ActorText.describe) ?? "?") on \(CalendarDate(at)): \(a.holdLiftReason ?? "")"
        case .stopTreatment: return "treatment stopped"
        case .alert, .report: return ""
        }
    }
}

/// `POST /alerts/{id}/resume`: an investigator lifts the hold one alert put on an enrolment's treatment, with a
/// reason (`TreatmentHolds.resume(alert:)`, as `POST /api/v1/safety-alerts/{id}/resume`). A blank reason shows
/// the participant page's refusal page (422) with nothing written; other roles 403; other sites 404.
struct AlertHoldPageController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    func register(on router: RouterGroup<AppRequestContext>) {
        router.post(PageRoute.resumeAlertHold, use: resume)
    }

    @Sendable func resume(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        let stored = try await repositories.safetyAlerts.get(Identifier(try context.parameters.require("id")))
        _ = try await Access.participant(stored.value.participantID, for: user, in: repositories)
        _ = try await TreatmentHolds(repositories: repositories).resume(
            alert: stored.value.id, reason: form["reason"], expectedVersion: form["version"].flatMap { Int($0) } ?? stored.version,
            now: dependencies.clock.now(), context: context.audit(user))
        return HTMLResponse.redirect(WebPath.safeNext(form["next"]))
    }
}
