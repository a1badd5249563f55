import Foundation
import Hummingbird
import RestoraDomain
import RestoraReports

/// The study report of a program, computed from stored records at request time: the same report as
/// `restora report --format html`, restricted to users who see every site of the program.
struct ReportPageController {
    let dependencies: WebDependencies
    let config: WebConfiguration

    func register(on pages: RouterGroup<AppRequestContext>) {
        pages.get(PageRoute.report) { request, context in
            let user = try PageAccess.user(request, context)
            let program = try await dependencies.repositories.programs.get(Identifier(try context.parameters.require("id"))).value
            guard program.siteIDs.contains(where: { user.canSee(site: $0) }) else {
                throw RepositoryError.notFound(kind: "program", id: program.id.rawValue)
            }
            // Pooled analyses cross sites: only someone who sees all of the program's sites gets the report.
            guard program.siteIDs.allSatisfy({ user.canSee(site: $0) }) else {
                throw APIError.forbidden("the study report pools every site of the program; your account sees only some of them")
            }
            let report = try await document(program)
            return HTMLResponse.document(Self.withNavigation(HTMLRenderer.render(report)))
        }
    }

    /// The program's study report as of the same cut-off rule as `restora report` (`ReportCutOff`): the demo's
    /// fixed today on a demo database, else today (UTC).
    func document(_ program: Program) async throws -> StudyReport {
        let cutOff = ReportCutOff.resolve(chosen: nil, demoToday: config.demoToday, now: dependencies.clock.now())
        let dataset = try await StoredProgramData.loadForReport(
            programID: program.id, repositories: dependencies.repositories, catalog: dependencies.catalog,
            asOf: cutOff.date, synthetic: config.syntheticLabel != nil)
        return try StudyReport.build(consume dataset, syntheticLabel: config.syntheticLabel ?? "SYNTHETIC DEMO DATA").stating(cutOff)
    }

    /// The report is the same document `restora report --format html` writes; in the web app it gets the
    /// app's way back (dashboard, participants) at the top of the body, so it is not a dead end.
    static func withNavigation(_ document: String) -> String {
        let nav = el("nav", ["class": "report-nav", "aria-label": "Restora"]) {
            el("a", ["id": "report-back-dashboard", "href": WebPath.dashboard]) { "← Dashboard" }
            " · "
            el("a", ["id": "report-back-participants", "href": WebPath.participants]) { "Participants" }
        }.render()
        guard let body = document.range(of: "<body>") else { return document }
        return document.replacingCharacters(in: body, with: "<body>\n" + nav)
    }
}
