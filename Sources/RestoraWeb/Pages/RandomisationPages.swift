import Foundation
import Hummingbird
import RestoraDomain

/// The web doors of randomisation (issue #16 item 1): the participant page's Randomise and emergency unblinding
/// forms post here (same `RandomisationDoor` as the API), and the program's randomisation report page.
struct RandomisationPagesController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var door: RandomisationDoor { RandomisationDoor(dependencies: dependencies) }

    func register(on pages: RouterGroup<AppRequestContext>) {
        pages.post(PageRoute.randomiseEnrolmentPage, use: randomise)
        pages.post(PageRoute.unblindEnrolmentPage, use: unblind)
        pages.get(PageRoute.randomisationReportPage) { request, context in
            let user = try PageAccess.user(request, context)
            let report = try await door.report(try context.parameters.require("id"), user: user)
            return HTMLResponse.html(RandomisationReportPage.view(report, context: context))
        }
    }

    @Sendable func randomise(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        let id = try context.parameters.require("id")
        let current = try await door.enrolment(id, user: user)
        var factors: [String: String] = [:]
        for (name, value) in form.values where name.hasPrefix("factor.") && !value.isEmpty { factors[String(name.dropFirst(7))] = value }
        let version = Int(form["version"] ?? "") ?? current.version
        let reason = form["reason"].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        do {
            _ = try await door.randomise(id, factors: factors, expectedVersion: version, reason: reason ?? "randomised (recorded in the web app)",
                                         deviation: nil, user: user, context: context)
        } catch RepositoryError.staleVersion {
            let state = FormState(form: form, general: ["This enrolment changed since the page was opened; its current state is shown. Randomise again if it still applies."])
            return try await refused(state, enrolment: current.value, user: user, context: context, status: .conflict)
        } catch let error as DomainError {
            var state = FormState(form: form)
            if case let .invalidValue(field, message) = error, field.hasPrefix("factors.") {
                state.errors["factor." + field.dropFirst(8)] = message
            } else {
                FieldErrors.apply(error, to: &state, fields: ["reason"])
            }
            return try await refused(state, enrolment: current.value, user: user, context: context)
        } catch let error as RepositoryError {
            return try await refused(FormState(form: form, general: [error.description]), enrolment: current.value, user: user,
                                     context: context, status: .conflict)
        }
        return HTMLResponse.redirect(WebPath.participant(current.value.participantID) + "#randomisation")
    }

    @Sendable func unblind(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        let id = try context.parameters.require("id")
        let current = try await door.enrolment(id, user: user)
        do {
            _ = try await door.unblind(id, reason: form["unblindReason"], user: user, context: context)
        } catch let error as DomainError {
            var state = FormState(form: form)
            FieldErrors.apply(error, to: &state, fields: ["reason"], fieldMap: ["reason": "unblindReason"])
            return try await refused(state, enrolment: current.value, user: user, context: context)
        }
        return HTMLResponse.redirect(WebPath.participant(current.value.participantID) + "#randomisation")
    }

    /// The participant page again, the refused form showing what was typed and why (nothing was saved).
    func refused(_ state: FormState, enrolment: Enrolment, user: UserAccount, context: AppRequestContext,
                 status: HTTPResponse.Status = .unprocessableContent) async throws -> Response {
        var model = try await ParticipantPageModel.load(enrolment.participantID, user: user, context: context, dependencies: dependencies)
        model.randomisation.refused = (enrolment.id, state)
        return HTMLResponse.html(ParticipantPage.view(model, context: context), status: status)
    }
}

/// The randomisation report page: counts by arm overall, by stratum and by factor level, each with its imbalance
/// (max − min of the ratio-adjusted arm counts; `BalanceReport`). Unblinded roles only (`RandomisationDoor.report`).
enum RandomisationReportPage {
    static func view(_ r: RandomisationReport, context: AppRequestContext) -> Node {
        let b = r.balance
        return Layout.page(title: "Randomisation: \(r.programName)", context: context) {
            el("h1") { "Randomisation: \(r.programName)" }
            el("p") {
                "Protocol \(r.protocolID) v\(r.protocolVersion), \(r.method), ratio \(b.ratio.map(String.init).joined(separator: ":"))"
                r.blinded ? ", blinded" : ", open label"
                r.allSites ? ". All sites." : ". Only your sites are counted."
            }
            el("p", ["class": "hint"]) {
                "Imbalance is the largest minus the smallest arm count after dividing each by its ratio weight (0 = balanced exactly to the ratio). "
                "The allocation sequence itself is concealed and not shown here."
            }
            el("h2") { "Overall" }
            table([b.overall], arms: b.arms, first: "Trial", id: "balance-overall")
            el("h2") { "By stratum" }
            b.strata.isEmpty ? Layout.empty("No allocations yet.") : table(b.strata, arms: b.arms, first: "Stratum", id: "balance-strata")
            el("h2") { "By factor level" }
            b.factorLevels.isEmpty ? Layout.empty("No allocations yet.")
                : table(b.factorLevels, arms: b.arms, first: "Factor = level", id: "balance-factors", showFactor: true)
            el("p") { "Total factor imbalance: \(format(b.totalFactorImbalance)); largest stratum imbalance: \(format(b.maximumStratumImbalance))." }
        }
    }

    static func table(_ groups: [BalanceReport.Group], arms: [String], first: String, id: String, showFactor: Bool = false) -> Node {
        el("table", ["id": id, "class": "balance"]) {
            el("thead") {
                el("tr") {
                    el("th", ["scope": "col"]) { first }
                    arms.map { arm in el("th", ["scope": "col"]) { arm } }
                    el("th", ["scope": "col"]) { "Total" }
                    el("th", ["scope": "col"]) { "Imbalance" }
                }
            }
            el("tbody") {
                groups.map { g in
                    el("tr") {
                        el("th", ["scope": "row"]) { showFactor ? "\(g.factor ?? "") = \(g.key)" : g.key }
                        arms.map { arm in el("td") { "\(g.counts[arm] ?? 0)" } }
                        el("td") { "\(g.total)" }
                        el("td") { format(g.imbalance) }
                    }
                }
            }
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }
}
