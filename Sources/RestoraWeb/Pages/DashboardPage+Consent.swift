import Foundation
import RestoraDomain

/// The dashboard's consent tasks (issue #16 item 2, docs/consent.md): every active participant of the user's
/// sites who must sign the program's current consent version (re-consent after a new version, or none on record),
/// per site and participant, and the programs that have no consent document issued (not gated).
struct DashboardConsents: Sendable {
    var tasks = ReconsentTaskPage(tasks: [], total: 0)
    var programNames: [Identifier<Program>: String] = [:]
    var programsWithoutDocument: [Program] = []

    static func load(for user: UserAccount, repositories: Repositories, limit: Int) async throws -> DashboardConsents {
        let programs = try await repositories.programs.list().map(\.value)
        let documented = Set(try await repositories.consents.allDocuments().map(\.value.programID))
        return DashboardConsents(
            tasks: try await repositories.consents.reconsentTasks(sites: Access.visibleSites(user), limit: limit),
            programNames: Dictionary(programs.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a }),
            programsWithoutDocument: programs.filter { !documented.contains($0.id) }.sorted { $0.name < $1.name })
    }
}

enum DashboardConsentSection {
    static func view(_ c: DashboardConsents) -> Node {
        .fragment([
            c.tasks.tasks.isEmpty
                ? Layout.empty("No participant needs to re-consent.")
                : el("table", ["id": "reconsent-tasks"]) {
                    el("thead") { el("tr") { el("th") { "Site" }; el("th") { "Participant" }; el("th") { "Program" }; el("th") { "Status" }; el("th") { "Consent" } } }
                    el("tbody") {
                        c.tasks.tasks.map { t in
                            el("tr", ["class": "reconsent-task"]) {
                                el("td") { t.siteID.rawValue }
                                el("td") { el("a", ["href": WebPath.participant(t.participantID) + "#consent"]) { t.participantID.rawValue } }
                                el("td") { c.programNames[t.programID] ?? t.programID.rawValue }
                                el("td") { t.status.rawValue }
                                el("td") {
                                    "re-consent needed: " + (t.signedVersion.map { "signed v\($0)" } ?? "no e-consent on record") + ", current v\(t.currentVersion)"
                                }
                            }
                        }
                    }
                },
            c.tasks.total > c.tasks.tasks.count ? el("p") { "\(c.tasks.total) in all; the first \(c.tasks.tasks.count) are shown." } : .fragment([]),
            c.programsWithoutDocument.isEmpty ? .fragment([]) : el("p", ["id": "programs-without-consent"]) {
                "No consent document issued (enrolment not gated by consent): "
                c.programsWithoutDocument.map { p in el("a", ["href": PageRoute.consentDocumentsPage.path(p.id.rawValue)]) { p.name } }
            },
        ])
    }
}
