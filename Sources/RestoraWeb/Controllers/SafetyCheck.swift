import Foundation
import RestoraDomain

/// Runs the safety rules of the protocols a participant is enrolled in on a new observation or adverse
/// event, and stores each fired rule as an open safety alert.
///
/// Alerts are stored right after the clinical record, not in its transaction (the repositories open one
/// transaction per call). Each alert's idempotency key is derived from the record, the enrolment and the
/// rule, and its `raisedAt` is the record's creation time, so a retried request (or a retry after a failure
/// between the two writes) completes the missing alerts and never duplicates one.
struct SafetyCheck {
    let dependencies: WebDependencies
    var repositories: Repositories { dependencies.repositories }

    /// An enrolment whose protocol's rules apply, with those rules.
    struct Scope: Sendable {
        var enrolmentID: Identifier<Enrolment>
        var protocolID: String
        var rules: [SafetyRule]
    }

    /// The open enrolments of the participant (or only `enrolmentID` when given) and their protocol rules.
    /// A program whose protocol is not in the catalog contributes no rules and is named in `unknown`.
    func scopes(
        participant: Identifier<Participant>, enrolmentID: Identifier<Enrolment>?
    ) async throws -> (scopes: [Scope], unknownProtocols: [String]) {
        let enrolments = try await repositories.enrolments.list(participant: participant).map(\.value)
        let chosen: [Enrolment]
        if let enrolmentID {
            guard let match = enrolments.first(where: { $0.id == enrolmentID }) else {
                throw DomainError.invalidValue(field: "enrolmentID", message: "the participant has no such enrolment")
            }
            chosen = [match]
        } else {
            chosen = enrolments.filter { !Self.closed.contains($0.status) }
        }
        var scopes: [Scope] = []
        var unknown: [String] = []
        for enrolment in chosen {
            let program = try await repositories.programs.get(enrolment.programID).value
            guard let definition = try? dependencies.catalog.definition(id: program.protocolID) else {
                unknown.append(program.protocolID)
                continue
            }
            scopes.append(Scope(enrolmentID: enrolment.id, protocolID: definition.id, rules: definition.safetyRules))
        }
        return (scopes, unknown)
    }

    static let closed: Set<EnrolmentStatus> = [.screenFailed, .completed, .withdrawn, .lostToFollowUp]

    /// A fired rule, tied to the enrolment whose protocol holds it.
    struct Firing: Sendable {
        var enrolmentID: Identifier<Enrolment>
        var firing: SafetyRuleFiring
    }

    /// Stores one open alert per firing (idempotently), returning the stored alerts.
    func store(
        _ firings: [Firing], participant: Identifier<Participant>, observation: Identifier<Observation>? = nil,
        adverseEvent: Identifier<AdverseEvent>? = nil, raisedAt: Date, context: AuditContext
    ) async throws -> [Versioned<SafetyAlertRecord>] {
        var stored: [Versioned<SafetyAlertRecord>] = []
        let source = observation.map { "observation:\($0.rawValue)" } ?? adverseEvent.map { "adverse-event:\($0.rawValue)" } ?? "none"
        for item in firings {
            let message = [item.firing.description, item.firing.reason].joined(separator: ": ")
            let alert = SafetyAlertRecord(
                id: Identifier(dependencies.ids.next()), participantID: participant, enrolmentID: item.enrolmentID,
                ruleID: item.firing.ruleID, action: item.firing.action, message: message, observationID: observation,
                adverseEventID: adverseEvent, raisedAt: raisedAt)
            let key = "alert:\(source):\(item.enrolmentID.rawValue):\(item.firing.ruleID)"
            stored.append(try await repositories.safetyAlerts.create(alert, context: context, idempotencyKey: key))
        }
        return stored
    }

    /// What the create answers carry about safety.
    struct Outcome: Sendable {
        var alerts: [Versioned<SafetyAlertRecord>] = []
        var notEvaluated: [String] = []
        var protocolsNotLoaded: [String] = []
    }

    /// Evaluates every applicable protocol's rules with `evaluate` (before anything is written, so an
    /// input the rules refuse writes nothing), returning the firings to store once the record exists.
    func evaluate(
        participant: Identifier<Participant>, enrolmentID: Identifier<Enrolment>?,
        _ evaluate: ([SafetyRule]) throws -> SafetyEvaluation
    ) async throws -> (firings: [Firing], outcome: Outcome) {
        let (scopes, unknown) = try await scopes(participant: participant, enrolmentID: enrolmentID)
        var firings: [Firing] = []
        var outcome = Outcome(protocolsNotLoaded: unknown)
        for scope in scopes {
            let evaluation = try evaluate(scope.rules)
            firings += evaluation.fired.map { Firing(enrolmentID: scope.enrolmentID, firing: $0) }
            outcome.notEvaluated += evaluation.notEvaluated.map { "\(scope.protocolID): \($0)" }
        }
        return (firings, outcome)
    }
}
