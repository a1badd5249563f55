import Foundation
import Hummingbird
import RestoraDomain

/// The screening-inputs pages (issue #14 item 1) and their section on the participant page: every input the
/// programs' eligibility criteria read that the semen, laboratory and DXA forms do not — screening
/// assessments, concomitant medications, reviewed sections, menopausal status, a diagnosis or history item.
/// Each form writes through the same services as the JSON API (`ClinicalEntry`, `ScreeningInputsEntry`).
struct ScreeningInputsPagesController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var entry: EntryController { EntryController(dependencies: dependencies, config: config) }
    var inputs: ScreeningInputsEntry { ScreeningInputsEntry(repositories: dependencies.repositories, ids: dependencies.ids) }

    func register(on pages: RouterGroup<AppRequestContext>) {
        pages.get(PageRoute.recordAssessments) { request, context in
            try await entry.showForm(request, context, render: AssessmentFormModel.view, dateFields: AssessmentFormModel.dateFields)
        }
        pages.post(PageRoute.recordAssessments) { request, context in
            try await entry.save(request, context, render: AssessmentFormModel.view, validate: AssessmentFormModel.validate) { observations, user, form in
                // Keyed by the form's nonce, the code and the side (two testicular volumes share a code).
                _ = try await dependencies.clinicalEntry.recordPanel(observations.map {
                    ($0, FormNonce.key(form, suffix: $0.code.code + ($0.bodySite.map { "-" + $0 } ?? "")))
                }, context: context.audit(user))
            }
        }
        pages.get(PageRoute.recordConcomitantMedication) { request, context in
            try await entry.showForm(request, context, render: ConcomitantMedicationFormModel.view, dateFields: [])
        }
        pages.post(PageRoute.recordConcomitantMedication) { request, context in
            try await entry.save(request, context, render: ConcomitantMedicationFormModel.view,
                                 validate: ConcomitantMedicationFormModel.validate) { medication, user, form in
                let participant = Identifier<Participant>(try context.parameters.require("id"))
                _ = try await inputs.recordMedication(medication, for: participant, today: CalendarDate(dependencies.clock.now()),
                                                      context: context.audit(user), idempotencyKey: FormNonce.key(form))
            }
        }
        pages.get(PageRoute.participantFacts) { request, context in
            try await entry.showForm(request, context, render: ParticipantFactsFormModel.view, dateFields: [])
        }
        pages.post(PageRoute.participantFacts) { request, context in
            try await entry.save(request, context, render: ParticipantFactsFormModel.view, validate: ParticipantFactsFormModel.validate) { changes, user, _ in
                let participant = Identifier<Participant>(try context.parameters.require("id"))
                _ = try await inputs.amend(participant, changes, expectedVersion: nil, today: CalendarDate(dependencies.clock.now()),
                                           context: context.audit(user))
            }
        }
        pages.get(PageRoute.stopConcomitantMedication) { request, context in
            let medication = Identifier<ConcomitantMedicationRecord>(try context.parameters.require("medication"))
            return try await entry.showForm(request, context, render: StopMedicationFormModel.render(medication), dateFields: ["stop"])
        }
        pages.post(PageRoute.stopConcomitantMedication) { request, context in
            let medication = Identifier<ConcomitantMedicationRecord>(try context.parameters.require("medication"))
            return try await entry.save(request, context, render: StopMedicationFormModel.render(medication),
                                        validate: StopMedicationFormModel.validate) { stop, user, form in
                let participant = Identifier<Participant>(try context.parameters.require("id"))
                _ = try await inputs.stopMedication(medication, of: participant, on: stop, expectedVersion: nil,
                                                    context: context.audit(user, reason: form["reason"]))
            }
        }
        pages.get(PageRoute.reviewedSections, use: showReviews)
        pages.post(PageRoute.reviewedSections, use: saveReviews)
    }

    /// The form with the sections reviewed now already ticked.
    @Sendable func showReviews(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try PageAccess.user(request, context)
        try Access.requireWriter(user)
        let subject = try await entry.subject(Identifier(try context.parameters.require("id")), user: user)
        let reviewed = try await dependencies.repositories.sectionReviews.list(participant: subject.participant.id).map(\.value.section)
        var values: [String: String] = [:]
        for section in reviewed { values[ReviewedSectionsFormModel.field(section)] = "yes" }
        return HTMLResponse.html(ReviewedSectionsFormModel.view(context: context, subject: subject, state: FormState(form: FormData(values)),
                                                                ids: dependencies.ids))
    }

    @Sendable func saveReviews(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await entry.save(request, context, render: ReviewedSectionsFormModel.view, validate: ReviewedSectionsFormModel.validate) { sections, user, form in
            let participant = Identifier<Participant>(try context.parameters.require("id"))
            _ = try await inputs.setReviewedSections(sections, for: participant, at: dependencies.clock.now(),
                                                     context: context.audit(user, reason: form["reason"]))
        }
    }
}

/// Recording that a concomitant medication was stopped (`form#stop-medication-form`): the date (not in the
/// future) and an optional reason; the service refuses a stop before the start, next to the date.
enum StopMedicationFormModel {
    static func validate(_ form: FormData, subject: EntrySubject, ids: any IDGenerator) -> Result<CalendarDate, FormRefusal> {
        var reader = FieldReader(form)
        let stop = reader.date("stop", today: subject.today)
        _ = reader.text("reason", required: false, maxLength: 500)
        let state = FormState(form: form, errors: reader.errors)
        guard state.isValid, let stop else { return .failure(FormRefusal(state: state)) }
        return .success(stop)
    }

    static func render(_ medication: Identifier<ConcomitantMedicationRecord>) -> EntryController.Render {
        { context, subject, state, ids in
            EntryPage.view(title: "Record that a medication was stopped", context: context, subject: subject, state: state,
                           formID: "stop-medication-form", action: WebPath.stopConcomitantMedication(subject.participant.id, medication), ids: ids) {
                EntryPage.dateInput("stop", label: "Stopped on", state: state)
                Forms.input("reason", label: "Reason", hint: "Optional, e.g. course finished", state: state)
            }
        }
    }
}

/// The sections reviewed in full (`form#reviewed-sections-form`): ticked = reviewed; unticking withdraws.
enum ReviewedSectionsFormModel {
    static let formID = "reviewed-sections-form"
    static let labels: [ParticipantRecord.Section: String] = [
        .diagnoses: "Diagnoses", .history: "History (psychiatric, substance use, other trials, surgery, fractures)",
        .medications: "Concomitant medications", .procedures: "Prior procedures",
    ]

    static func field(_ section: ParticipantRecord.Section) -> String { "section-\(section.rawValue)" }

    static func validate(_ form: FormData, subject: EntrySubject, ids: any IDGenerator) -> Result<Set<ParticipantRecord.Section>, FormRefusal> {
        let reader = FieldReader(form)
        return .success(Set(ParticipantRecord.Section.allCases.filter { reader.checkbox(field($0)) }))
    }

    static func view(context: AppRequestContext, subject: EntrySubject, state: FormState, ids: any IDGenerator) -> Node {
        EntryPage.view(title: "Sections reviewed in full", context: context, subject: subject, state: state, formID: formID,
                       action: WebPath.reviewedSections(subject.participant.id), ids: ids,
                       intro: "Tick a section once every item of it is recorded: from then on, screening reads the absence of an item there (no tetracycline, no prior surgery) as evidence. An unticked section leaves such criteria incomplete.") {
            ParticipantRecord.Section.allCases.map { section in
                EntryPage.checkbox(field(section), label: labels[section] ?? section.rawValue, state: state)
            }
            Forms.input("reason", label: "Reason", hint: "Needed only when unticking a section reviewed before", state: state)
        }
    }
}

/// The participant page's "Screening inputs" section.
enum ScreeningInputsSection {
    static func section(_ m: ParticipantPageModel) -> Node {
        Layout.section("screening-inputs", "Screening inputs") { body(m) }
    }

    @NodeBuilder static func body(_ m: ParticipantPageModel) -> [Node] {
        let p = m.participant.value
        let reviews = m.sectionReviews.map(\.value).sorted { $0.section.order < $1.section.order }
        el("p", ["class": "menopausal-status"]) {
            "Menopausal status: " + (p.postmenopausal.map { $0 ? "postmenopausal" : "not postmenopausal" } ?? "not recorded")
        }
        el("p", ["class": "reviewed-sections"]) {
            "Reviewed in full: "
            + (reviews.isEmpty ? "no section yet (criteria that need the absence of an item stay incomplete)"
                : reviews.map { "\($0.section.rawValue) (\($0.reviewedBy.userID), \(CalendarDate($0.reviewedAt)))" }.joined(separator: "; "))
        }
        if m.concomitantMedications.isEmpty {
            Layout.empty("No concomitant medication recorded.")
        } else {
            el("table", ["class": "concomitant-medications"]) {
                el("thead") { el("tr") { ["Drug", "RxNorm", "Class", "Dose", "Taken", "Adjunct", ""].map { h in el("th") { h } } } }
                el("tbody") {
                    m.concomitantMedications.map { stored in
                        let c = stored.value.medication
                        return el("tr") {
                            el("td") { c.drug.display ?? c.drug.code }
                            el("td") { c.drug.code }
                            el("td") { c.drugClass ?? "—" }
                            el("td") { c.dose ?? "—" }
                            el("td") { "\(c.start.map(\.description) ?? "?") – \(c.stop.map(\.description) ?? "ongoing")" }
                            el("td") { c.adjunct ? "yes" : "no" }
                            el("td") {
                                if m.canWrite && c.stop == nil {
                                    el("a", ["class": "stop-medication", "href": WebPath.stopConcomitantMedication(p.id, stored.value.id)]) { "Record the stop" }
                                }
                            }
                        }
                    }
                }
            }
        }
        if m.canWrite {
            let id = p.id
            el("p", ["class": "actions screening-input-links"]) {
                el("a", ["id": "record-assessments", "href": WebPath.recordAssessments(id)]) { "Record screening assessments (PHQ-9, alcohol, testes, karyotype)" }
                " · "
                el("a", ["id": "record-concomitant-medication", "href": WebPath.recordConcomitantMedication(id)]) { "Record a concomitant medication" }
                " · "
                el("a", ["id": "review-sections", "href": WebPath.reviewedSections(id)]) { "Sections reviewed in full" }
                " · "
                el("a", ["id": "participant-facts", "href": WebPath.participantFacts(id)]) { "Menopausal status, diagnosis or history" }
            }
        }
    }
}
