import Foundation
import HTTPTypes
import Hummingbird
import RestoraDomain

/// The public pre-screening (no account: anyone may check whether the isotretinoin program might fit) and the
/// clinic's list of people who chose to leave contact details (docs/prescreening.md).
///
/// Nothing is stored by the questionnaire itself: its result is computed and shown. Only the contact form,
/// with the consent box ticked, stores a candidate — once per form (`_nonce` is the idempotency key).
/// The public posts have no user, so they check the anti-forgery token directly (per-browser form cookie).
struct PrescreenController {
    let dependencies: WebDependencies
    let config: WebConfiguration

    static let contactPath = "/prescreen/contact"
    static let thanksPath = "/prescreen/thanks"
    static func statusPath(_ id: Identifier<PrescreenCandidate>) -> String { "/prescreened/\(id.rawValue)/status" }

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get(PageRoute.prescreen) { _, context in
            HTMLResponse.html(PrescreenPage.questionnaire(context: context, questionnaire: questionnaire, state: FormState()))
        }
        router.post(PageRoute.prescreen, use: evaluate)
        router.post(PageRoute.prescreenContact, use: saveContact)
        router.get(PageRoute.prescreenThanks) { _, context in HTMLResponse.html(PrescreenPage.thanks(context: context)) }
        router.get(PageRoute.prescreened, use: list)
        router.post(PageRoute.candidateStatus, use: changeStatus)
        router.get(PageRoute.registerCandidate, use: registrationForm)
        router.post(PageRoute.registerCandidate, use: registerCandidate)
    }

    /// The questionnaire of the isotretinoin protocol, with the limits read from the loaded protocol file
    /// when there is one.
    var questionnaire: PrescreenQuestionnaire {
        let id = PrescreenQuestionnaire.isotretinoinProtocolID
        if let definition = dependencies.catalog.protocols.first(where: { $0.id == id }) {
            return .isotretinoinNOA(limits: .init(protocol: definition))
        }
        return .isotretinoinNOA()
    }

    /// The programs that run the questionnaire's protocol: where a candidate's details can go.
    func programs() async throws -> [Program] {
        try await dependencies.repositories.programs.list().map(\.value)
            .filter { $0.protocolID == PrescreenQuestionnaire.isotretinoinProtocolID }
            .sorted { $0.id < $1.id }
    }

    // MARK: public

    @Sendable func evaluate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormData.read(request, limit: config.maxBodyBytes)
        guard WebCSRF.matches(form["_csrf"], context.csrfToken) else { throw WebFlow.forgedForm }
        let questionnaire = self.questionnaire
        switch questionnaire.evaluate(form: form.values) {
        case let .failure(problems):
            return HTMLResponse.html(
                PrescreenPage.questionnaire(context: context, questionnaire: questionnaire, state: FormState(form: form, errors: problems.errors)),
                status: .unprocessableContent)
        case let .success(result):
            // A fresh nonce for the contact form: the idempotency key of the candidate it may store.
            let contactForm = FormData(["_nonce": dependencies.ids.next()])
            return HTMLResponse.html(PrescreenPage.result(
                context: context, questionnaire: questionnaire, result: result, programs: try await programs(),
                contact: FormState(form: contactForm)))
        }
    }

    @Sendable func saveContact(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormData.read(request, limit: config.maxBodyBytes)
        guard WebCSRF.matches(form["_csrf"], context.csrfToken) else { throw WebFlow.forgedForm }
        let questionnaire = self.questionnaire
        // The answers ride along in hidden fields; the result is computed again, never taken from the form.
        let result: PrescreenResult
        switch questionnaire.evaluate(form: form.values) {
        case let .failure(problems):
            return HTMLResponse.html(
                PrescreenPage.questionnaire(context: context, questionnaire: questionnaire, state: FormState(form: form, errors: problems.errors)),
                status: .unprocessableContent)
        case let .success(evaluated): result = evaluated
        }
        let programs = try await programs()
        guard !programs.isEmpty else { throw APIError.notFound }
        func refused(_ errors: [String: String], general: [String] = []) -> Response {
            HTMLResponse.html(PrescreenPage.result(
                context: context, questionnaire: questionnaire, result: result, programs: programs,
                contact: FormState(form: form, errors: errors, general: general)),
                status: .unprocessableContent)
        }
        var errors: [String: String] = [:]
        let program = programs.count == 1 ? programs[0] : programs.first { $0.id.rawValue == form["programID"] }
        if program == nil { errors["programID"] = "Please choose the clinic you would like to hear from." }
        let contact: PrescreenContact?
        switch PrescreenContact.validate(name: form["name"], contact: form["contact"], consent: form["consent"] != nil) {
        case let .failure(problems):
            errors.merge(problems.errors) { first, _ in first }
            contact = nil
        case let .success(checked): contact = checked
        }
        guard errors.isEmpty, let program, let contact else { return refused(errors) }
        let candidate = PrescreenCandidate(
            id: Identifier(dependencies.ids.next()), programID: program.id, result: result, contact: contact,
            submittedAt: dependencies.clock.now(), consentText: PrescreenContact.consentText)
        do {
            _ = try await dependencies.repositories.prescreenCandidates.create(
                candidate, context: AuditContext(actor: .publicPrescreen, requestID: context.requestID), idempotencyKey: form["_nonce"])
        } catch RepositoryError.idempotencyKeyReused {
            return refused([:], general: [
                "These details were already sent once with different answers or contact details. To send new ones, start the questionnaire again.",
            ])
        }
        return HTMLResponse.redirect(Self.thanksPath)
    }

    // MARK: clinic

    /// The programs whose candidates the user may see: nil = all (admins).
    func visiblePrograms(_ user: UserAccount) async throws -> Set<Identifier<Program>>? {
        guard let sites = Access.visibleSites(user) else { return nil }
        return Set(try await dependencies.repositories.programs.list().map(\.value)
            .filter { !sites.isDisjoint(with: $0.siteIDs) }.map(\.id))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try PageAccess.user(request, context)
        let candidates = try await dependencies.repositories.prescreenCandidates.list(programs: try await visiblePrograms(user))
        let names = Dictionary(try await dependencies.repositories.programs.list().map { ($0.value.id, $0.value.name) }) { first, _ in first }
        return HTMLResponse.html(PrescreenPage.candidates(
            context: context, user: user, candidates: candidates, programNames: names, questionnaire: questionnaire, ids: dependencies.ids))
    }

    @Sendable func changeStatus(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        try Access.requireWriter(user)
        let id = Identifier<PrescreenCandidate>(try context.parameters.require("id"))
        let repository = dependencies.repositories.prescreenCandidates
        let candidate = try await repository.get(id)
        if let visible = try await visiblePrograms(user), !visible.contains(candidate.value.programID) {
            throw RepositoryError.notFound(kind: "pre-screened candidate", id: id.rawValue)
        }
        guard let status = form["status"].flatMap(PrescreenCandidate.Status.init(rawValue:)),
              let version = form["version"].flatMap(Int.init)
        else { throw APIError.badRequest(code: "invalid_status", message: "Choose one of the statuses offered.") }
        do {
            _ = try await repository.updateStatus(id, to: status, expectedVersion: version, context: context.audit(user))
        } catch RepositoryError.staleVersion {
            // Someone else changed it meanwhile: show the list as it is now rather than overwrite their change.
        }
        return HTMLResponse.redirect(WebPath.prescreened)
    }

    // MARK: registering a candidate (issue #14 item 8)

    /// The candidate, if the user's sites take part in its program (404 otherwise), and the user's sites of it.
    func candidate(_ context: AppRequestContext, user: UserAccount) async throws -> (Versioned<PrescreenCandidate>, [Site]) {
        let id = Identifier<PrescreenCandidate>(try context.parameters.require("id"))
        let candidate = try await dependencies.repositories.prescreenCandidates.get(id)
        if let visible = try await visiblePrograms(user), !visible.contains(candidate.value.programID) {
            throw RepositoryError.notFound(kind: "pre-screened candidate", id: id.rawValue)
        }
        let program = try await dependencies.repositories.programs.get(candidate.value.programID).value
        let sites = try await dependencies.repositories.sites.list().map(\.value)
            .filter { user.canSee(site: $0.id) && program.siteIDs.contains($0.id) }
        return (candidate, sites)
    }

    /// The registration form, prefilled from the candidate: the name split at the last space, the program's site
    /// when the user has one, and "male" for a program of men (the isotretinoin questionnaire's population).
    @Sendable func registrationForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try PageAccess.user(request, context)
        try Access.requireWriter(user)
        let (candidate, sites) = try await candidate(context, user: user)
        if let linked = candidate.value.participantID { return HTMLResponse.redirect(WebPath.participant(linked)) }
        var values: [String: String] = [:]
        let name = candidate.value.contactName
        if let space = name.lastIndex(of: " ") {
            values["givenName"] = String(name[..<space])
            values["familyName"] = String(name[name.index(after: space)...])
        } else {
            values["familyName"] = name
        }
        if sites.count == 1 { values["siteID"] = sites[0].id.rawValue }
        if candidate.value.protocolID == PrescreenQuestionnaire.isotretinoinProtocolID { values["sex"] = Sex.male.rawValue }
        return HTMLResponse.html(registrationPage(context: context, candidate: candidate.value, sites: sites, state: FormState(form: FormData(values))))
    }

    @Sendable func registerCandidate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        try Access.requireWriter(user)
        let (candidate, sites) = try await candidate(context, user: user)
        // The new-participant form's own checks (NewParticipantForm), limited to the program's sites.
        switch NewParticipantForm.validate(form, sites: Set(sites.map(\.id)), today: CalendarDate(dependencies.clock.now()),
                                           id: Identifier(dependencies.ids.next())) {
        case let .failure(failure):
            return HTMLResponse.html(registrationPage(context: context, candidate: candidate.value, sites: sites, state: failure.state),
                                     status: .unprocessableContent)
        case let .success(participant):
            do {
                let stored = try await PrescreenRegistration(repositories: dependencies.repositories).register(
                    participant, from: candidate.value.id, context: context.audit(user),
                    idempotencyKey: form["_nonce"].map { "web:participant:\($0)" })
                return HTMLResponse.redirect(WebPath.participant(stored.value.id))
            } catch RepositoryError.duplicate {
                let state = FormState(form: form, errors: ["mrn": "This MRN is already registered at this site."])
                return HTMLResponse.html(registrationPage(context: context, candidate: candidate.value, sites: sites, state: state),
                                         status: .unprocessableContent)
            } catch let error as DomainError {
                var state = FormState(form: form)
                FieldErrors.apply(error, to: &state, fields: [])
                return HTMLResponse.html(registrationPage(context: context, candidate: candidate.value, sites: sites, state: state),
                                         status: .unprocessableContent)
            }
        }
    }

    func registrationPage(context: AppRequestContext, candidate: PrescreenCandidate, sites: [Site], state: FormState) -> Node {
        NewParticipantPage.view(
            context: context, sites: sites, state: state, ids: dependencies.ids, action: WebPath.registerCandidate(candidate.id),
            intro: "Registering \(candidate.contactName), pre-screened on \(CalendarDate(candidate.submittedAt)) (\(candidate.verdict.shortLabel)). The candidate is linked to the new participant.")
    }
}
