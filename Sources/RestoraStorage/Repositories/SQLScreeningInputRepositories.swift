import RestoraDomain

// Concomitant medications and reviewed sections (migration 0032) are per-participant clinical records like
// observations: the one generic repository serves them.
extension SQLClinicalRepository: ConcomitantMedicationRepository where M == ConcomitantMedicationMapping {}
extension SQLClinicalRepository: SectionReviewRepository where M == SectionReviewMapping {}
