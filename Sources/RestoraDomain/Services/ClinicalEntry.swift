import Foundation

/// Recording an observation or an adverse event the way every entry point must: the protocol safety rules
/// of the participant's open enrolments are evaluated first (so an input the rules refuse writes nothing),
/// then the record is stored (validated and audited by the repository) and every fired rule becomes an open
/// safety alert. The JSON API, the web forms and the demo clinic all go through here.
///
/// One action, one transaction (`Repositories.transaction`): the record, the alerts it raises and every audit
/// entry commit together or not at all; a semen analysis or DXA panel is one action with all its values.
/// Each alert's idempotency key is derived from the record, the enrolment and the rule, and its `raisedAt` is
/// the record's creation time, so a retried request stores nothing twice.
public struct ClinicalEntry: Sendable {
    public let repositories: Repositories
    /// The protocols whose safety rules apply.
    public let catalog: ProtocolCatalog
    public let ids: any IDGenerator

    public init(repositories: Repositories, catalog: ProtocolCatalog, ids: any IDGenerator) {
        self.repositories = repositories
        self.catalog = catalog
        self.ids = ids
    }

    /// What recording a record produced besides the record: alerts raised, rules that could not be evaluated
    /// (missing inputs), and programs whose protocol is not loaded (so their rules did not run).
    public struct SafetyOutcome: Sendable {
        public var alerts: [Versioned<SafetyAlertRecord>] = []
        public var notEvaluated: [String] = []
        public var protocolsNotLoaded: [String] = []
        public init() {}
    }

    /// Runs `body` with this entry bound to one transaction.
    func atomically<R: Sendable>(_ body: @escaping @Sendable (ClinicalEntry) async throws -> R) async throws -> R {
        let (catalog, ids) = (self.catalog, self.ids)
        return try await repositories.transaction { tx in try await body(ClinicalEntry(repositories: tx, catalog: catalog, ids: ids)) }
    }

    /// Stores an observation and the alerts its protocols' safety rules raise, in one transaction. `lab` is
    /// the grading context the caller already read for this observation (`labContext(for:)`, e.g. to interpret
    /// the value before storing it); nil reads it here. Either way it is read once.
    public func record(
        _ observation: Observation, context: AuditContext, idempotencyKey: String?, lab: LabGradingContext? = nil
    ) async throws -> (stored: Versioned<Observation>, safety: SafetyOutcome) {
        try await atomically { entry in
            try await entry.store(observation, context: context, idempotencyKey: idempotencyKey, lab: lab, reads: ActionReads(entry.repositories))
        }
    }

    /// Stores the values of one panel (a semen analysis, a DXA scan) and the alerts they raise as one
    /// transaction: a value refused midway leaves nothing of the panel. Each value has its own idempotency key.
    ///
    /// Every value is checked before any is written (the checks `record` runs, with the participant's enrolments,
    /// the programs and the visit read once for the panel), then the values are written together
    /// (`store(checked:)`: one site read, one lock check, one multi-row INSERT and one audit append for the panel,
    /// each row and audit entry as `create` makes it), then each value's alerts. The same answer as
    /// recording the values one after the other in one transaction, for the reason `recordBatch` gives (a check
    /// reads nothing an earlier value of the panel writes but the graded test's baseline, which `ActionReads`
    /// serves with the panel's earlier values); only the order of the audit entries differs: the values', then
    /// their alerts'. A refusal at the write (a locked casebook, a reused idempotency key) is thrown as itself.
    public func recordPanel(
        _ panel: [(observation: Observation, idempotencyKey: String?)], context: AuditContext
    ) async throws -> [(stored: Versioned<Observation>, safety: SafetyOutcome)] {
        guard !panel.isEmpty else { return [] }
        return try await atomically { entry in
            let reads = ActionReads(entry.repositories)
            var checked: [CheckedObservation] = []
            checked.reserveCapacity(panel.count)
            for item in panel {
                checked.append(try await entry.check(item.observation, lab: nil, reads: reads))
            }
            do {
                return try await entry.store(checked: zip(checked, panel).map { ($0, $1.idempotencyKey) }, context: context)
            } catch let failure as BatchItemError {
                throw failure.error
            }
        }
    }

    private func store(
        _ observation: Observation, context: AuditContext, idempotencyKey: String?, lab given: LabGradingContext?,
        reads: ActionReads
    ) async throws -> (stored: Versioned<Observation>, safety: SafetyOutcome) {
        let checked = try await check(observation, lab: given, reads: reads)
        let stored = try await repositories.observations.create(observation, context: context, idempotencyKey: idempotencyKey)
        return (stored, try await raiseAlerts(checked, for: stored, context: context))
    }

    /// An observation that passed every check before any write, with the rules it fires.
    struct CheckedObservation: Sendable {
        var observation: Observation
        var firings: [Firing]
        var outcome: SafetyOutcome
    }

    /// Every check of a new observation, before anything is written (`record`, `recordPanel` and
    /// `recordBatch` all run this): the CTCAE grading context, `extraCheck` (a door's own refusal, e.g. the FHIR
    /// and JSON API interpretation), the screening and plausibility checks, the visit and the protocol safety
    /// rules of the participant's open enrolments.
    func check(
        _ observation: Observation, lab given: LabGradingContext?, reads: ActionReads,
        extraCheck: ((Observation, LabGradingContext) throws -> Void)? = nil
    ) async throws -> CheckedObservation {
        let lab: LabGradingContext
        if let given { lab = given } else { lab = try await labContext(for: observation, reads: reads) }
        try extraCheck?(observation, lab)   // first, as the doors that pass it run it before `record`
        try ScreeningAssessments.check(observation)
        try EntryMeasures.checkPlausible(observation)   // one unit and range check for every door (issue #19)
        try await reads.visit(observation.visitID, of: observation.participantID, enrolment: observation.enrolmentID)
        let (firings, outcome) = try await evaluate(
            participant: observation.participantID, enrolmentID: observation.enrolmentID, reads: reads
        ) {
            $0.evaluate(observation, lab: lab)
        }
        reads.recorded(observation)
        return CheckedObservation(observation: observation, firings: firings, outcome: outcome)
    }

    /// Stores the open alerts the checked observation's rules fired, once it is stored.
    func raiseAlerts(
        _ checked: CheckedObservation, for stored: Versioned<Observation>, context: AuditContext
    ) async throws -> SafetyOutcome {
        var outcome = checked.outcome
        outcome.alerts = try await store(
            checked.firings, participant: checked.observation.participantID, source: "observation:\(stored.value.id.rawValue)",
            observation: stored.value.id, raisedAt: stored.createdAt, clinicalDate: checked.observation.effectiveDate, context: context)
        return outcome
    }

    /// Stores a correction of an observation (the reason is in `context`) and runs the safety rules on the
    /// corrected value: a rule it fires raises its alert unless this observation already raised one for
    /// that rule and enrolment. Alerts the value raised before the correction stay open for a person to
    /// review and acknowledge: a correction never silently closes a safety signal.
    public func correct(
        _ observation: Observation, expectedVersion: Int, context: AuditContext, lab: LabGradingContext? = nil
    ) async throws -> (stored: Versioned<Observation>, safety: SafetyOutcome) {
        try await atomically { try await $0.storeCorrection(observation, expectedVersion: expectedVersion, context: context, lab: lab) }
    }

    private func storeCorrection(
        _ observation: Observation, expectedVersion: Int, context: AuditContext, lab given: LabGradingContext?
    ) async throws -> (stored: Versioned<Observation>, safety: SafetyOutcome) {
        let checked = try await check(observation, lab: given, reads: ActionReads(repositories))
        var (firings, outcome) = (checked.firings, checked.outcome)
        let stored = try await repositories.observations.update(observation, expectedVersion: expectedVersion, context: context)
        let raised = Set(try await repositories.safetyAlerts.list(participant: observation.participantID).map(\.value)
            .filter { $0.observationID == observation.id }.map { "\($0.enrolmentID?.rawValue ?? ""):\($0.ruleID)" })
        firings.removeAll { raised.contains("\($0.enrolmentID.rawValue):\($0.firing.ruleID)") }
        outcome.alerts = try await store(
            firings, participant: observation.participantID, source: "observation:\(stored.value.id.rawValue):v\(stored.version)",
            observation: stored.value.id, raisedAt: stored.updatedAt, clinicalDate: observation.effectiveDate, context: context)
        return (stored, outcome)
    }

    /// Stores an adverse event and the alerts its protocols' safety rules raise, in one transaction. Internal:
    /// every door records adverse events through `AdverseEventEntry` (coding, expectedness, consistency check).
    func record(
        _ event: AdverseEvent, context: AuditContext, idempotencyKey: String?
    ) async throws -> (stored: Versioned<AdverseEvent>, safety: SafetyOutcome) {
        try await atomically { try await $0.store(event, context: context, idempotencyKey: idempotencyKey) }
    }

    private func store(
        _ event: AdverseEvent, context: AuditContext, idempotencyKey: String?
    ) async throws -> (stored: Versioned<AdverseEvent>, safety: SafetyOutcome) {
        var (firings, outcome) = try await evaluate(
            participant: event.participantID, enrolmentID: event.enrolmentID, reads: ActionReads(repositories)
        ) {
            try $0.evaluate(event)
        }
        let stored = try await repositories.adverseEvents.create(event, context: context, idempotencyKey: idempotencyKey)
        outcome.alerts = try await store(
            firings, participant: event.participantID, source: "adverse-event:\(stored.value.id.rawValue)",
            adverseEvent: stored.value.id, raisedAt: stored.createdAt, clinicalDate: event.onset, context: context)
        return (stored, outcome)
    }

    /// Stores a correction of an adverse event (the reason is in `context`); the enrolment it names must be
    /// the participant's own.
    func correct(_ event: AdverseEvent, expectedVersion: Int, context: AuditContext) async throws -> Versioned<AdverseEvent> {
        try await references.enrolment(event.enrolmentID, of: event.participantID)
        return try await repositories.adverseEvents.update(event, expectedVersion: expectedVersion, context: context)
    }

    /// Resolves the records an entry names (enrolment, visit) before anything is written.
    var references: RecordReferences { RecordReferences(repositories: repositories) }

    /// The ULN and baseline a CTCAE-graded laboratory value is graded with (`LabGradingContext.recorded`);
    /// the participant's earlier values are read only when a baseline can matter: a test graded in
    /// multiples of ULN after a normal or abnormal baseline, recorded with its ULN.
    public func labContext(for observation: Observation) async throws -> LabGradingContext {
        try await labContext(for: observation, reads: ActionReads(repositories))
    }

    /// `labContext(for:)` with the participant's values of the test read once per action (`ActionReads.labHistory`).
    func labContext(for observation: Observation, reads: ActionReads) async throws -> LabGradingContext {
        let relative: Set<CTCAETerm> = [.alanineAminotransferaseIncreased, .aspartateAminotransferaseIncreased,
                                        .bloodBilirubinIncreased, .gammaGlutamylTransferaseIncreased, .alkalinePhosphataseIncreased]
        guard observation.upperLimitOfNormal != nil, let term = CTCAELabCodes.term(for: observation.code), relative.contains(term) else {
            return LabGradingContext(upperLimitOfNormal: observation.upperLimitOfNormal)
        }
        return LabGradingContext.recorded(observation, history: try await reads.labHistory(of: observation.participantID, code: observation.code))
    }

    /// Enrolments that no longer take safety rules.
    public static let closedStatuses: Set<EnrolmentStatus> = [.screenFailed, .completed, .withdrawn, .lostToFollowUp]

    /// An enrolment whose protocol's rules apply, with those rules.
    struct Scope: Sendable {
        var enrolmentID: Identifier<Enrolment>
        var protocolID: String
        var rules: [SafetyRule]
    }

    /// The open enrolments of the participant (or only `enrolmentID` when given) and their protocol rules.
    /// A program whose protocol is not in the catalog contributes no rules and is named in `unknown`.
    func scopes(
        participant: Identifier<Participant>, enrolmentID: Identifier<Enrolment>?, reads: ActionReads
    ) async throws -> (scopes: [Scope], unknownProtocols: [String]) {
        let enrolments = try await reads.enrolments(of: participant)
        let chosen: [Enrolment]
        if let enrolmentID {
            guard let match = enrolments.first(where: { $0.id == enrolmentID }) else {
                throw RecordReferences.refusal("enrolmentID", kind: "enrolment")
            }
            chosen = [match]
        } else {
            chosen = enrolments.filter { !Self.closedStatuses.contains($0.status) }
        }
        var scopes: [Scope] = []
        var unknown: [String] = []
        for enrolment in chosen {
            let program = try await reads.program(enrolment.programID)
            // The rules of the protocol version the enrolment runs under (docs/amendments.md).
            guard let definition = try? catalog.definition(for: enrolment, program: program) else {
                unknown.append(program.protocolID)
                continue
            }
            scopes.append(Scope(enrolmentID: enrolment.id, protocolID: definition.id, rules: definition.safetyRules))
        }
        return (scopes, unknown)
    }

    /// A fired rule, tied to the enrolment whose protocol holds it.
    struct Firing: Sendable {
        var enrolmentID: Identifier<Enrolment>
        var firing: SafetyRuleFiring
    }

    /// Evaluates every applicable protocol's rules with `evaluate` before anything is written.
    func evaluate(
        participant: Identifier<Participant>, enrolmentID: Identifier<Enrolment>?, reads: ActionReads,
        _ evaluate: ([SafetyRule]) throws -> SafetyEvaluation
    ) async throws -> (firings: [Firing], outcome: SafetyOutcome) {
        let (scopes, unknown) = try await scopes(participant: participant, enrolmentID: enrolmentID, reads: reads)
        var firings: [Firing] = []
        var outcome = SafetyOutcome()
        outcome.protocolsNotLoaded = unknown
        for scope in scopes {
            let evaluation = try evaluate(scope.rules)
            firings += evaluation.fired.map { Firing(enrolmentID: scope.enrolmentID, firing: $0) }
            outcome.notEvaluated += evaluation.notEvaluated.map { "\(scope.protocolID): \($0)" }
        }
        return (firings, outcome)
    }

    /// Stores one open alert per firing (idempotently), returning the stored alerts.
    func store(
        _ firings: [Firing], participant: Identifier<Participant>, source: String,
        observation: Identifier<Observation>? = nil, adverseEvent: Identifier<AdverseEvent>? = nil,
        raisedAt: Date, clinicalDate: CalendarDate, context: AuditContext
    ) async throws -> [Versioned<SafetyAlertRecord>] {
        var stored: [Versioned<SafetyAlertRecord>] = []
        for item in firings {
            let message = [item.firing.description, item.firing.reason].joined(separator: ": ")
            let alert = SafetyAlertRecord(
                id: Identifier(ids.next()), participantID: participant, enrolmentID: item.enrolmentID,
                ruleID: item.firing.ruleID, action: item.firing.action, message: message, observationID: observation,
                adverseEventID: adverseEvent, raisedAt: raisedAt, clinicalDate: clinicalDate)
            let key = "alert:\(source):\(item.enrolmentID.rawValue):\(item.firing.ruleID)"
            let created = try await repositories.safetyAlerts.create(alert, context: context, idempotencyKey: key)
            // A hold or a stop acts on the treatment in this same transaction, once (docs/safety-actions.md).
            if created.value.id == alert.id { try await TreatmentHolds(repositories: repositories).apply(created.value, at: raisedAt, context: context) }
            // The site's investigators are told in this same transaction (docs/notifications.md).
            try await Notifications.enqueue(repositories, NotificationEvent(
                kind: .safetyAlert, participantID: participant, linkPath: Notifications.participantPath(participant),
                eventKey: "safety-alert:\(created.value.id.rawValue)"), now: raisedAt, ids: ids)
            stored.append(created)
        }
        return stored
    }
}
