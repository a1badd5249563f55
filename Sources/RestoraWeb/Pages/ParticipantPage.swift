import Foundation
import Hummingbird
import RestoraDomain
import RestoraReports

/// The participant page: who they are, where they stand in each program, and every recorded value with its
/// clinical reading, charts, treatment, cell-product custody, adverse events and safety alerts.
struct ParticipantPageController {
    let dependencies: WebDependencies

    func register(on pages: RouterGroup<AppRequestContext>) {
        pages.get(PageRoute.participant) { request, context in
            let user = try PageAccess.user(request, context)
            let model = try await ParticipantPageModel.load(
                Identifier(try context.parameters.require("id")), user: user, context: context, dependencies: dependencies)
            return HTMLResponse.html(ParticipantPage.view(model, context: context))
        }
    }
}

enum ParticipantPage {
    /// `transition`: a refused enrolment step, shown again in that enrolment's form.
    static func view(_ m: ParticipantPageModel, context: AppRequestContext,
                     transition: (Identifier<Enrolment>, FormState)? = nil) -> Node {
        let p = m.participant.value
        return Layout.page(title: ParticipantText.name(p), context: context) {
            el("h1") { ParticipantText.name(p) }
            if m.canWrite {
                el("p", ["class": "actions"]) {
                    el("a", ["id": "record-semen", "href": WebPath.recordSemen(p.id)]) { "Record semen analysis" }
                    el("a", ["id": "record-lab", "href": WebPath.recordLab(p.id)]) { "Record laboratory value" }
                    el("a", ["id": "record-dxa", "href": WebPath.recordDXA(p.id)]) { "Record DXA" }
                    el("a", ["id": "record-adverse-event", "href": WebPath.recordAdverseEvent(p.id)]) { "Record adverse event" }
                    el("a", ["id": "record-procedure", "href": WebPath.recordProcedure(p.id)]) { "Record procedure" }
                    el("a", ["id": "register-cell-product", "href": WebPath.registerCellProduct(p.id)]) { "Register cell product" }
                    el("a", ["id": "enrol-link", "href": PageRoute.enrol.path(p.id.rawValue)]) { "Enrol in a program" }
                }
            }
            Layout.section("demographics", "Demographics and diagnoses") { demographics(m) }
            ParticipantSafety.sections(m, context: context)  // alerts, holds, closed alerts: ParticipantPage+Safety.swift
            ParticipantQueriesSection.sections(m, context: context)  // data queries and SDV: ParticipantPage+Queries.swift
            Layout.section("enrolments", "Programs") { enrolments(m, context: context, transition: transition) }
            ParticipantRandomisationSection.section(m, context: context)  // randomise, allocation: ParticipantPage+Randomisation.swift
            ParticipantLockSection.section(m, context: context)  // casebook and visit locks: ParticipantPage+Lock.swift
            ParticipantSignatureSection.section(m)  // e-signatures: ParticipantPage+Signatures.swift (issue #16 item 3)
            ParticipantConsentSection.section(m, context: context)  // e-consent: ParticipantPage+Consent.swift (issue #16 item 2)
            Layout.section("eligibility", "Eligibility") { eligibility(m) }
            ScreeningInputsSection.section(m)
            deviations(m)
            Layout.section("visits", "Visit calendar") { visits(m) }
            ParticipantReadings.sections(m)
            Layout.section("charts", "Charts") {
                el("div", ["class": "grid-2"]) {
                    el("figure", ["class": "chart"]) { Node.trusted(ParticipantCharts.semen(m.record)) }
                    el("figure", ["class": "chart"]) { Node.trusted(ParticipantCharts.lipids(m.record)) }
                    el("figure", ["class": "chart"]) { Node.trusted(ParticipantCharts.boneDensity(m.record)) }
                }
            }
            Layout.section("observations", "Observations") { observations(m) }
            Layout.section("medication", "Medication courses") { medication(m); medicationLinks(m) }
            Layout.section("procedures", "Procedures") { procedures(m) }
            Layout.section("custody", "Cell products and chain of custody") { custody(m) }
            Layout.section("adverse-events", "Adverse events") { adverseEvents(m) }
        }
    }

    static func demographics(_ m: ParticipantPageModel) -> Node {
        let p = m.participant.value
        return el("dl", ["class": "facts"]) {
            el("dt") { "MRN" }; el("dd") { p.mrn }
            el("dt") { "Site" }; el("dd") { m.siteName }
            el("dt") { "Sex" }; el("dd") { p.sex.rawValue }
            el("dt") { "Born" }; el("dd") { "\(p.birthDate) (age \(p.age(on: m.today)))" }
            el("dt") { "Diagnoses" }
            el("dd") {
                p.diagnoses.isEmpty ? "none recorded" : p.diagnoses.map { "\($0.code.code) \($0.code.display ?? "")" }.joined(separator: "; ")
            }
            if m.canReadAudit {
                el("dt") { "History" }
                el("dd") { el("a", ["class": "history-link", "href": WebPath.audit("participants", p.id.rawValue)]) { "Audit history" } }
            }
        }
    }

    static func enrolments(_ m: ParticipantPageModel, context: AppRequestContext, transition: (Identifier<Enrolment>, FormState)? = nil) -> Node {
        guard !m.enrolments.isEmpty else { return Layout.empty("Not enrolled in any program.") }
        return .fragment(m.enrolments.map { view in
            EnrolmentPanel.view(view, canWrite: m.canWrite, today: m.today, context: context,
                                state: transition.flatMap { $0.0 == view.enrolment.value.id ? $0.1 : nil })
        })
    }

    static func eligibility(_ m: ParticipantPageModel) -> Node {
        let screened = m.enrolments.compactMap { view in view.latestScreening.map { (view.program, $0) } }
        guard !screened.isEmpty else { return Layout.empty("Not screened yet.") }
        return .fragment(screened.map { program, screening in
            el("div", ["class": "screening"]) {
                el("h3") { "\(program.name): \(screening.verdict.rawValue) on \(screening.screenedOn)" }
                el("table") {
                    el("thead") { el("tr") { el("th") { "Criterion" }; el("th") { "Result" }; el("th") { "Evidence" } } }
                    el("tbody") {
                        screening.report.criteria.map { c in
                            el("tr", ["class": "criterion criterion-\(c.outcome.rawValue)"]) {
                                el("td") { "\(c.role.rawValue): \(c.text)" }
                                el("td") { c.outcome.rawValue }
                                el("td") { ([c.summary] + c.evidence.map(\.description) + c.missing.map { "missing: \($0)" }).joined(separator: "; ") }
                            }
                        }
                    }
                }
            }
        })
    }

    static func visits(_ m: ParticipantPageModel) -> Node { VisitCalendar.section(m) }

    static func observations(_ m: ParticipantPageModel) -> Node {
        guard !m.observations.isEmpty else { return Layout.empty("No observations recorded.") }
        let history = m.record
        return el("table") {
            el("thead") { el("tr") { el("th") { "Date" }; el("th") { "Measure" }; el("th", ["class": "num"]) { "Value" }; el("th") { "Reading" }; el("th") { "" } } }
            el("tbody") {
                m.observations.map { stored in
                    let o = stored.value
                    let reading = ObservationReading.text(o, history: history)
                    return el("tr", ["class": "observation-row"]) {
                        el("td") { o.effectiveDate.description }
                        el("td") { ObservationReading.measureName(o.code) }
                        el("td", ["class": "num"]) {
                            ObservationReading.value(o.value) + (o.upperLimitOfNormal.map { " (ULN \(ObservationReading.format($0)))" } ?? "")
                        }
                        el("td", ["class": reading?.cssClass]) { reading?.text ?? "" }
                        el("td") {
                            if m.canWrite { el("a", ["class": "edit-link", "href": WebPath.editObservation(o.id)]) { "Edit" } }
                            " "
                            if m.canReadAudit { el("a", ["class": "history-link", "href": WebPath.audit("observations", o.id.rawValue)]) { "History" } }
                        }
                    }
                }
            }
        }
    }

    static func medication(_ m: ParticipantPageModel) -> Node {
        guard !m.medicationCourses.isEmpty else { return Layout.empty("No medication courses.") }
        return el("table") {
            el("thead") { el("tr") { el("th") { "Drug" }; el("th") { "Dose" }; el("th") { "From" }; el("th") { "To" }; el("th") { "Status" }; el("th", ["class": "num"]) { "Adherence" }; el("th", ["class": "num"]) { "Dispensings" } } }
            el("tbody") {
                m.medicationCourses.map { stored in
                    let c = stored.value
                    return el("tr") {
                        el("td") { c.drug.display ?? c.drug.code }
                        el("td") { "\(ObservationReading.format(c.dose.value)) \(c.dose.unit) × \(c.frequency.dosesPerPeriod)/\(c.frequency.period.rawValue), \(c.route)" }
                        el("td") { c.start.description }
                        el("td") { (c.stop ?? c.plannedStop)?.description ?? "" }
                        el("td") { c.status.rawValue }
                        el("td", ["class": "num"]) { c.adherence.map { "\(NumberText.plain(($0 * 100).rounded())) %" } ?? "not measurable yet" }
                        el("td", ["class": "num"]) { "\(c.dispensings.count)" }
                    }
                }
            }
        }
    }

    static func procedures(_ m: ParticipantPageModel) -> Node {
        guard !m.procedures.isEmpty else { return Layout.empty("No procedures.") }
        let lots = Dictionary(uniqueKeysWithValues: m.cellProducts.map { ($0.value.id, $0.value.lot) })
        return el("table", ["id": "procedure-table"]) {
            el("thead") { el("tr") { el("th") { "Date" }; el("th") { "Procedure" }; el("th") { "Site" }; el("th") { "Guidance" }; el("th", ["class": "num"]) { "Volume (mL)" }; el("th") { "Lot" }; el("th") { "" } } }
            el("tbody") {
                m.procedures.map { stored in
                    let procedure = stored.value
                    return el("tr", ["class": "procedure-row"]) {
                        el("td") { CalendarDate(procedure.performed).description }
                        el("td") { procedure.kind.rawValue + (procedure.sourceTissue.map { " (\($0))" } ?? "") }
                        el("td") { [procedure.anatomicalSite, procedure.laterality].compactMap { $0 }.joined(separator: ", ") }
                        el("td") { procedure.imagingGuidance?.rawValue ?? "" }
                        el("td", ["class": "num"]) { procedure.volumeML.map(ObservationReading.format) ?? "" }
                        el("td") {
                            if let id = procedure.cellProductID { el("a", ["href": WebPath.cellProduct(id)]) { lots[id] ?? id.rawValue } }
                        }
                        el("td") {
                            if m.canReadAudit { el("a", ["class": "history-link", "href": WebPath.audit("procedures", procedure.id.rawValue)]) { "History" } }
                        }
                    }
                }
            }
        }
    }

    static func custody(_ m: ParticipantPageModel) -> Node {
        guard !m.cellProducts.isEmpty else { return Layout.empty("No cell products.") }
        return .fragment(m.cellProducts.map { stored in
            let product = stored.value
            return el("div", ["class": "cell-product"]) {
                el("h3") { el("a", ["class": "lot-link", "href": WebPath.cellProduct(product.id)]) { "Lot \(product.lot)" }; ": \(product.releaseStatus.rawValue)" }
                if let decision = product.releaseDecision { el("p") { "Release decision: \(decision.summary)" } }
                CellProductPage.custody(product)
            }
        })
    }

    static func adverseEvents(_ m: ParticipantPageModel) -> Node {
        AdverseEventRows.table(m.adverseEvents, today: m.today, canReadAudit: m.canReadAudit)
    }
}
