import Foundation
import HTTPTypes
import Hummingbird
import RestoraDomain

/// The prescribing, dispensing and adherence pages (issue #14 item 5): prescribe a course (an investigator),
/// then on the course's page dispense supplies (≤ 30 days each, REFERENCE.md E2), count the units returned
/// (adherence shown with how it was computed), and hold, resume, stop or complete the course. Every write goes
/// through `MedicationEntry`, the path the JSON API and the demo seeder use.
struct MedicationPagesController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }
    var entry: EntryController { EntryController(dependencies: dependencies, config: config) }
    var medication: MedicationEntry { MedicationEntry(repositories: repositories, catalog: dependencies.catalog) }

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get(PageRoute.prescribe, use: showPrescribe)
        router.post(PageRoute.prescribe, use: savePrescribe)
        router.get(PageRoute.medicationCourse, use: showCourse)
        router.post(PageRoute.dispense, use: dispense)
        router.post(PageRoute.countReturn, use: countReturn)
        router.post(PageRoute.courseStatus, use: changeStatus)
    }

    // MARK: Prescribing

    func prescribeSubject(_ id: Identifier<Participant>, user: UserAccount) async throws -> PrescribeSubject {
        let subject = try await entry.subject(id, user: user)
        var regimens: [String: (intervention: Intervention, regimen: DrugRegimen)] = [:]
        for enrolment in try await repositories.enrolments.list(participant: id).map(\.value) {
            guard let program = try? await repositories.programs.get(enrolment.programID).value,
                  let definition = try? dependencies.catalog.definition(for: enrolment, program: program),
                  let found = RegimenLimits.intervention(in: definition, arm: enrolment.armID) else { continue }
            regimens[enrolment.id.rawValue] = found
        }
        return PrescribeSubject(entry: subject, regimens: regimens)
    }

    @Sendable func showPrescribe(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try PageAccess.user(request, context)
        try RoleRefusal.requireInvestigator(user.actor, rule: MedicationEntry.prescriberRule, doing: "prescribe a medication course")
        let subject = try await prescribeSubject(Identifier(try context.parameters.require("id")), user: user)
        let state = PrescribeFormModel.initialState(subject, enrolment: request.uri.queryParameters.get("enrolmentID").map { String($0) })
        return HTMLResponse.html(PrescribeFormModel.view(context: context, subject: subject, state: state, ids: entry.ids))
    }

    @Sendable func savePrescribe(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        try RoleRefusal.requireInvestigator(user.actor, rule: MedicationEntry.prescriberRule, doing: "prescribe a medication course")
        let subject = try await prescribeSubject(Identifier(try context.parameters.require("id")), user: user)
        func again(_ state: FormState, status: HTTPResponse.Status) -> Response {
            HTMLResponse.html(PrescribeFormModel.view(context: context, subject: subject, state: state, ids: entry.ids), status: status)
        }
        switch PrescribeFormModel.validate(form, subject: subject, ids: entry.ids) {
        case let .failure(refusal):
            return again(refusal.state, status: .unprocessableContent)
        case let .success(course):
            do {
                let stored = try await medication.startCourse(course, deviation: try DeviationFields.input(form), now: dependencies.clock.now(),
                                                              context: context.audit(user), idempotencyKey: FormNonce.key(form))
                return HTMLResponse.redirect(WebPath.medicationCourse(stored.value.id))
            } catch let error as DomainError {
                var state = FormState(form: form)
                FieldErrors.apply(error, to: &state, fields: Set(form.values.keys).subtracting(FormData.controlFields).union(["dosesPerPeriod", "dose"]),
                                  fieldMap: ["deviation.reason": DeviationFields.reason])
                return again(state, status: .unprocessableContent)
            } catch RepositoryError.idempotencyKeyReused {
                var state = FormState(form: form)
                state.general.append("This form was already saved with other values. Open a new form to prescribe another course.")
                return again(state, status: .conflict)
            }
        }
    }

    // MARK: The course page

    struct Forms: Sendable {
        var dispense: FormState?
        var returned: (index: Int, state: FormState)?
        var status: FormState?
        var problems: [String] = []
    }

    func coursePage(_ id: Identifier<MedicationCourse>, user: UserAccount, context: AppRequestContext, forms: Forms = Forms(),
                    status: HTTPResponse.Status = .ok) async throws -> Response {
        let course = try await repositories.medicationCourses.get(id)
        let participant = try await Access.participant(course.value.participantID, for: user, in: repositories)
        let model = CoursePageModel(
            course: course, participant: participant.value, today: CalendarDate(dependencies.clock.now()),
            canWrite: user.role.writesClinicalData, canPrescribe: user.role == .investigator, forms: forms)
        return HTMLResponse.html(CoursePage.view(model, context: context, ids: entry.ids), status: status)
    }

    @Sendable func showCourse(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try PageAccess.user(request, context)
        return try await coursePage(Identifier(try context.parameters.require("id")), user: user, context: context)
    }

    /// The course of a POST (404 unless the user may see its participant) and the form.
    func posted(_ request: Request, _ context: AppRequestContext) async throws -> (UserAccount, FormData, Versioned<MedicationCourse>) {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        try Access.requireWriter(user)
        let course = try await repositories.medicationCourses.get(Identifier(try context.parameters.require("id")))
        _ = try await Access.participant(course.value.participantID, for: user, in: repositories)
        return (user, form, course)
    }

    static let changedMeanwhile = "The course changed since you opened this page; it is shown as it is now. Enter your change again if it still applies."

    @Sendable func dispense(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (user, form, course) = try await posted(request, context)
        let id = course.value.id
        switch CourseForms.dispensing(form, today: CalendarDate(dependencies.clock.now())) {
        case let .failure(refusal):
            return try await coursePage(id, user: user, context: context, forms: Forms(dispense: refusal.state), status: .unprocessableContent)
        case let .success((dispensing, version)):
            do {
                _ = try await medication.dispense(dispensing, to: id, expectedVersion: version, context: context.audit(user))
            } catch RepositoryError.staleVersion {
                // A double submit: the same supply is already the course's last one.
                if try await repositories.medicationCourses.get(id).value.dispensings.last == dispensing {
                    return HTMLResponse.redirect(WebPath.medicationCourse(id))
                }
                return try await coursePage(id, user: user, context: context, forms: Forms(dispense: FormState(form: form, general: [Self.changedMeanwhile])),
                                            status: .conflict)
            } catch let error as DomainError {
                var state = FormState(form: form)
                FieldErrors.apply(error, to: &state, fields: ["date", "unitsDispensed", "daysCovered", "lot"])
                return try await coursePage(id, user: user, context: context, forms: Forms(dispense: state), status: .unprocessableContent)
            }
            return HTMLResponse.redirect(WebPath.medicationCourse(id) + "#dispensings")
        }
    }

    @Sendable func countReturn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (user, form, course) = try await posted(request, context)
        let id = course.value.id
        switch CourseForms.returned(form) {
        case let .failure(refusal):
            let index = form["dispensing"].flatMap(Int.init) ?? 0
            return try await coursePage(id, user: user, context: context, forms: Forms(returned: (index, refusal.state)), status: .unprocessableContent)
        case let .success(input):
            do {
                _ = try await medication.recordReturn(units: input.units, dispensing: input.index, of: id, expectedVersion: input.version,
                                                      context: context.audit(user))
            } catch RepositoryError.staleVersion {
                let current = try await repositories.medicationCourses.get(id).value
                if current.dispensings.indices.contains(input.index), current.dispensings[input.index].unitsReturned == input.units {
                    return HTMLResponse.redirect(WebPath.medicationCourse(id) + "#dispensings")
                }
                return try await coursePage(id, user: user, context: context,
                                            forms: Forms(returned: (input.index, FormState(form: form, general: [Self.changedMeanwhile]))), status: .conflict)
            } catch let error as DomainError {
                var state = FormState(form: form)
                FieldErrors.apply(error, to: &state, fields: ["unitsReturned"])
                return try await coursePage(id, user: user, context: context, forms: Forms(returned: (input.index, state)), status: .unprocessableContent)
            }
            return HTMLResponse.redirect(WebPath.medicationCourse(id) + "#dispensings")
        }
    }

    @Sendable func changeStatus(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (user, form, course) = try await posted(request, context)
        let id = course.value.id
        switch CourseForms.status(form, course: course.value, today: CalendarDate(dependencies.clock.now())) {
        case let .failure(refusal):
            return try await coursePage(id, user: user, context: context, forms: Forms(status: refusal.state), status: .unprocessableContent)
        case let .success(input):
            do {
                _ = try await medication.changeStatus(of: id, to: input.status, on: input.date, reason: input.reason,
                                                      expectedVersion: input.version, context: context.audit(user))
            } catch RepositoryError.staleVersion {
                if try await repositories.medicationCourses.get(id).value.status == input.status { return HTMLResponse.redirect(WebPath.medicationCourse(id)) }
                return try await coursePage(id, user: user, context: context, forms: Forms(status: FormState(form: form, general: [Self.changedMeanwhile])),
                                            status: .conflict)
            } catch let error as DomainError {
                var state = FormState(form: form)
                FieldErrors.apply(error, to: &state, fields: ["status", "reason"], fieldMap: ["date": "statusDate"])
                return try await coursePage(id, user: user, context: context, forms: Forms(status: state), status: .unprocessableContent)
            }
            return HTMLResponse.redirect(WebPath.medicationCourse(id))
        }
    }
}

struct CoursePageModel: Sendable {
    var course: Versioned<MedicationCourse>
    var participant: Participant
    var today: CalendarDate
    var canWrite: Bool
    var canPrescribe: Bool
    var forms: MedicationPagesController.Forms
}

/// One course: what was prescribed, its adherence and how it was computed, its supplies with their return
/// counts, and the forms that act on it.
enum CoursePage {
    static func view(_ m: CoursePageModel, context: AppRequestContext, ids: any IDGenerator) -> Node {
        let c = m.course.value
        let title = "\(c.drug.display ?? "RxNorm \(c.drug.code)") \(c.dose) \(c.route), \(c.frequency)"
        return Layout.page(title: title, context: context) {
            el("p", ["class": "breadcrumb"]) { ParticipantText.crumb(m.participant) }
            el("h1") { title }
            if !m.forms.problems.isEmpty {
                el("div", ["class": "form-errors", "role": "alert"]) { el("ul") { m.forms.problems.map { p in el("li") { p } } } }
            }
            el("dl", ["class": "summary"]) {
                el("dt") { "Status" }; el("dd") { el("span", ["class": "badge status-\(c.status.rawValue)"]) { c.status.rawValue } }
                el("dt") { "Start" }; el("dd") { c.start.description }
                el("dt") { "Planned stop" }; el("dd") { c.plannedStop?.description ?? "not set" }
                if let stop = c.stop { el("dt") { "Stopped" }; el("dd") { "\(stop)" + (c.stopReason.map { " — \($0)" } ?? "") } }
                el("dt") { "Adherence" }
                el("dd", ["id": "adherence"]) { adherence(c) }
            }
            holdNotice(m)  // CoursePage+Hold.swift (issue #15 item 4)
            Layout.section("dispensings", "Supplies dispensed") { dispensings(m, context: context, ids: ids) }
            // A held course keeps the form: the server refuses naming the hold and its alert.
            if m.canWrite, [.active, .planned, .held].contains(c.status) {
                Layout.section("dispense", "Dispense a supply") { dispenseForm(m, context: context, ids: ids) }
            }
            if m.canPrescribe, !(MedicationEntry.allowedChanges[c.status] ?? []).isEmpty {
                Layout.section("course-status", "Hold, resume, stop or complete") { statusForm(m, context: context, ids: ids) }
            }
        }
    }

    /// "90 % — 54 units taken (dispensed − returned) of 60 doses prescribed over 30 days covered (twice a day), 1 returned supply".
    static func adherence(_ c: MedicationCourse) -> String {
        guard let value = c.adherence, let basis = c.adherenceBasis else {
            return "Not measurable yet: no supply has had its returned units counted."
        }
        return "\(NumberText.plain((value * 100).rounded())) % — \(basis)"
    }

    static func dispensings(_ m: CoursePageModel, context: AppRequestContext, ids: any IDGenerator) -> Node {
        let c = m.course.value
        guard !c.dispensings.isEmpty else { return Layout.empty("Nothing dispensed yet.") }
        return el("table") {
            el("thead") { el("tr") {
                el("th") { "#" }; el("th") { "Date" }; el("th", ["class": "num"]) { "Units" }; el("th", ["class": "num"]) { "Days" }
                el("th") { "Lot" }; el("th") { "Returned" }
            } }
            el("tbody") {
                c.dispensings.enumerated().map { index, d in
                    el("tr") {
                        el("td") { "\(index + 1)" }
                        el("td") { d.date.description }
                        el("td", ["class": "num"]) { "\(d.unitsDispensed)" }
                        el("td", ["class": "num"]) { "\(d.daysCovered)" }
                        el("td") { d.lot ?? "" }
                        el("td") {
                            if let returned = d.unitsReturned {
                                "\(returned) units"
                            } else if m.canWrite {
                                returnForm(m, index: index, context: context, ids: ids)
                            } else {
                                "not counted yet"
                            }
                        }
                    }
                }
            }
        }
    }

    static func returnForm(_ m: CoursePageModel, index: Int, context: AppRequestContext, ids: any IDGenerator) -> Node {
        let state = m.forms.returned.flatMap { $0.index == index ? $0.state : nil } ?? FormState()
        return Node.element("form", ["id": "return-form-\(index + 1)", "method": "post", "action": WebPath.countReturn(m.course.value.id),
                                     "class": "inline-form"], flags: ["novalidate": true]) {
            RestoraWeb.Forms.controls(context, state: state, ids: ids)
            el("input", ["type": "hidden", "name": "_version", "value": "\(m.course.version)"])
            el("input", ["type": "hidden", "name": "dispensing", "value": "\(index)"])
            RestoraWeb.Forms.generalErrors(state)
            RestoraWeb.Forms.decimalInput("unitsReturned", label: "Units returned", state: state, required: true, inputMode: "numeric")
            RestoraWeb.Forms.submit("Record count", id: "return-\(index + 1)")
        }
    }

    static func dispenseForm(_ m: CoursePageModel, context: AppRequestContext, ids: any IDGenerator) -> Node {
        let state = m.forms.dispense ?? FormState(form: FormData(["date": m.today.description, "daysCovered": "30"]))
        return Node.element("form", ["id": "dispense-form", "method": "post", "action": WebPath.dispense(m.course.value.id), "class": "entry-form"],
                            flags: ["novalidate": true]) {
            RestoraWeb.Forms.controls(context, state: state, ids: ids)
            el("input", ["type": "hidden", "name": "_version", "value": "\(m.course.version)"])
            RestoraWeb.Forms.generalErrors(state)
            EntryPage.dateInput("date", label: "Dispensed on", state: state)
            RestoraWeb.Forms.decimalInput("unitsDispensed", label: "Units dispensed", state: state, required: true, inputMode: "numeric")
            RestoraWeb.Forms.decimalInput("daysCovered", label: "Days covered", unit: "at most 30 (REFERENCE.md E2, iPLEDGE)", state: state,
                                          required: true, inputMode: "numeric")
            RestoraWeb.Forms.input("lot", label: "Lot", state: state)
            RestoraWeb.Forms.submit("Dispense", id: "dispense")
        }
    }

    static func statusForm(_ m: CoursePageModel, context: AppRequestContext, ids: any IDGenerator) -> Node {
        let c = m.course.value
        let state = m.forms.status ?? FormState(form: FormData(["statusDate": m.today.description]))
        let labels: [MedicationCourse.Status: String] = [.active: "Resume (active)", .held: "Hold", .stopped: "Stop early", .completed: "Complete"]
        let options = MedicationCourse.Status.allCases.filter { MedicationEntry.allowedChanges[c.status]?.contains($0) == true }
            .map { ($0.rawValue, labels[$0] ?? $0.rawValue) }
        return Node.element("form", ["id": "status-form", "method": "post", "action": WebPath.courseStatus(c.id), "class": "entry-form"],
                            flags: ["novalidate": true]) {
            RestoraWeb.Forms.controls(context, state: state, ids: ids)
            el("input", ["type": "hidden", "name": "_version", "value": "\(m.course.version)"])
            RestoraWeb.Forms.generalErrors(state)
            RestoraWeb.Forms.select("status", label: "Change", options: options, state: state, required: true, blank: "Choose")
            EntryPage.dateInput("statusDate", label: "On", state: state)
            RestoraWeb.Forms.textarea("reason", label: "Reason", state: state, required: true,
                                      hint: "e.g. triglycerides above 500 mg/dL: drug held (REFERENCE.md E2)")
            RestoraWeb.Forms.submit("Save", id: "change-status")
        }
    }
}

extension ParticipantPage {
    /// Under the participant's medication courses: a link to each course's page and to prescribing.
    static func medicationLinks(_ m: ParticipantPageModel) -> Node {
        el("ul", ["class": "course-links"]) {
            m.medicationCourses.map { stored in
                el("li") {
                    el("a", ["href": WebPath.medicationCourse(stored.value.id)]) {
                        "\(stored.value.drug.display ?? stored.value.drug.code) from \(stored.value.start): dispense, count returns, hold or stop"
                    }
                }
            }
            if m.canWrite {
                el("li") { el("a", ["href": WebPath.prescribe(m.participant.value.id), "class": "action"]) { "Prescribe a course (investigator)" } }
            }
        }
    }
}
