import Foundation
import Hummingbird
import RestoraDomain
import RestoraReports

/// The program dashboard: participants by status, visits due this week, open safety alerts, recent adverse
/// events, enrolment over time, and the link to each program's study report.
struct DashboardController {
    let dependencies: WebDependencies

    func register(on pages: RouterGroup<AppRequestContext>) {
        pages.get(PageRoute.dashboard) { request, context in
            let user = try PageAccess.user(request, context)
            let model = try await DashboardModel.load(for: user, dependencies: dependencies)
            return HTMLResponse.html(DashboardPage.view(model, context: context))
        }
    }
}

enum DashboardPage {
    static func view(_ model: DashboardModel, context: AppRequestContext) -> Node {
        Layout.page(title: "Dashboard", context: context) {
            el("h1") { "Dashboard" }
            el("p", ["class": "muted"]) { "Today is \(model.today)." }
            Layout.section("status-counts", "Participants by status") {
                if model.programs.isEmpty { Layout.empty("No programs at your sites yet.") }
                model.programs.map { summary in programCard(summary) }
            }
            Layout.section("reporting-clocks", "Expedited reports due") { ReportingClocksSection.view(model) }
            Layout.section("open-alerts", "Open safety alerts") { alerts(model, context: context) }
            Layout.section("queries-sdv", "Data queries and source data verification") { DashboardQueriesSection.view(model.queriesSDV) }
            Layout.section("consent-tasks", "Consent: re-consent needed") { DashboardConsentSection.view(model.consents) }  // DashboardPage+Consent.swift
            Layout.section("visits-due", "Visits due and overdue this week") { visitsDue(model) }
            Layout.section("recent-adverse-events", "Adverse events in the last \(DashboardModel.recentEventDays) days") { events(model) }
            Layout.section("enrolment-chart", "Enrolment over time") {
                model.programs.map { summary in
                    el("figure", ["class": "chart"]) {
                        Node.trusted(ProgramCharts.enrolmentOverTime(byMonth: summary.enrolledByMonth, notEnrolled: summary.notEnrolled))
                        el("figcaption") { summary.program.name }
                    }
                }
            }
        }
    }

    static func programCard(_ summary: DashboardModel.ProgramSummary) -> Node {
        el("article", ["class": "program"]) {
            el("h3") { summary.program.name }
            el("p") {
                el("a", ["class": "report-link", "href": WebPath.report(summary.program.id)]) { "Study report" }
            }
            if summary.statusCounts.isEmpty { Layout.empty("No participants yet.") }
            el("div", ["class": "cards"]) {
                summary.statusCounts.map { item in
                    el("div", ["class": "card"]) {
                        el("div", ["class": "count"]) { "\(item.count)" }
                        el("div") { StatusText.label(item.status) }
                    }
                }
            }
        }
    }

    static func alerts(_ model: DashboardModel, context: AppRequestContext) -> Node {
        guard !model.openAlerts.isEmpty else { return Layout.empty("No open safety alerts.") }
        return Node.fragment([shownOf(model.openAlerts.count, model.openAlertsTotal, "open alerts", order: "newest first"), el("table") {
            el("thead") { el("tr") { el("th") { "Clinical date" }; el("th") { "Participant" }; el("th") { "Rule" }; el("th") { "Action" }; el("th") { "" } } }
            el("tbody") {
                model.openAlerts.map { row in
                    el("tr", ["class": "alert-row"]) {
                        el("td") { AlertText.date(row.alert.value) }
                        el("td") { ParticipantText.link(row.participant, id: row.alert.value.participantID) }
                        el("td") { row.alert.value.message }
                        el("td") { el("span", ["class": "badge alert-open"]) { row.alert.value.action.displayName } }
                        el("td") {
                            if model.canAcknowledge { AlertForms.acknowledge(row.alert, context: context, next: WebPath.dashboard) }
                        }
                    }
                }
            }
        }])
    }

    /// "Showing the first 100 of 2,345 …" when a list is cut at `DashboardModel.listLimit`; nothing otherwise.
    static func shownOf(_ shown: Int, _ total: Int, _ what: String, order: String) -> Node {
        guard total > shown else { return Node.fragment([]) }
        return el("p", ["class": "muted list-limit"]) { "Showing the first \(shown) of \(total) \(what), \(order)." }
    }

    static func visitsDue(_ model: DashboardModel) -> Node {
        guard !model.visitsDue.isEmpty else { return Layout.empty("No visits due or overdue this week.") }
        return Node.fragment([shownOf(model.visitsDue.count, model.visitsDueTotal, "visits", order: "overdue first, then by window"), el("table") {
            el("thead") { el("tr") { el("th") { "Participant" }; el("th") { "Program" }; el("th") { "Visit" }; el("th") { "Window" }; el("th") { "State" } } }
            el("tbody") {
                model.visitsDue.map { visit in
                    el("tr") {
                        el("td") { ParticipantText.link(visit.participant, id: visit.participantID) }
                        el("td") { visit.programName }
                        el("td") { visit.visitTitle }
                        el("td") { visit.window }
                        el("td") { el("span", ["class": "badge status-\(visit.state.rawValue)"]) { visit.state.rawValue } }
                    }
                }
            }
        }])
    }

    static func events(_ model: DashboardModel) -> Node {
        guard !model.recentAdverseEvents.isEmpty else { return Layout.empty("No adverse events with onset in this period.") }
        return el("table") {
            el("thead") { el("tr") { el("th") { "Onset" }; el("th") { "Participant" }; el("th") { "Term" }; el("th") { "Grade" }; el("th") { "Serious" } } }
            el("tbody") {
                model.recentAdverseEvents.map { row in
                    el("tr") {
                        el("td") { row.event.onset.description }
                        el("td") { ParticipantText.link(row.participant, id: row.participant.id) }
                        el("td") { row.event.term }
                        el("td", ["class": "num grade-\(row.event.grade)"]) { "\(row.event.grade)" }
                        el("td") { row.event.isSerious ? "yes" : "no" }
                    }
                }
            }
        }
    }
}

/// Shared wording for statuses and participants.
enum StatusText {
    static func label(_ status: EnrolmentStatus) -> String {
        switch status {
        case .prescreened: return "Pre-screened"
        case .screening: return "Screening"
        case .eligible: return "Eligible"
        case .screenFailed: return "Screen failed"
        case .consented: return "Consented"
        case .enrolled: return "Enrolled"
        case .onTreatment: return "On treatment"
        case .followUp: return "Follow-up"
        case .completed: return "Completed"
        case .withdrawn: return "Withdrawn"
        case .lostToFollowUp: return "Lost to follow-up"
        }
    }
}

enum ParticipantText {
    static func name(_ participant: Participant) -> String {
        let name = [participant.givenName, participant.familyName].compactMap { $0 }.joined(separator: " ")
        return name.isEmpty ? "MRN \(participant.mrn)" : "\(name) (MRN \(participant.mrn))"
    }

    /// The link back to the participant a page is about: "Ana Lopez · MRN A-001".
    static func crumb(_ participant: Participant) -> Node {
        let name = [participant.givenName, participant.familyName].compactMap { $0 }.joined(separator: " ")
        return el("a", ["href": WebPath.participant(participant.id)]) { "\(name.isEmpty ? "Participant" : name) · MRN \(participant.mrn)" }
    }

    static func link(_ participant: Participant?, id: Identifier<Participant>) -> Node {
        el("a", ["class": "participant-link", "href": WebPath.participant(id)]) {
            participant.map(name) ?? "participant \(id.rawValue)"
        }
    }
}

/// The acknowledge form of an open alert (posts to `/alerts/{id}/acknowledge` with a comment; AlertPages.swift).
enum AlertForms {
    static func acknowledge(_ alert: Versioned<SafetyAlertRecord>, context: AppRequestContext, next: String) -> Node {
        AlertAcknowledgeForm.inline(alert, context: context, next: next)
    }
}

/// Who did something, as people read it: the user id and, when known, the role.
enum ActorText {
    static func describe(_ actor: Actor) -> String {
        actor.role.map { "\(actor.userID) (\($0))" } ?? actor.userID
    }
}
