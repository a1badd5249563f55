import Foundation
import Hummingbird
import RestoraDomain
import RestoraExport

/// The exports page (`/exports`, issue #18, docs/exports.md): a form that asks for an export through the same
/// door as `POST /api/v1/exports` (`ExportDoor`), and the user's export jobs with their status, progress and a
/// download link per file. Admins, data managers and monitors (de-identified only); anyone else gets 403.
struct ExportPagesController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var door: ExportDoor { ExportDoor(dependencies: dependencies, config: config) }

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get(PageRoute.exportsPage) { request, context in
            let user = try PageAccess.user(request, context)
            try ExportDoor.requireExporter(user)
            return HTMLResponse.html(try await page(context: context, user: user, state: FormState(form: FormData(["deidentify": "yes"]))))
        }
        router.post(PageRoute.exportsPage) { request, context in
            let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
            try ExportDoor.requireExporter(user)
            let participants = (form["participants"] ?? "").split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
            let input = ExportDoor.Input(kind: form["kind"] ?? "", programId: form["programId"] ?? "", deidentify: form["deidentify"] != nil,
                                         datePrecision: form["datePrecision"], participants: participants.isEmpty ? nil : participants)
            do {
                _ = try await door.submit(input, user: user, context: context)
            } catch let DomainError.invalidValue(field, message) {
                let name = field.hasPrefix("participants") ? "participants" : field
                return HTMLResponse.html(try await page(context: context, user: user, state: FormState(form: form, errors: [name: message])),
                                         status: .unprocessableContent)
            } catch let error as APIError where error.status == .forbidden {
                return HTMLResponse.html(try await page(context: context, user: user, state: FormState(form: form, general: [error.message])),
                                         status: .forbidden)
            }
            return HTMLResponse.redirect(PageRoute.exportsPage.path())
        }
        router.get(PageRoute.exportFilePage) { request, context in
            let user = try PageAccess.user(request, context)
            return try await door.file(try context.parameters.require("id"), name: try context.parameters.require("name"), user: user, context: context)
        }
    }

    func page(context: AppRequestContext, user: UserAccount, state: FormState) async throws -> Node {
        let all = try await dependencies.repositories.programs.list().map(\.value)
        let programs = all.filter { program in user.role.seesAllSites || program.siteIDs.contains(where: user.siteIDs.contains) }
            .sorted { $0.name < $1.name }
        var rows: [(ExportJob, Int?)] = []
        for job in try await door.visibleJobs(user) { rows.append((job.value, await dependencies.exportProgress.count(job.value.id))) }
        let names = Dictionary(all.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        return ExportPages.view(context: context, user: user, programs: programs, names: names, jobs: rows, state: state)
    }
}

enum ExportPages {
    static func view(
        context: AppRequestContext, user: UserAccount, programs: [Program], names: [Identifier<Program>: String], jobs: [(ExportJob, Int?)],
        state: FormState
    ) -> Node {
        Layout.page(title: "Research data exports", context: context) {
            el("h1") { "Research data exports" }
            el("p") {
                "A package of a program's data: CSV tables with a data dictionary, CDISC SDTM (SAS XPORT v5, Dataset-JSON and "
                "define.xml) or CDISC ODM 1.3.2. Each export is recorded: who asked, when, and which participants it holds."
                user.role == .monitor ? " As a monitor you may export de-identified data only." : ""
                user.role.seesAllSites ? "" : " Only the participants of your sites are exported."
            }
            Forms.generalErrors(state)
            el("form", ["id": "export-form", "method": "post", "action": PageRoute.exportsPage.path(), "novalidate": "novalidate"]) {
                Forms.csrf(context)
                Forms.select("programId", label: "Program", options: programs.map { ($0.id.rawValue, "\($0.name) (\($0.protocolID))") },
                             state: state, required: true)
                Forms.select("kind", label: "Format", options: [("sdtm", "CDISC SDTM: XPT, Dataset-JSON, define.xml"),
                                                                 ("csv", "CSV tables with a data dictionary"), ("odm", "CDISC ODM 1.3.2")],
                             state: state, required: true)
                EntryPage.checkbox("deidentify", label: "De-identify (HIPAA Safe Harbor: identifiers removed, dates shifted or reduced to the year)", state: state)
                Forms.select("datePrecision", label: "Dates in a de-identified export",
                             options: [("day", "Shifted by a random offset per participant (intervals kept)"), ("year", "The year alone")], state: state)
                Forms.input("participants", label: "Participants (optional)", hint: "Participant ids separated by commas; leave empty for all of the program's.",
                            state: state)
                Forms.submit("Start the export", id: "start-export")
            }
            el("h2") { "Exports" }
            el("p") { el("a", ["id": "refresh-exports", "href": PageRoute.exportsPage.path()]) { "Refresh to see progress" } }
            if jobs.isEmpty {
                Layout.empty("No exports yet.")
            } else {
                el("table", ["id": "export-jobs"]) {
                    el("thead") {
                        el("tr") {
                            el("th", ["scope": "col"]) { "Requested" }
                            el("th", ["scope": "col"]) { "Export" }
                            el("th", ["scope": "col"]) { "By" }
                            el("th", ["scope": "col"]) { "Status" }
                            el("th", ["scope": "col"]) { "Files" }
                        }
                    }
                    el("tbody") { jobs.map { job, progress in row(job, program: names[job.programID] ?? job.programID.rawValue, progress: progress) } }
                }
            }
        }
    }

    static func row(_ job: ExportJob, program: String, progress: Int?) -> Node {
        el("tr", ["class": "export-job", "id": "export-\(job.id.rawValue)", "data-status": job.status.rawValue]) {
            el("td") { AuditPage.when(job.requestedAt) }
            el("td") {
                "\(job.kind.uppercased()) of \(program)"
                job.deidentified ? ", de-identified (dates: \(job.datePrecision == "year" ? "year only" : "shifted"))" : ", identified"
                if let asked = job.requestedParticipants { " — \(count(asked.count)) named" }
            }
            el("td") { job.requestedByName }
            el("td", ["class": "export-status"]) {
                switch job.status {
                case .queued: "Queued"
                case .running: "Running: \(count(progress ?? 0)) written"
                case .done: "Done: \(count(job.participantCount))"
                case .failed: "Failed: \(job.errorMessage ?? "no reason recorded")"
                }
            }
            el("td") {
                if job.status == .done {
                    el("ul", ["class": "export-files"]) {
                        job.files.map { file in
                            el("li") {
                                el("a", ["class": "export-file", "href": PageRoute.exportFilePage.path(job.id.rawValue, file.name),
                                         "data-sha256": file.sha256]) { file.name }
                                " (\(file.rows) rows, \(file.bytes) bytes)"
                            }
                        }
                    }
                }
            }
        }
    }

    static func count(_ n: Int) -> String { n == 1 ? "1 participant" : "\(n) participants" }
}
