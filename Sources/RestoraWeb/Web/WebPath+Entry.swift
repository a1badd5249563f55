import RestoraDomain

/// The data-entry, correction and audit pages' paths (docs/web-app.md), for the pages that link to them.
extension WebPath {
    static func recordSemen(_ id: Identifier<Participant>) -> String { PageRoute.recordSemen.path(id.rawValue) }
    static func recordLab(_ id: Identifier<Participant>) -> String { PageRoute.recordLab.path(id.rawValue) }
    static func recordDXA(_ id: Identifier<Participant>) -> String { PageRoute.recordDXA.path(id.rawValue) }
    static func recordAdverseEvent(_ id: Identifier<Participant>) -> String { PageRoute.recordAdverseEvent.path(id.rawValue) }
    static func recordProcedure(_ id: Identifier<Participant>) -> String { PageRoute.recordProcedure.path(id.rawValue) }
    static func registerCellProduct(_ id: Identifier<Participant>) -> String { PageRoute.registerCellProduct.path(id.rawValue) }
    static func cellProduct(_ id: Identifier<CellProduct>) -> String { PageRoute.cellProduct.path(id.rawValue) }
    static func releaseTests(_ id: Identifier<CellProduct>) -> String { PageRoute.releaseTests.path(id.rawValue) }
    static func releaseDecision(_ id: Identifier<CellProduct>) -> String { PageRoute.releaseDecision.path(id.rawValue) }
    static func editObservation(_ observation: Identifier<Observation>) -> String { PageRoute.editObservation.path(observation.rawValue) }
    /// `kind` is observations, adverse-events, participants or enrolments.
    static func auditHistory(_ kind: String, _ id: String) -> String { audit(kind, id) }
}
