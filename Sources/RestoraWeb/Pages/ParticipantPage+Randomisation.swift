import Foundation
import RestoraDomain

/// The participant page's randomisation section (issue #16 item 1, docs/randomisation.md "In the system"): for each
/// enrolment on a randomised protocol, its allocation as this user may see it (blinded roles: the kit code, never
/// the arm), the Randomise form (factor levels as selects) while it is consented, and, on a blinded trial, the
/// investigator's emergency unblinding form. Nothing about the sequence (block, what comes next) is ever shown.
struct ParticipantRandomisation: Sendable {
    struct Item: Sendable {
        var enrolment: Versioned<Enrolment>
        var programName: String
        var programID: Identifier<Program>
        var scheme: RandomisationScheme
        var allocation: AllocationDisclosure?
    }

    var items: [Item] = []
    var role: UserRole?
    /// A refused Randomise or unblinding form: which enrolment, and what was typed and why.
    var refused: (enrolment: Identifier<Enrolment>, state: FormState)?

    static func load(_ views: [ParticipantPageModel.EnrolmentView], user: UserAccount, dependencies: WebDependencies) async throws -> Self {
        let door = RandomisationDoor(dependencies: dependencies)
        var items: [Item] = []
        for v in views {
            guard let scheme = v.definition?.randomisation else { continue }
            items.append(Item(enrolment: v.enrolment, programName: v.program.name, programID: v.program.id, scheme: scheme,
                              allocation: try await door.disclosure(of: v.enrolment.value, user: user)))
        }
        return ParticipantRandomisation(items: items, role: user.role)
    }
}

enum ParticipantRandomisationSection {
    static func section(_ m: ParticipantPageModel, context: AppRequestContext) -> Node {
        let r = m.randomisation
        guard !r.items.isEmpty else { return .fragment([]) }
        return Layout.section("randomisation", "Randomisation") {
            r.items.map { item in
                el("article", ["class": "randomisation", "id": "randomisation-\(item.enrolment.value.id.rawValue)"]) {
                    el("h3") { item.programName }
                    if let a = item.allocation {
                        allocation(a, item: item, role: r.role, context: context, refused: r.refused)
                    } else if m.canWrite && item.enrolment.value.status == .consented {
                        form(item, context: context, state: r.refused?.enrolment == item.enrolment.value.id ? r.refused?.state : nil)
                    } else {
                        Layout.empty(item.enrolment.value.status == .consented || m.canWrite
                            ? "Not randomised yet: randomisation is done once consent is recorded, by an investigator, coordinator or admin."
                            : "Not randomised yet.")
                    }
                    if !item.scheme.blinding.hides(armFrom: r.role ?? .auditor) {
                        el("p") { el("a", ["class": "randomisation-report-link", "href": PageRoute.randomisationReportPage.path(item.programID.rawValue)]) {
                            "Randomisation report (balance by arm, stratum and factor)"
                        } }
                    }
                }
            }
        }
    }

    static func allocation(_ a: AllocationDisclosure, item: ParticipantRandomisation.Item, role: UserRole?, context: AppRequestContext,
                           refused: (enrolment: Identifier<Enrolment>, state: FormState)?) -> Node {
        let arms = Dictionary(uniqueKeysWithValues: item.scheme.arms.map { ($0, $0) })
        return .fragment([
            el("dl", ["class": "facts allocation"]) {
                el("dt") { "Allocated" }
                el("dd", ["class": "allocated-arm"]) {
                    if let arm = a.armID { arms[arm] ?? arm } else { "Blinded" }
                }
                if let kit = a.kitCode { el("dt") { "Kit code" }; el("dd", ["class": "kit-code"]) { kit } }
                el("dt") { "Randomisation number" }; el("dd") { "\(a.randomisationNumber) in stratum \(a.stratum)" }
                if !a.factors.isEmpty {
                    el("dt") { "Factors" }
                    el("dd") { a.factors.keys.sorted().map { "\($0) = \(a.factors[$0] ?? "")" }.joined(separator: "; ") }
                }
                el("dt") { "When and by whom" }; el("dd") { "\(DeviationText.instant(a.allocatedAt)) by \(a.allocatedBy)" }
                el("dt") { "Method" }; el("dd") { "\(a.method) (protocol \(a.protocolID) v\(a.protocolVersion))" }
            },
            unblindings(a),
            role == .investigator && item.scheme.blinding.isBlinded
                ? unblindForm(item, context: context, state: refused?.enrolment == item.enrolment.value.id ? refused?.state : nil)
                : .fragment([]),
        ])
    }

    static func unblindings(_ a: AllocationDisclosure) -> Node {
        guard !a.unblindings.isEmpty else { return .fragment([]) }
        return el("ul", ["class": "unblindings"]) {
            a.unblindings.map { u in el("li", ["class": "unblinding"]) { "Emergency unblinding \(DeviationText.instant(u.at)) by \(u.by): \(u.reason)" } }
        }
    }

    /// The Randomise form: one select per protocol factor; the site stratum comes from the enrolment.
    static func form(_ item: ParticipantRandomisation.Item, context: AppRequestContext, state: FormState?) -> Node {
        let id = item.enrolment.value.id.rawValue
        let formState = state ?? FormState()
        return el("form", ["class": "randomise-form", "id": "randomise-\(id)", "method": "post",
                           "action": PageRoute.randomiseEnrolmentPage.path(id), "novalidate": "novalidate"]) {
            Forms.csrf(context)
            Forms.generalErrors(formState)
            el("input", ["type": "hidden", "name": "version", "value": "\(item.enrolment.version)"])
            el("p", ["class": "hint"]) {
                "Randomising enrols the participant and allocates the arm in one step; an allocation is final (a wrong one is recorded as a protocol deviation)."
            }
            item.scheme.factors.map { factor in
                Forms.select("factor.\(factor.id)", label: factor.label, options: factor.levels.map { ($0, $0) }, state: formState,
                             required: true, blank: "Choose…")
            }
            Forms.input("reason", label: "Note (optional)", state: formState)
            Forms.submit("Randomise", id: "randomise-\(id)-submit")
        }
    }

    static func unblindForm(_ item: ParticipantRandomisation.Item, context: AppRequestContext, state: FormState?) -> Node {
        let id = item.enrolment.value.id.rawValue
        let formState = state ?? FormState()
        return el("form", ["class": "unblind-form", "id": "unblind-\(id)", "method": "post",
                           "action": PageRoute.unblindEnrolmentPage.path(id), "novalidate": "novalidate"]) {
            Forms.csrf(context)
            Forms.generalErrors(formState)
            Forms.textarea("unblindReason", label: "Emergency unblinding: the clinical reason", state: formState, required: true,
                           hint: "Shows you the arm. Recorded in the audit trail, and the trial's unblinded contacts are notified.")
            Forms.submit("Unblind in an emergency", id: "unblind-\(id)-submit")
        }
    }
}
