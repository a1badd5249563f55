import Foundation
import Hummingbird
import RestoraDomain

/// The audit history of one record as a page (`GET /audit/{kind}/{id}`, `table#audit-history`): one row per
/// change with when, who, the action, the changed fields (old → new) and the reason. For the roles that read
/// the audit trail (admins, monitors, auditors), at their sites; other roles get the 403 page.
struct AuditPageController {
    let dependencies: WebDependencies
    var repositories: Repositories { dependencies.repositories }

    /// URL kind → stored table name (the same names as the API's `AuditController`).
    static let kinds = ["observations", "adverse-events", "participants", "enrolments", "procedures", "cell-products"]

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get(PageRoute.audit) { request, context in
            let user = try PageAccess.user(request, context)
            // One record's change history is for the people who record and correct it (writers, at their
            // sites) as well as for monitors, auditors and admins; reading the whole trail stays with the latter.
            guard user.role.readsAudit || user.role.writesClinicalData else {
                throw APIError.forbidden("the \(user.role.rawValue) role cannot read the history of records")
            }
            let kind = try context.parameters.require("kind")
            let id = try context.parameters.require("id")
            guard Self.kinds.contains(kind), let table = AuditController.tables[kind] else {
                throw RepositoryError.notFound(kind: "record kind", id: kind)
            }
            let participant = try await RecordReferences(repositories: repositories).owner(ofRecord: kind, id: id)
            let visible = try await Access.participant(participant, for: user, in: repositories)
            let entries = try await repositories.audit.history(table: table, recordID: id)
            return HTMLResponse.html(AuditPage.view(context: context, kind: kind, id: id, participant: visible.value, entries: entries))
        }
    }
}

enum AuditPage {
    static let kindNames = [
        "observations": "observation", "adverse-events": "adverse event", "participants": "participant", "enrolments": "enrolment",
        "procedures": "procedure", "cell-products": "cell product",
    ]

    static func when(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
    }

    static func view(context: AppRequestContext, kind: String, id: String, participant: Participant, entries: [AuditEntry]) -> Node {
        let title = "History of \(kindNames[kind] ?? kind) \(id)"
        return Layout.page(title: title, context: context) {
            el("p", ["class": "breadcrumb"]) {
                ParticipantText.crumb(participant)
            }
            el("h1") { title }
            if entries.isEmpty {
                Layout.empty("No recorded changes.")
            } else {
                el("table", ["id": "audit-history"]) {
                    el("thead") {
                        el("tr") {
                            ["When", "Who", "Action", "Changes", "Reason"].map { heading in el("th", ["scope": "col"]) { heading } }
                        }
                    }
                    el("tbody") { entries.map(row) }
                }
            }
        }
    }

    static func row(_ entry: AuditEntry) -> Node {
        el("tr", ["class": "audit-row"]) {
            el("td", ["class": "audit-when"]) { el("time", ["datetime": ISO8601DateFormatter().string(from: entry.at)]) { when(entry.at) } }
            el("td", ["class": "audit-who"]) { ActorText.describe(entry.actor) }
            el("td", ["class": "audit-action"]) { entry.action.rawValue }
            el("td", ["class": "audit-changes"]) {
                if entry.changes.isEmpty {
                    entry.action == .create ? "record created" : "—"
                } else {
                    el("ul") {
                        entry.changes.map { change in
                            el("li") {
                                el("span", ["class": "field-name"]) { change.field }
                                ": "
                                el("span", ["class": "old"]) { change.old ?? "(none)" }
                                " → "
                                el("span", ["class": "new"]) { change.new ?? "(none)" }
                            }
                        }
                    }
                }
            }
            el("td", ["class": "audit-reason"]) { entry.reason ?? "" }
        }
    }
}
