import Foundation
import RestoraDomain

extension DemoSeeder {
    /// The participant's concomitant medications (the osteoporosis adjuncts: HRT, bisphosphonates) and the
    /// sections a clinician reviewed, through `ScreeningInputsEntry` as the API and the web forms record them,
    /// so screening from the app and the study report read what the generator meant. Each medication is
    /// recorded as known on its start date; the reviews as made on the participant's first recorded day.
    func recordScreeningInputs(_ demo: DemoParticipant) async throws {
        let inputs = ScreeningInputsEntry(repositories: repositories, ids: ids)
        let firstDay = demo.record.observations.map(\.effective).min() ?? Date(timeIntervalSince1970: 0)
        for medication in demo.record.medications {
            _ = try await inputs.recordMedication(medication, for: demo.participant.id, today: medication.start ?? CalendarDate(firstDay),
                                                  context: context(), idempotencyKey: nil)
        }
        if !demo.record.reviewedSections.isEmpty {
            _ = try await inputs.setReviewedSections(demo.record.reviewedSections, for: demo.participant.id, at: firstDay, context: context())
        }
    }
}
