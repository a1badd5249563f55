import RestoraDomain

/// The screening-inputs pages (issue #14 item 1): what the programs' eligibility criteria read besides the
/// semen, laboratory and DXA forms.
extension WebPath {
    static func recordAssessments(_ id: Identifier<Participant>) -> String { PageRoute.recordAssessments.path(id.rawValue) }
    static func recordConcomitantMedication(_ id: Identifier<Participant>) -> String { PageRoute.recordConcomitantMedication.path(id.rawValue) }
    static func stopConcomitantMedication(_ id: Identifier<Participant>, _ medication: Identifier<ConcomitantMedicationRecord>) -> String {
        PageRoute.stopConcomitantMedication.path(id.rawValue, medication.rawValue)
    }
    static func reviewedSections(_ id: Identifier<Participant>) -> String { PageRoute.reviewedSections.path(id.rawValue) }
    static func participantFacts(_ id: Identifier<Participant>) -> String { PageRoute.participantFacts.path(id.rawValue) }
    static func registerCandidate(_ id: Identifier<PrescreenCandidate>) -> String { PageRoute.registerCandidate.path(id.rawValue) }
}

extension PageRoute {
    /// Recording that a concomitant medication was stopped (the screening-inputs section links it per medication).
    static let stopConcomitantMedication = PageRoute("/participants/:id/concomitant-medications/:medication/stop")
}
