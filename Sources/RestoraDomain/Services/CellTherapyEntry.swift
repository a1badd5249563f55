import Foundation

/// The one path that records the steps of an autologous cell therapy (REFERENCE.md D1, D2) — used by the
/// JSON API and the web forms alike, so both apply the same rules:
/// - a cell product goes back only into the participant it came from;
/// - only a released lot may be injected, and a lot is given once: recording the injection marks the lot
///   administered and appends the `administered` custody step in the same request;
/// - release tests are judged against the program protocol's release specification (ISCT 2006 defaults when
///   it has none), and only an undecided lot (in process or in quarantine) is decided.
public struct CellTherapyEntry: Sendable {
    public let repositories: Repositories
    public let catalog: ProtocolCatalog

    public init(repositories: Repositories, catalog: ProtocolCatalog) {
        self.repositories = repositories
        self.catalog = catalog
    }

    public static let undecided: Set<CellProduct.ReleaseStatus> = [.inProcess, .quarantine]

    // MARK: Procedures

    /// Stores a procedure. An injection of a lot marks the lot administered, in the same transaction. A
    /// resubmitted form (same idempotency key and content) returns the procedure stored the first time and
    /// changes nothing else.
    ///
    /// A harvest, a processing or an injection is a step of the program's intervention (issue #14): it names its
    /// enrolment, the enrolment is in a treatment state, and the procedure keeps to the protocol's
    /// `ProcedureStep` (`InterventionLimits`). A procedure outside is refused naming the rule — unless an
    /// investigator sends a `deviation`: then it is stored with one signed `ProtocolDeviation` (at `now`) per
    /// rule broken, in the same transaction.
    public func recordProcedure(
        _ procedure: Procedure, deviation: DeviationInput? = nil, now: Date = Date(), context: AuditContext, idempotencyKey: String?
    ) async throws -> Versioned<Procedure> {
        if let volume = procedure.volumeML, !(volume > 0 && volume <= 1_000) {
            throw DomainError.invalidValue(field: "volumeML", message: "the volume must be more than 0 and at most 1000 mL")
        }
        let catalog = self.catalog
        return try await repositories.transaction { tx in
            let entry = CellTherapyEntry(repositories: tx, catalog: catalog)
            // A hold or a stop of a safety rule blocks further injections (docs/safety-actions.md).
            try await TreatmentHolds(repositories: tx).checkInjectable(procedure)
            let judgement = try await entry.judge(procedure)
            let signed = try judgement?.permit(deviation, context: context)
            let stored = try await entry.storeProcedure(procedure, context: context, idempotencyKey: idempotencyKey)
            // A resubmitted form answers with the procedure stored the first time: its deviations are stored already.
            if let judgement, let signed, let enrolment = procedure.enrolmentID, stored.value.id == procedure.id {
                try await judgement.record(signed, participant: procedure.participantID, enrolment: enrolment, recordKind: "procedures",
                                           recordID: stored.value.id.rawValue, at: now, repositories: tx, context: context)
            }
            return stored
        }
    }

    /// The enrolment states in which the program's treatment steps happen (REFERENCE.md D1: harvest, then
    /// injection about 30 days later, then follow-up).
    public static let treatmentStates: [EnrolmentStatus] = [.enrolled, .onTreatment, .followUp]

    /// What the protocol says of the procedure: nil for a procedure no intervention covers (sperm retrieval,
    /// biopsy, other), else the violations found (possibly none).
    func judge(_ procedure: Procedure) async throws -> TreatmentJudgement? {
        guard let step = InterventionLimits.step(for: procedure.kind) else { return nil }
        // The records named are resolved first: a lot that is not this participant's, or (for an injection)
        // not released, is refused as such before the protocol is asked. An administered lot is left to
        // `storeProcedure`, which tells a resubmitted injection from a second one.
        if let product = try await references.cellProduct(procedure.cellProductID, of: procedure.participantID),
           procedure.kind == .injection, product.value.releaseStatus != .administered {
            try Self.checkInjectable(product.value, on: procedure.performed)
        }
        guard let enrolment = try await references.enrolment(procedure.enrolmentID, of: procedure.participantID) else {
            throw DomainError.invalidValue(
                field: "enrolmentID",
                message: "a \(procedure.kind.rawValue) is a step of a program's intervention: name the enrolment it belongs to, so the protocol can judge it")
        }
        let program = try await repositories.programs.get(enrolment.programID).value
        let definition = try catalog.definition(for: enrolment, program: program)  // the enrolment's version (docs/amendments.md)
        var violations: [ProtocolViolation] = []
        if !Self.treatmentStates.contains(enrolment.status) {
            violations.append(ProtocolViolation(
                rule: "protocol \(definition.id): treatment steps while enrolled, on-treatment or follow-up", field: "enrolmentID",
                message: "the participant's enrolment is \(enrolment.status.rawValue): a \(procedure.kind.rawValue) is done once enrolled",
                category: .procedure))
        }
        if let (intervention, limits) = InterventionLimits.intervention(step, in: definition, arm: enrolment.armID) {
            violations += InterventionLimits.violations(procedure, intervention: intervention, step: limits)
        } else {
            violations.append(ProtocolViolation(
                rule: "protocol \(definition.id): interventions", field: "kind",
                message: "the protocol \(definition.id) has no \(step.rawValue) step for this enrolment", category: .procedure))
        }
        return TreatmentJudgement(violations: violations, protocolID: definition.id, protocolVersion: definition.version)
    }

    private func storeProcedure(_ procedure: Procedure, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<Procedure> {
        try await references.enrolment(procedure.enrolmentID, of: procedure.participantID)
        // The autologous rule: a lot of another participant is refused exactly like an unknown one.
        guard let productID = procedure.cellProductID,
              let product = try await references.cellProduct(productID, of: procedure.participantID) else {
            return try await repositories.procedures.create(procedure, context: context, idempotencyKey: idempotencyKey)
        }
        guard procedure.kind == .injection else {
            return try await repositories.procedures.create(procedure, context: context, idempotencyKey: idempotencyKey)
        }
        if product.value.releaseStatus == .administered,
           let earlier = try await injection(of: productID, participant: procedure.participantID),
           Self.sameInjection(earlier.value, procedure) {
            return earlier
        }
        try Self.checkInjectable(product.value, on: procedure.performed)
        let stored = try await repositories.procedures.create(procedure, context: context, idempotencyKey: idempotencyKey)
        var administered = product.value
        administered.releaseStatus = .administered
        // Custody stays in time order: an injection entered by date only is placed no earlier than the
        // lot's last step of that same day (`checkInjectable` refuses an earlier day).
        administered.custody.append(CustodyEvent(
            kind: .administered, at: max(procedure.performed, product.value.custody.last?.at ?? procedure.performed), actor: context.actor, location: procedure.anatomicalSite,
            note: "injection \(stored.value.id.rawValue)"))
        var reasoned = context
        reasoned.reason = "administered by injection \(stored.value.id.rawValue)"
        _ = try await repositories.cellProducts.update(administered, expectedVersion: product.version, context: reasoned)
        return stored
    }

    /// Registers a lot: the enrolment and the harvest it names must be this participant's, and the harvest
    /// must be a tissue harvest.
    public func registerProduct(_ product: CellProduct, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<CellProduct> {
        try await references.enrolment(product.enrolmentID, of: product.participantID)
        if let harvest = try await references.procedure(product.harvestProcedureID, of: product.participantID, field: "harvestProcedureID"),
           harvest.value.kind != .tissueHarvest {
            throw DomainError.invalidValue(field: "harvestProcedureID", message: "harvestProcedureID names a \(harvest.value.kind.rawValue) procedure, not a tissue harvest")
        }
        return try await repositories.cellProducts.create(product, context: context, idempotencyKey: idempotencyKey)
    }

    var references: RecordReferences { RecordReferences(repositories: repositories) }

    /// Why a lot may not be injected on `date`, as a refusal of the `cellProductID` field.
    public static func checkInjectable(_ product: CellProduct, on date: Date) throws {
        switch product.releaseStatus {
        case .released:
            break
        case .inProcess, .quarantine:
            throw DomainError.invalidValue(
                field: "cellProductID",
                message: "lot \(product.lot) is not released (\(product.releaseStatus.rawValue)): enter its release tests and have an investigator decide the release first")
        case .rejected:
            throw DomainError.invalidValue(field: "cellProductID", message: "lot \(product.lot) was rejected at release and must not be administered")
        case .administered:
            throw DomainError.invalidValue(field: "cellProductID", message: "lot \(product.lot) was already administered; an autologous lot is given once")
        }
        if product.custody.contains(where: { $0.kind == .destroyed }) {
            throw DomainError.invalidValue(field: "cellProductID", message: "lot \(product.lot) was destroyed and must not be administered")
        }
        if let last = product.custody.last, CalendarDate(date) < CalendarDate(last.at) {
            throw DomainError.invalidValue(
                field: "performed",
                message: "the injection date is before the lot's last custody step (\(last.kind.rawValue) on \(CalendarDate(last.at)))")
        }
    }

    private func injection(of product: Identifier<CellProduct>, participant: Identifier<Participant>) async throws -> Versioned<Procedure>? {
        try await repositories.procedures.list(participant: participant)
            .first { $0.value.kind == .injection && $0.value.cellProductID == product }
    }

    /// The same injection entered again (a double submit): same lot, day, site and volume.
    static func sameInjection(_ a: Procedure, _ b: Procedure) -> Bool {
        a.cellProductID == b.cellProductID && CalendarDate(a.performed) == CalendarDate(b.performed)
            && a.anatomicalSite == b.anatomicalSite && a.volumeML == b.volumeML
    }

    // MARK: Release testing

    /// Stores a lot's release-test results (a lot in process moves to quarantine while it waits for its
    /// decision). Only an undecided lot takes results; changing results already entered needs a reason.
    /// Moving into quarantine is a custody step (`quarantined`, by the user, at the lot's last step — when
    /// processing ended — else at its harvest, else at `instant`), written with the results in the same update (issue #19: every state change of a lot is
    /// a custody step with who and when).
    public func recordReleaseTests(
        _ tests: ReleaseTestResults, product id: Identifier<CellProduct>, expectedVersion: Int, at instant: Date = Date(),
        context: AuditContext
    ) async throws -> Versioned<CellProduct> {
        let current = try await repositories.cellProducts.get(id)
        var product = current.value
        // A stale form or request is answered as stale first: its author has not seen the current results.
        guard current.version == expectedVersion else {
            throw RepositoryError.staleVersion(kind: "cell product", id: id.rawValue, expected: expectedVersion)
        }
        guard Self.undecided.contains(product.releaseStatus) else {
            throw DomainError.illegalTransition(from: product.releaseStatus.rawValue, to: "quarantine",
                                                message: "the release of lot \(product.lot) is already decided (\(product.releaseStatus.rawValue)); its tests can no longer change")
        }
        let (specification, source) = try await specification(for: product)
        _ = try specification.evaluate(tests, specificationSource: source)   // value checks (percentages, units)
        // The same results entered again (a resubmitted form) change nothing and write no audit entry.
        if product.releaseTests == tests, product.releaseStatus == .quarantine { return current }
        var audit = context
        if product.releaseTests != ReleaseTestResults(), product.releaseTests != tests {
            guard context.trimmedReason != nil else {
                throw DomainError.invalidValue(field: "reason", message: "say why release results already entered are changed")
            }
        } else if audit.trimmedReason == nil {
            audit.reason = "release test results entered"
        }
        product.releaseTests = tests
        if product.releaseStatus == .inProcess {
            product.releaseStatus = .quarantine
            // A lot is in quarantine from the end of its last step (processing) until its decision, so the step is
            // dated there — or at its harvest when no step is recorded: results and a decision entered afterwards
            // keep their own days. Who entered the results, and when, are in the step and in the audit entry.
            var since = product.custody.last?.at
            if since == nil, let harvest = product.harvestProcedureID {
                since = try await repositories.procedures.get(harvest).value.performed
            }
            product.custody.append(CustodyEvent(
                kind: .quarantined, at: min(since ?? instant, instant), actor: context.actor,
                note: "release test results entered on \(CalendarDate(instant)); awaiting the release decision"))
        }
        return try await repositories.cellProducts.update(product, expectedVersion: expectedVersion, context: audit)
    }

    /// What the specification says of the lot's results now, without storing anything.
    public func preview(_ product: CellProduct) async throws -> ReleaseDecision {
        let (specification, source) = try await specification(for: product)
        return try product.evaluateRelease(specification: specification, specificationSource: source)
    }

    /// Decides the release of an undecided lot: the decision, the tests it judged, the new status (released or
    /// rejected) and the matching custody step (`released` or `rejected`, at `instant` or, to keep custody in
    /// time order, no earlier than the lot's last step) are one audited write under the version check, read
    /// and written in one transaction: all of it is stored or none. A decision that cannot be made (results
    /// missing) is refused, naming what is missing. Who may decide is checked by the caller.
    public func decideRelease(
        product id: Identifier<CellProduct>, tests: ReleaseTestResults?, expectedVersion: Int, at instant: Date, context: AuditContext
    ) async throws -> Versioned<CellProduct> {
        let catalog = self.catalog
        return try await repositories.transaction { tx in
            try await CellTherapyEntry(repositories: tx, catalog: catalog).storeDecision(
                product: id, tests: tests, expectedVersion: expectedVersion, at: instant, context: context)
        }
    }

    private func storeDecision(
        product id: Identifier<CellProduct>, tests: ReleaseTestResults?, expectedVersion: Int, at instant: Date, context: AuditContext
    ) async throws -> Versioned<CellProduct> {
        var product = try await repositories.cellProducts.get(id).value
        guard Self.undecided.contains(product.releaseStatus) else {
            throw DomainError.illegalTransition(from: product.releaseStatus.rawValue, to: "released",
                                                message: "the release of this product is already decided")
        }
        if let tests { product.releaseTests = tests }
        let decision = try await preview(product)
        let step: CustodyEvent.Kind
        switch decision.outcome {
        case .released: (product.releaseStatus, step) = (.released, .released)
        case .rejected: (product.releaseStatus, step) = (.rejected, .rejected)
        case .cannotDecide: throw DomainError.invalidValue(field: "releaseTests", message: decision.summary)
        }
        product.releaseDecision = decision
        product.custody.append(CustodyEvent(
            kind: step, at: max(instant, product.custody.last?.at ?? instant), actor: context.actor, note: decision.summary))
        var audit = context
        audit.reason = "release decision: \(decision.summary)"
        return try await repositories.cellProducts.update(product, expectedVersion: expectedVersion, context: audit)
    }

    /// The release specification of the lot's program protocol, or the ISCT 2006 defaults when the protocol
    /// has none or the lot belongs to no enrolment.
    public func specification(for product: CellProduct) async throws -> (ReleaseSpecification, String) {
        let fallback = (ReleaseSpecification.isct2006Default, "built-in ISCT 2006 defaults")
        guard let enrolmentID = product.enrolmentID else { return fallback }
        let enrolment = try await repositories.enrolments.get(enrolmentID).value
        let program = try await repositories.programs.get(enrolment.programID).value
        let definition = try catalog.definition(for: enrolment, program: program)  // the enrolment's version (docs/amendments.md)
        guard let release = definition.release else { return fallback }
        return (release, "protocol \(definition.id)")
    }
}
