import RestoraDomain

/// The screening-inputs pages (issue #14 item 1): what the programs' eligibility criteria read besides the
/// semen, laboratory and DXA forms.
extension WebPath {
    static func recordAssessments(_ id: Identifier<Participant>) -> String { participant(id) + "/screening-assessments/new" }
    static func recordConcomitantMedication(_ id: Identifier<Participant>) -> String { participant(id) + "/concomitant-medications/new" }
    static func reviewedSections(_ id: Identifier<Participant>) -> String { participant(id) + "/reviewed-sections" }
    static func participantFacts(_ id: Identifier<Participant>) -> String { participant(id) + "/screening-facts" }
    static func registerCandidate(_ id: Identifier<PrescreenCandidate>) -> String { "/prescreened/\(id.rawValue)/register" }
}
