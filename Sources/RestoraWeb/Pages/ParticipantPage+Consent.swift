import Foundation
import RestoraDomain

/// What the participant page knows about consent (issue #16 item 2, docs/consent.md): per enrolment, the program's
/// documents, the consents signed and the withdrawals, judged into a `ConsentState`.
struct ParticipantConsents: Sendable {
    struct PerEnrolment: Sendable {
        var documents: [ConsentDocument] = []
        var consents: [ConsentRecord] = []
        var withdrawals: [ConsentWithdrawal] = []
        var state: ConsentState { ConsentState.judge(documents: documents, consents: consents, withdrawals: withdrawals) }
        var current: ConsentDocument? { documents.max { $0.documentVersion < $1.documentVersion } }
    }

    var byEnrolment: [Identifier<Enrolment>: PerEnrolment] = [:]

    static func load(_ id: Identifier<Participant>, repositories: Repositories) async throws -> ParticipantConsents {
        let consents = try await repositories.consents.consents(participant: id).map(\.value)
        let withdrawals = try await repositories.consents.withdrawals(participant: id).map(\.value)
        var result = ParticipantConsents()
        var documents: [Identifier<Program>: [ConsentDocument]] = [:]
        for enrolment in try await repositories.enrolments.list(participant: id).map(\.value) {
            if documents[enrolment.programID] == nil {
                documents[enrolment.programID] = try await repositories.consents.documents(program: enrolment.programID).map(\.value)
            }
            result.byEnrolment[enrolment.id] = PerEnrolment(
                documents: documents[enrolment.programID] ?? [], consents: consents.filter { $0.enrolmentID == enrolment.id },
                withdrawals: withdrawals.filter { $0.enrolmentID == enrolment.id })
        }
        return result
    }
}

/// The "Consent" section of the participant page: per program the consent state, the consents signed (version,
/// signer, time, method, witness, who recorded it), the withdrawals, and for site staff the forms to record a
/// consent on the current version and to withdraw consent (with the consequences of each scope spelled out).
enum ParticipantConsentSection {
    static func section(_ m: ParticipantPageModel, context: AppRequestContext) -> Node {
        Layout.section("consent", "Consent") {
            if m.enrolments.isEmpty { Layout.empty("Not enrolled in a program.") }
            m.enrolments.map { view in enrolment(view, m.consent.byEnrolment[view.enrolment.value.id] ?? .init(), canWrite: m.canWrite, context: context) }
        }
    }

    static func enrolment(_ view: ParticipantPageModel.EnrolmentView, _ c: ParticipantConsents.PerEnrolment, canWrite: Bool, context: AppRequestContext) -> Node {
        let e = view.enrolment.value
        let state = c.state
        let warn: Bool = switch state { case .missing, .reconsentNeeded, .withdrawn: true; default: false }
        return el("div", ["class": "consent-enrolment", "id": "consent-\(e.id.rawValue)"]) {
            el("h3") { view.program.name }
            el("p", ["class": warn ? "consent-state form-errors" : "consent-state", "data-state": state.code]) {
                state.text + " · "
                el("a", ["href": PageRoute.consentDocumentsPage.path(view.program.id.rawValue)]) { "consent documents" }
            }
            if !c.consents.isEmpty {
                el("table", ["class": "consents"]) {
                    el("thead") {
                        el("tr") {
                            el("th") { "Version" }; el("th") { "Signed by" }; el("th") { "Signed" }; el("th") { "Method" }
                            el("th") { "Witness" }; el("th") { "Recorded by" }
                        }
                    }
                    el("tbody") {
                        c.consents.map { r in
                            el("tr", ["class": "consent-record", "id": "consent-record-\(r.id.rawValue)"]) {
                                el("td") { "v\(r.documentVersion)" }
                                el("td") { r.signerName }
                                el("td") { DeviationText.instant(r.signedAt) }
                                el("td") { r.method.label }
                                el("td") { r.witnessName ?? "" }
                                el("td") { "\(ActorText.describe(r.recordedBy)), \(DeviationText.instant(r.recordedAt))" }
                            }
                        }
                    }
                }
            }
            c.withdrawals.map { w in
                el("p", ["class": "consent-withdrawal form-errors", "id": "consent-withdrawal-\(w.id.rawValue)"]) {
                    "Consent withdrawn \(DeviationText.instant(w.withdrawnAt)): \(w.scope.label)"
                        + (w.reason.map { " — \($0)" } ?? "") + " (recorded by \(ActorText.describe(w.recordedBy)))"
                }
            }
            if canWrite { forms(view, c, context: context) }
        }
    }

    static func forms(_ view: ParticipantPageModel.EnrolmentView, _ c: ParticipantConsents.PerEnrolment, context: AppRequestContext) -> Node {
        let e = view.enrolment.value
        let slug = e.id.rawValue
        var nodes: [Node] = []
        let signable: Bool = switch c.state { case .missing, .reconsentNeeded: true; default: false }
        if let current = c.current, signable, !e.status.isTerminal {
            nodes.append(el("form", ["class": "consent-form", "id": "consent-form-\(slug)", "method": "post", "action": PageRoute.recordConsentPage.path(slug)]) {
                Forms.csrf(context)
                el("input", ["type": "hidden", "name": "_nonce", "value": UUID().uuidString])
                el("input", ["type": "hidden", "name": "documentVersion", "value": String(current.documentVersion)])
                el("p") { "Record the participant's signed consent on version \(current.documentVersion) (\(current.title))." }
                field("signerName-\(slug)", name: "signerName", label: "Signed by (name as written)", required: true)
                field("signedAt-\(slug)", name: "signedAt", label: "Signed at (UTC; empty = now)", type: "datetime-local", required: false)
                el("div", ["class": "field"]) {
                    el("label", ["for": "method-\(slug)"]) { "Method" }
                    el("select", ["id": "method-\(slug)", "name": "method"]) {
                        ConsentRecord.Method.allCases.map { method in el("option", ["value": method.rawValue]) { method.label } }
                    }
                }
                field("witnessName-\(slug)", name: "witnessName", label: current.witnessRequired ? "Witness (required for this version)" : "Witness (optional)",
                      required: current.witnessRequired)
                el("button", ["type": "submit", "class": "primary", "id": "record-consent-\(slug)"]) { "Record consent" }
            })
        }
        let active: Set<EnrolmentStatus> = [.consented, .enrolled, .onTreatment, .followUp]
        if c.withdrawals.allSatisfy({ $0.scope != .dataUse }), active.contains(e.status) || (e.status.isTerminal && !c.consents.isEmpty) {
            nodes.append(el("details", ["class": "consent-withdraw"]) {
                el("summary") { "Withdraw consent" }
                el("form", ["id": "withdraw-form-\(slug)", "method": "post", "action": PageRoute.withdrawConsentPage.path(slug)]) {
                    Forms.csrf(context)
                    el("input", ["type": "hidden", "name": "version", "value": String(view.enrolment.version)])
                    el("div", ["class": "field"]) {
                        el("label", ["for": "scope-\(slug)"]) { "What the participant withdraws" }
                        el("select", ["id": "scope-\(slug)", "name": "scope"]) {
                            ConsentWithdrawal.Scope.allCases.map { scope in el("option", ["value": scope.rawValue]) { scope.label } }
                        }
                    }
                    el("p", ["class": "hint"]) {
                        "Treatment: the study treatment stops, follow-up visits continue. Follow-up: the participant leaves the study; "
                            + "data collected so far are kept. Use of data: as follow-up, and the participant is left out of research exports from now on."
                    }
                    field("withdrawnAt-\(slug)", name: "withdrawnAt", label: "Withdrawn at (UTC; empty = now)", type: "datetime-local", required: false)
                    field("reason-\(slug)", name: "reason", label: "Reason, if the participant gave one", required: false)
                    el("button", ["type": "submit", "class": "secondary", "id": "withdraw-consent-\(slug)"]) { "Record withdrawal" }
                }
            })
        }
        return .fragment(nodes)
    }

    static func field(_ id: String, name: String, label: String, type: String = "text", required: Bool) -> Node {
        el("div", ["class": "field"]) {
            el("label", ["for": id]) { label }
            Node.element("input", ["id": id, "name": name, "type": type], flags: ["required": required])
        }
    }
}
