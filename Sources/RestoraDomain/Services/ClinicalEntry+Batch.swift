import Foundation

/// Many observations at once (a bulk import, `restora import fhir`): each observation gets exactly the checks,
/// rules, alerts and audit entry `record` gives it — the same `check` and `raiseAlerts` — but the batch reads each
/// participant's rule scope once (enrolments of all its participants in one statement, the programs once, each
/// visit and each participant's values of a graded test once) and writes its observations with multi-row
/// statements and one audit append (`ObservationRepository.createAll`). docs/fhir.md "Bulk Data".
///
/// Equivalence with recording the same observations one by one, in order, in one transaction: a check reads
/// nothing that recording an earlier observation of the batch writes — except a participant's earlier values
/// of a CTCAE-graded test (the baseline), which `ActionReads.labHistory` serves with the batch's earlier
/// observations included — and a stop rule's alert moves an enrolment to follow-up, which keeps it open under
/// the same protocol version, so the rule scope of the later observations is unchanged. What differs: the
/// alerts are stored after all observations (so their audit entries come after the observations' in the
/// chain), and the rows' timestamps are taken when the batch is prepared.
extension ClinicalEntry {
    /// What became of one observation of a batch: stored with its safety outcome, or refused (why, as `record`
    /// would have refused it).
    public typealias BatchOutcome = Result<(stored: Versioned<Observation>, safety: SafetyOutcome), any Error>

    /// Records `items` in one transaction. An observation a check refuses (`check`: screening, plausibility and
    /// unit, visit, enrolment, `extraCheck`) is answered `.failure` and the others are stored; a refusal at the
    /// write itself (a locked casebook, a participant that is not there, a reused idempotency key) throws
    /// `BatchItemError` with the item's index and writes nothing, so the caller can record the others without it.
    public func recordBatch(
        _ items: [(observation: Observation, idempotencyKey: String?)], context: AuditContext,
        extraCheck: (@Sendable (Observation, LabGradingContext) throws -> Void)? = nil
    ) async throws -> [BatchOutcome] {
        guard !items.isEmpty else { return [] }
        return try await atomically { entry in
            let reads = ActionReads(entry.repositories)
            try await reads.preloadEnrolments(of: items.map(\.observation.participantID))
            var outcomes: [BatchOutcome?] = Array(repeating: nil, count: items.count)
            var accepted: [(index: Int, checked: CheckedObservation, key: String?)] = []
            for (index, item) in items.enumerated() {
                do {
                    let checked = try await entry.check(item.observation, lab: nil, reads: reads, extraCheck: extraCheck)
                    accepted.append((index, checked, item.idempotencyKey))
                } catch {
                    outcomes[index] = .failure(error)
                }
            }
            let stored: [(stored: Versioned<Observation>, safety: SafetyOutcome)]
            do {
                stored = try await entry.store(checked: accepted.map { ($0.checked, $0.key) }, context: context)
            } catch let failure as BatchItemError {
                throw BatchItemError(index: accepted[failure.index].index, error: failure.error)
            }
            for (item, result) in zip(accepted, stored) { outcomes[item.index] = .success(result) }
            return outcomes.map { $0! }
        }
    }

    /// Writes observations that passed `check` together (`ObservationRepository.createAll`: one site read, one lock
    /// check, multi-row INSERTs, one audit append), then stores each one's alerts (`raiseAlerts`). A refusal
    /// throws `BatchItemError` with the position in `items`. `recordBatch` and `recordPanel` write through here.
    func store(
        checked items: [(checked: CheckedObservation, idempotencyKey: String?)], context: AuditContext
    ) async throws -> [(stored: Versioned<Observation>, safety: SafetyOutcome)] {
        let stored = try await repositories.observations.createAll(items.map { ($0.checked.observation, $0.idempotencyKey) }, context: context)
        var results: [(stored: Versioned<Observation>, safety: SafetyOutcome)] = []
        results.reserveCapacity(stored.count)
        for (index, (item, record)) in zip(items, stored).enumerated() {
            do {
                results.append((record, try await raiseAlerts(item.checked, for: record, context: context)))
            } catch {
                throw BatchItemError(index: index, error: error)
            }
        }
        return results
    }
}
