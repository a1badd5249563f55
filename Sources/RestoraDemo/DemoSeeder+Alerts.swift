import Foundation
import RestoraDomain

extension DemoSeeder {
    /// The stored alerts are what the rules really raised during the replay. Those the demo clinic lists as
    /// open (`DemoClinic.openAlerts`) stay open; any other is acknowledged through the repository, audited
    /// with a reason, as an investigator would after reviewing it.
    func settleAlerts(_ clinic: DemoClinic, summary: inout Summary) async throws {
        let intended = Set(clinic.openAlerts.map { Self.alertKey(participant: $0.participantID, rule: $0.ruleID, observation: $0.observationID, day: $0.raisedOn) })
        let onsets = Dictionary(
            clinic.participants.flatMap(\.record.adverseEvents).map { ($0.id, $0.onset) }, uniquingKeysWith: { a, _ in a })
        let observed = Dictionary(
            clinic.participants.flatMap(\.record.observations).map { ($0.id, $0.effectiveDate) }, uniquingKeysWith: { a, _ in a })
        for stored in try await repositories.safetyAlerts.listOpen(sites: nil) {
            var alert = stored.value
            let day = alert.observationID.flatMap { observed[$0] } ?? alert.adverseEventID.flatMap { onsets[$0] }
            let key = Self.alertKey(participant: alert.participantID, rule: alert.ruleID, observation: alert.observationID, day: day)
            if intended.contains(key) {
                summary.alertsOpen += 1
                continue
            }
            alert.status = .acknowledged
            alert.acknowledgedBy = Self.loader
            alert.acknowledgedAt = stored.createdAt
            _ = try await repositories.safetyAlerts.update(
                alert, expectedVersion: stored.version,
                context: context("acknowledged: reviewed by the investigator (synthetic demo history)"))
            summary.alertsAcknowledged += 1
        }
    }

    /// Identifies an alert across the demo's list and storage: participant, rule, and the observation (or,
    /// for an adverse event, the onset day).
    static func alertKey(participant: Identifier<Participant>, rule: String, observation: Identifier<Observation>?,
                         day: CalendarDate?) -> String {
        [participant.rawValue, rule, observation?.rawValue ?? "event", day.map { "\($0)" } ?? "-"].joined(separator: "|")
    }
}
