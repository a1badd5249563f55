import Foundation
import Hummingbird
import RestoraDomain

/// The participant list with search by MRN (exact) or name (part of given or family name), and the form
/// that registers a new participant at one of the user's sites.
struct ParticipantListController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    func register(on pages: RouterGroup<AppRequestContext>) {
        pages.get(PageRoute.participants, use: list)
        pages.get(PageRoute.newParticipant, use: newForm)
        pages.post(PageRoute.newParticipant, use: create)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try PageAccess.user(request, context)
        let text = request.uri.queryParameters.get("q")?.trimmingCharacters(in: .whitespaces) ?? ""
        let sites = Access.visibleSites(user)
        var found: [Versioned<Participant>] = []
        if text.isEmpty {
            found = try await repositories.participants.search(ParticipantQuery(siteIDs: sites, limit: 200)).items
        } else {
            // An MRN matches exactly; otherwise the text is searched in names.
            found = try await repositories.participants.search(ParticipantQuery(siteIDs: sites, mrn: text, limit: 200)).items
            if found.isEmpty {
                found = try await repositories.participants.search(ParticipantQuery(siteIDs: sites, name: text, limit: 200)).items
            }
        }
        let siteNames = Dictionary(uniqueKeysWithValues: try await repositories.sites.list().map { ($0.value.id, $0.value.name) })
        let summaries = try await ParticipantListSummary.load(
            found.map(\.value), repositories: repositories, catalog: dependencies.catalog, today: CalendarDate(dependencies.clock.now()))
        return HTMLResponse.html(ParticipantListPage.view(
            context: context, query: text, participants: found.map(\.value), siteNames: siteNames, summaries: summaries,
            canCreate: user.role.writesClinicalData))
    }

    @Sendable func newForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try PageAccess.user(request, context)
        try Access.requireWriter(user)
        return HTMLResponse.html(NewParticipantPage.view(context: context, sites: try await sites(for: user), state: FormState(), ids: dependencies.ids))
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        try Access.requireWriter(user)
        let sites = try await sites(for: user)
        switch NewParticipantForm.validate(form, sites: Set(sites.map(\.id)), today: CalendarDate(dependencies.clock.now()), id: Identifier(dependencies.ids.next())) {
        case let .failure(failure):
            return HTMLResponse.html(NewParticipantPage.view(context: context, sites: sites, state: failure.state, ids: dependencies.ids), status: .unprocessableContent)
        case let .success(participant):
            do {
                let stored = try await repositories.participants.create(
                    participant, context: context.audit(user), idempotencyKey: form["_nonce"].map { "web:participant:\($0)" })
                return HTMLResponse.redirect(WebPath.participant(stored.value.id))
            } catch RepositoryError.duplicate {
                let state = FormState(form: form, errors: ["mrn": "This MRN is already registered at this site."])
                return HTMLResponse.html(NewParticipantPage.view(context: context, sites: sites, state: state, ids: dependencies.ids), status: .unprocessableContent)
            }
        }
    }

    func sites(for user: UserAccount) async throws -> [Site] {
        try await repositories.sites.list().map(\.value).filter { user.canSee(site: $0.id) }
    }
}

/// Reads the new-participant form; every problem is reported next to its field.
enum NewParticipantForm {
    static let diagnoses: [Coding] = [
        ClinicalCodes.organicAzoospermia, ClinicalCodes.oligospermia, ClinicalCodes.obstructiveAzoospermia, ClinicalCodes.osteoporosis,
    ]

    static func validate(_ form: FormData, sites: Set<Identifier<Site>>, today: CalendarDate, id: Identifier<Participant>) -> Result<Participant, FormFailure> {
        var errors: [String: String] = [:]
        let site = form["siteID"].map { Identifier<Site>($0) }
        if site == nil || !sites.contains(site!) { errors["siteID"] = "Choose one of your sites." }
        let mrn = form["mrn"] ?? ""
        if mrn.isEmpty || mrn.count > 64 { errors["mrn"] = "Enter the medical record number (1 to 64 characters)." }
        let sex = form["sex"].flatMap(Sex.init(rawValue:))
        if sex == nil { errors["sex"] = "Choose the sex recorded at birth." }
        var birthDate: CalendarDate?
        if let text = form["birthDate"] {
            if let date = CalendarDate(text) {
                if date > today { errors["birthDate"] = "The birth date is in the future." }
                else if date.age(on: today) > 120 { errors["birthDate"] = "The birth date is more than 120 years ago." }
                else { birthDate = date }
            } else {
                errors["birthDate"] = "Enter the date as YYYY-MM-DD, for example 1988-04-23."
            }
        } else {
            errors["birthDate"] = "The birth date is required."
        }
        var diagnoses: [Diagnosis] = []
        if let code = form["diagnosis"] {
            if let coding = Self.diagnoses.first(where: { $0.code == code }) { diagnoses = [Diagnosis(code: coding)] }
            else { errors["diagnosis"] = "Choose a diagnosis from the list." }
        }
        for name in ["givenName", "familyName"] where (form[name]?.count ?? 0) > 100 {
            errors[name] = "At most 100 characters."
        }
        guard errors.isEmpty, let site, let sex, let birthDate else { return .failure(FormFailure(FormState(form: form, errors: errors))) }
        return .success(Participant(
            id: id, siteID: site, mrn: mrn, givenName: form["givenName"], familyName: form["familyName"], sex: sex,
            birthDate: birthDate, diagnoses: diagnoses))
    }
}

/// A form that failed validation, to be shown again.
struct FormFailure: Error {
    var state: FormState
    init(_ state: FormState) { self.state = state }
}

enum ParticipantListPage {
    static func view(context: AppRequestContext, query: String, participants: [Participant], siteNames: [Identifier<Site>: String],
                     summaries: [Identifier<Participant>: ParticipantListSummary] = [:], canCreate: Bool) -> Node {
        Layout.page(title: "Participants", context: context) {
            el("h1") { "Participants" }
            el("form", ["id": "participant-search", "method": "get", "action": WebPath.participants, "role": "search"]) {
                el("label", ["for": "q"]) { "Search by MRN or name" }
                el("input", ["id": "q", "name": "q", "type": "search", "value": query])
                el("button", ["type": "submit", "class": "secondary"]) { "Search" }
            }
            if canCreate {
                el("p", ["class": "actions"]) { el("a", ["id": "new-participant", "href": WebPath.newParticipant]) { "Register a new participant" } }
            }
            if participants.isEmpty {
                Layout.empty(query.isEmpty ? "No participants at your sites yet." : "No participant matches “\(query)”.")
            } else {
                el("table", ["id": "participant-list"]) {
                    el("thead") { el("tr") { el("th") { "Name" }; el("th") { "MRN" }; el("th") { "Sex" }; el("th") { "Born" }; el("th") { "Site" }
                        el("th") { "Program and status" }; el("th") { "Next visit" }; el("th", ["class": "num"]) { "Open alerts" } } }
                    el("tbody") {
                        participants.map { p in
                            el("tr") {
                                el("td") { el("a", ["class": "participant-link", "href": WebPath.participant(p.id)]) {
                                    [p.givenName, p.familyName].compactMap { $0 }.joined(separator: " ").isEmpty ? "(no name)" : [p.givenName, p.familyName].compactMap { $0 }.joined(separator: " ")
                                } }
                                el("td") { p.mrn }
                                el("td") { p.sex.rawValue }
                                el("td") { p.birthDate.description }
                                el("td") { siteNames[p.siteID] ?? p.siteID.rawValue }
                                programCells(summaries[p.id])
                            }
                        }
                    }
                }
            }
        }
    }
}

extension ParticipantListPage {
    /// Program and status, next visit and open alerts of one row (empty when the participant is in no program).
    static func programCells(_ summary: ParticipantListSummary?) -> Node {
        let programs = summary?.programs ?? []
        return .fragment([
            el("td", ["class": "programs"]) {
                programs.isEmpty ? Node.text("not enrolled")
                    : .fragment(programs.map { program in
                        let text = "\(program.name): \(StatusText.label(program.status))"
                        return el("div") { text }
                    })
            },
            el("td", ["class": "next-visit"]) {
                .fragment(programs.compactMap { program in
                    program.nextVisit.map { visit in
                        el("div") { el("span", ["class": "badge status-\(visit.state.rawValue)"]) { ParticipantListSummary.text(visit) } }
                    }
                })
            },
            el("td", ["class": "num open-alerts"]) {
                (summary?.openAlerts ?? 0) == 0 ? Node.text("0") : el("span", ["class": "badge alert-open"]) { "\(summary?.openAlerts ?? 0)" }
            },
        ])
    }
}

enum NewParticipantPage {
    /// `action` and `intro`: the same form registering a pre-screened candidate (PrescreenController).
    static func view(context: AppRequestContext, sites: [Site], state: FormState, ids: any IDGenerator,
                     action: String = WebPath.newParticipant, intro: String? = nil) -> Node {
        Layout.page(title: "New participant", context: context) {
            el("h1") { "Register a participant" }
            if let intro { el("p", ["class": "muted"]) { intro } }
            Forms.generalErrors(state)
            el("form", ["id": "participant-form", "method": "post", "action": action, "novalidate": ""]) {
                Forms.controls(context, state: state, ids: ids)
                Forms.select("siteID", label: "Site", options: sites.map { ($0.id.rawValue, $0.name) }, state: state, required: true,
                             blank: sites.count == 1 ? nil : "Choose…")
                Forms.input("mrn", label: "Medical record number (MRN)", state: state, required: true)
                Forms.input("givenName", label: "Given name", state: state)
                Forms.input("familyName", label: "Family name", state: state)
                Forms.select("sex", label: "Sex", options: Sex.allCases.map { ($0.rawValue, $0.rawValue) }, state: state, required: true, blank: "Choose…")
                Forms.input("birthDate", label: "Birth date", hint: "YYYY-MM-DD", state: state, required: true)
                Forms.select("diagnosis", label: "Main diagnosis (ICD-10-CM)",
                             options: NewParticipantForm.diagnoses.map { ($0.code, "\($0.code) — \($0.display ?? "")") }, state: state, blank: "None recorded yet")
                Forms.submit("Register")
            }
        }
    }
}
