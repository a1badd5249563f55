import RestoraDomain

/// The data-entry, correction and audit pages' paths (docs/web-app.md), for the pages that link to them.
extension WebPath {
    static func recordSemen(_ id: Identifier<Participant>) -> String { participant(id) + "/semen/new" }
    static func recordLab(_ id: Identifier<Participant>) -> String { participant(id) + "/labs/new" }
    static func recordDXA(_ id: Identifier<Participant>) -> String { participant(id) + "/dxa/new" }
    static func recordAdverseEvent(_ id: Identifier<Participant>) -> String { participant(id) + "/adverse-events/new" }
    static func recordProcedure(_ id: Identifier<Participant>) -> String { participant(id) + "/procedures/new" }
    static func registerCellProduct(_ id: Identifier<Participant>) -> String { participant(id) + "/cell-products/new" }
    static func cellProduct(_ id: Identifier<CellProduct>) -> String { "/cell-products/\(id.rawValue)" }
    static func releaseTests(_ id: Identifier<CellProduct>) -> String { cellProduct(id) + "/release-tests" }
    static func releaseDecision(_ id: Identifier<CellProduct>) -> String { cellProduct(id) + "/release-decision" }
    static func editObservation(_ observation: Identifier<Observation>) -> String { "/observations/\(observation.rawValue)/edit" }
    /// `kind` is observations, adverse-events, participants or enrolments.
    static func auditHistory(_ kind: String, _ id: String) -> String { audit(kind, id) }
}
