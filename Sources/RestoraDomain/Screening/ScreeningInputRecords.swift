import Foundation

/// A concomitant medication as stored for one participant (migration 0032, table `concomitant_medications`):
/// what eligibility's medication rules read besides the protocol drug courses (REFERENCE.md A2 RA-4: retinoids,
/// vitamin A, tetracyclines, phenytoin, anabolic steroids; the osteoporosis program's anticoagulants and bone
/// drugs), and the osteoporosis program's adjunct therapies (HRT, bisphosphonates, REFERENCE.md C3).
public struct ConcomitantMedicationRecord: Hashable, Sendable, Codable, Identifiable {
    public var id: Identifier<ConcomitantMedicationRecord>
    public var participantID: Identifier<Participant>
    public var medication: ConcomitantMedication

    public init(id: Identifier<ConcomitantMedicationRecord>, participantID: Identifier<Participant>, medication: ConcomitantMedication) {
        self.id = id
        self.participantID = participantID
        self.medication = medication
    }
}

/// One section of a participant's record that a clinician reviewed in full (table `participant_reviews`): from
/// then on the absence of an item there is evidence ("no tetracycline"), not missing data
/// (`ParticipantRecord.reviewedSections`). At most one current review per section; withdrawing a review
/// soft-deletes it (audited).
public struct SectionReview: Hashable, Sendable, Codable, Identifiable {
    public var id: Identifier<SectionReview>
    public var participantID: Identifier<Participant>
    public var section: ParticipantRecord.Section
    public var reviewedBy: Actor
    public var reviewedAt: Date

    public init(id: Identifier<SectionReview>, participantID: Identifier<Participant>, section: ParticipantRecord.Section,
                reviewedBy: Actor, reviewedAt: Date) {
        self.id = id
        self.participantID = participantID
        self.section = section
        self.reviewedBy = reviewedBy
        self.reviewedAt = reviewedAt
    }
}

public protocol ConcomitantMedicationRepository: ClinicalRecordRepository where Record == ConcomitantMedicationRecord {}
public protocol SectionReviewRepository: ClinicalRecordRepository where Record == SectionReview {}
