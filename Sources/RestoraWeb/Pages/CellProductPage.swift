import Foundation
import RestoraDomain

/// What the page of one lot shows: the lot, its release criteria judged (the stored decision once decided,
/// otherwise what the specification says of the results so far), its chain of custody, and what this user
/// may do next.
struct CellProductPageModel: Sendable {
    var subject: CellProductSubject
    /// nil when the stored results cannot be judged (a value the specification refuses).
    var decision: ReleaseDecision?
    var harvest: Procedure?
    var canWrite: Bool
    var canDecide: Bool
    var canReadAudit: Bool
    /// Why the last action on this page was refused.
    var problems: [String] = []
    /// The custody-step form: fresh, or refused with what was typed.
    var custodyState: FormState? = nil
    /// The decision form refused with what was typed (a date in the future or before the lot's custody).
    var decisionState: FormState? = nil

    var product: CellProduct { subject.product.value }
    var isUndecided: Bool { CellTherapyEntry.undecided.contains(product.releaseStatus) }

    /// The one line above the criteria: the decision taken, or the one the results would give now.
    var summary: String {
        guard let decision else { return "The results entered cannot be judged; correct them." }
        return isUndecided ? "If decided now: \(decision.summary)." : "Decided: \(decision.summary)."
    }
}

enum CellProductPage {
    static func view(_ m: CellProductPageModel, context: AppRequestContext) -> Node {
        let product = m.product
        let title = "Lot \(product.lot)"
        return Layout.page(title: title, context: context) {
            el("p", ["class": "breadcrumb"]) {
                ParticipantText.crumb(m.subject.participant)
            }
            el("h1") { title }
            Forms.generalErrors(FormState(general: m.problems))
            el("dl", ["class": "facts"]) {
                el("dt") { "Release status" }; el("dd", ["id": "release-status", "class": statusClass(product.releaseStatus)]) { product.releaseStatus.rawValue }
                el("dt") { "Source tissue" }; el("dd") { product.sourceTissue }
                el("dt") { "Harvest" }
                el("dd") { m.harvest.map { "\(CalendarDate($0.performed))" + ($0.anatomicalSite.map { ", \($0)" } ?? "") } ?? "not linked" }
                el("dt") { "Cells" }; el("dd") { cells(product) }
                el("dt") { "Specification" }; el("dd") { m.subject.specificationSource }
            }
            actions(m)
            Layout.section("release", "Release testing") { release(m, context: context) }
            Layout.section("custody", "Chain of custody") {
                custody(product)
                if m.canWrite, !product.custody.contains(where: { $0.kind == .destroyed }) {
                    CustodyStepForm.view(m.subject, state: m.custodyState ?? CustodyStepForm.fresh(m.subject), context: context)
                }
            }
        }
    }

    static func cells(_ p: CellProduct) -> String {
        let parts = [p.totalCells.map { "\(NumberText.scientific($0)) total" }, p.viableCells.map { "\(NumberText.scientific($0)) viable" },
                     p.viabilityPercent.map { "viability \(NumberText.plain($0)) %" }].compactMap { $0 }
        return parts.isEmpty ? "not counted" : parts.joined(separator: ", ")
    }

    static func statusClass(_ status: CellProduct.ReleaseStatus) -> String {
        switch status {
        case .released, .administered: return "status-completed"
        case .rejected: return "status-overdue"
        case .inProcess, .quarantine: return "status-due"
        }
    }

    static func actions(_ m: CellProductPageModel) -> Node {
        let product = m.product
        return el("p", ["class": "actions"]) {
            if m.canWrite, m.isUndecided {
                el("a", ["id": "enter-release-tests", "href": WebPath.releaseTests(product.id)]) { "Enter release test results" }
            }
            if m.canWrite, product.releaseStatus == .released {
                el("a", ["id": "record-injection",
                         "href": WebPath.recordProcedure(product.participantID) + "?kind=injection&cellProductID=" + product.id.rawValue]) {
                    "Record the injection of this lot"
                }
            }
            if m.canReadAudit {
                el("a", ["class": "history-link", "href": WebPath.audit("cell-products", product.id.rawValue)]) { "Audit history" }
            }
        }
    }

    @NodeBuilder static func release(_ m: CellProductPageModel, context: AppRequestContext) -> [Node] {
        el("p", ["id": "release-summary"]) { m.summary }
        if let decision = m.decision {
            el("table", ["id": "release-criteria"]) {
                el("thead") { el("tr") { el("th") { "Criterion" }; el("th") { "Requirement" }; el("th") { "Result" }; el("th") { "Judged" } } }
                el("tbody") {
                    decision.criteria.map { criterion in
                        el("tr", ["class": "criterion-row"]) {
                            el("td") { criterion.criterion }
                            el("td") { criterion.requirement }
                            el("td") { criterion.observed ?? "not entered" }
                            el("td", ["class": judgedClass(criterion.status)]) { judged(criterion) }
                        }
                    }
                }
            }
        }
        if m.canDecide, m.isUndecided {
            if m.decision.map({ $0.outcome != .cannotDecide }) ?? false {
                el("form", ["id": "release-decision-form", "method": "post", "action": WebPath.releaseDecision(m.product.id)]) {
                    Forms.csrf(context)
                    el("input", ["type": "hidden", "name": "_version", "value": "\(m.subject.product.version)"])
                    el("p", ["class": "hint"]) { "Deciding stores the decision with the results it judged; it cannot be undone." }
                    // The day the decision was taken: today, or an earlier day when it is entered afterwards.
                    EntryPage.dateInput("decidedOn", label: "Decided on", state: m.decisionState ?? FormState(form: FormData(["decidedOn": CalendarDate(m.subject.now).description])))
                    Forms.submit("Decide release", id: "decide-release")
                }
            } else {
                el("p", ["class": "muted", "id": "decision-waits"]) { "The release can be decided once every result is entered." }
            }
        }
    }

    static func judged(_ c: ReleaseCriterionResult) -> String {
        switch c.status {
        case .pass: return "meets"
        case .fail: return "fails"
        case .missing: return "missing" + (c.note.map { ": \($0)" } ?? "")
        }
    }

    static func judgedClass(_ status: ReleaseCriterionResult.Status) -> String {
        switch status {
        case .pass: return "judged status-completed"
        case .fail: return "judged status-overdue"
        case .missing: return "judged status-due"
        }
    }

    /// The lot's custody steps in the order they were recorded (shared with the participant page).
    static func custody(_ product: CellProduct) -> Node {
        guard !product.custody.isEmpty else { return Layout.empty("No custody steps recorded.") }
        return el("table", ["class": "custody"]) {
            el("thead") { el("tr") { el("th") { "When" }; el("th") { "Step" }; el("th") { "By" }; el("th") { "Where" }; el("th") { "Note" } } }
            el("tbody") {
                product.custody.map { event in
                    el("tr") {
                        el("td") { CalendarDate(event.at).description }
                        el("td") { event.kind.rawValue }
                        el("td") { ActorText.describe(event.actor) }
                        el("td") { event.location ?? "" }
                        el("td") { event.note ?? "" }
                    }
                }
            }
        }
    }
}
