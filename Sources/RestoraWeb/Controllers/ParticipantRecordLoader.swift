import Foundation
import RestoraDomain

/// The participant's record as stored, for the eligibility engine: the participant (with diagnoses, history
/// and menopausal status), observations, protocol drug courses, concomitant medications, procedures, adverse
/// events and the sections a clinician reviewed in full (issue #14 item 1). Seven reads, side by side. A
/// section without a current review stays unreviewed, so a criterion that needs the absence of an item reads
/// as missing (the verdict is then `incomplete`, never a wrong `eligible`).
struct ParticipantRecordLoader {
    let repositories: Repositories

    func load(_ id: Identifier<Participant>) async throws -> ParticipantRecord {
        let r = repositories
        async let participant = r.participants.get(id)
        async let observations = r.observations.list(participant: id)
        async let courses = r.medicationCourses.list(participant: id)
        async let medications = r.concomitantMedications.list(participant: id)
        async let procedures = r.procedures.list(participant: id)
        async let events = r.adverseEvents.list(participant: id)
        async let reviews = r.sectionReviews.list(participant: id)
        return ParticipantRecord(
            participant: try await participant.value, observations: try await observations.map(\.value),
            medications: try await medications.map(\.value.medication),
            medicationCourses: try await courses.map(\.value), procedures: try await procedures.map(\.value),
            adverseEvents: try await events.map(\.value), reviewedSections: Set(try await reviews.map(\.value.section)))
    }
}
