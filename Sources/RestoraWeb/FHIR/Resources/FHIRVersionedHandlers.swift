import Foundation
import RestoraDomain

// vread and `_history` of every type whose record `RecordHistory` rebuilds (RecordHistoryTypes.supported):
// each version goes through the type's own mapping of a current record (docs/fhir.md "Versions and history").
// Not here: MedicationDispense (a dispensing is a row of a medication course, not a record with versions),
// MedicationStatement and Provenance (no record history), Consent (its resource joins withdrawals and the
// enrolment's other consents as they stand now, which a past version cannot be mapped with).

extension FHIRPatientHandler: FHIRVersionedHandler {
    func versions(id: String, in context: FHIRInteractionContext) async throws -> [FHIRStoredResource] {
        let sites = try await Self.sitesByID(context)
        let versions = try await FHIRHistory.versions(Participant.self, resourceType: resourceType, id: id, in: context) { values in
            values.map { Self.stored($0, site: sites[$0.value.siteID]) }
        }
        // Reading a participant's versions is a read of the participant, logged like `read`.
        let participant = try await Self.visibleParticipant(id, in: context)
        try await context.repositories.participants.logRead(participant, context: context.audit)
        return versions
    }

    func history(since: Date?, cursor: String?, count: Int, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        let sites = try await Self.sitesByID(context)
        return try await FHIRHistory.history(Participant.self, since: since, cursor: cursor, count: count, in: context) { values in
            values.map { Self.stored($0, site: sites[$0.value.siteID]) }
        }
    }

    static func sitesByID(_ context: FHIRInteractionContext) async throws -> [Identifier<Site>: Site] {
        Dictionary(try await context.repositories.sites.list().map { ($0.value.id, $0.value) }, uniquingKeysWith: { a, _ in a })
    }
}

extension FHIRResearchStudyHandler: FHIRVersionedHandler {
    func versions(id: String, in context: FHIRInteractionContext) async throws -> [FHIRStoredResource] {
        try await FHIRHistory.versions(Program.self, resourceType: resourceType, id: id, in: context,
                                       visible: { Self.visible($0, to: context.user) }) { values in
            values.map { Self.stored($0, catalog: context.dependencies.catalog) }
        }
    }

    func history(since: Date?, cursor: String?, count: Int, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        try await FHIRHistory.history(Program.self, since: since, cursor: cursor, count: count, in: context,
                                      visible: { Self.visible($0, to: context.user) }) { values in
            values.map { Self.stored($0, catalog: context.dependencies.catalog) }
        }
    }
}

extension FHIRResearchSubjectHandler: FHIRVersionedHandler {
    func versions(id: String, in context: FHIRInteractionContext) async throws -> [FHIRStoredResource] {
        try await FHIRHistory.versions(Enrolment.self, resourceType: resourceType, id: id, in: context) { try await Self.stored($0, in: context) }
    }

    func history(since: Date?, cursor: String?, count: Int, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        try await FHIRHistory.history(Enrolment.self, since: since, cursor: cursor, count: count, in: context) { try await Self.stored($0, in: context) }
    }
}

extension FHIREncounterHandler: FHIRVersionedHandler {
    func versions(id: String, in context: FHIRInteractionContext) async throws -> [FHIRStoredResource] {
        try await FHIRHistory.versions(Visit.self, resourceType: resourceType, id: id, in: context) { try await Self.stored($0, in: context) }
    }

    func history(since: Date?, cursor: String?, count: Int, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        try await FHIRHistory.history(Visit.self, since: since, cursor: cursor, count: count, in: context) { try await Self.stored($0, in: context) }
    }

    /// Visits mapped with their enrolments' participants (one read per enrolment of the batch).
    static func stored(_ visits: [Versioned<Visit>], in context: FHIRInteractionContext) async throws -> [FHIRStoredResource] {
        var participants: [Identifier<Enrolment>: Identifier<Participant>] = [:]
        for enrolment in Set(visits.map(\.value.enrolmentID)) {
            participants[enrolment] = try await context.repositories.enrolments.get(enrolment).value.participantID
        }
        return visits.map { visit in
            let participant = participants[visit.value.enrolmentID]!
            return FHIRStoredResource(type: "Encounter", id: visit.value.id.rawValue, visit, resource: resource(visit, participant: participant))
        }
    }
}

extension FHIRObservationHandler: FHIRVersionedHandler {
    func versions(id: String, in context: FHIRInteractionContext) async throws -> [FHIRStoredResource] {
        try await FHIRHistory.versions(Observation.self, resourceType: resourceType, id: id, in: context) { try await Self.stored($0, in: context) }
    }

    func history(since: Date?, cursor: String?, count: Int, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        try await FHIRHistory.history(Observation.self, since: since, cursor: cursor, count: count, in: context) { try await Self.stored($0, in: context) }
    }

    /// Observations mapped with the least-significant-change verdict of each DXA BMD version.
    static func stored(_ observations: [Versioned<Observation>], in context: FHIRInteractionContext) async throws -> [FHIRStoredResource] {
        var results: [FHIRStoredResource] = []
        for observation in observations {
            let change = try await boneDensityChanges([observation.value], in: context)[observation.value.id]
            results.append(stored(observation, change: change))
        }
        return results
    }
}

extension FHIRProcedureHandler: FHIRVersionedHandler {
    func versions(id: String, in context: FHIRInteractionContext) async throws -> [FHIRStoredResource] {
        try await FHIRHistory.versions(Procedure.self, resourceType: resourceType, id: id, in: context) { $0.map(Self.stored) }
    }

    func history(since: Date?, cursor: String?, count: Int, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        try await FHIRHistory.history(Procedure.self, since: since, cursor: cursor, count: count, in: context) { $0.map(Self.stored) }
    }
}

extension FHIRMedicationRequestHandler: FHIRVersionedHandler {
    func versions(id: String, in context: FHIRInteractionContext) async throws -> [FHIRStoredResource] {
        try await FHIRHistory.versions(MedicationCourse.self, resourceType: resourceType, id: id, in: context) { $0.map(Self.stored) }
    }

    func history(since: Date?, cursor: String?, count: Int, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        try await FHIRHistory.history(MedicationCourse.self, since: since, cursor: cursor, count: count, in: context) { $0.map(Self.stored) }
    }
}

extension FHIRAdverseEventHandler: FHIRVersionedHandler {
    func versions(id: String, in context: FHIRInteractionContext) async throws -> [FHIRStoredResource] {
        try await FHIRHistory.versions(AdverseEvent.self, resourceType: resourceType, id: id, in: context) { $0.map(Self.stored) }
    }

    func history(since: Date?, cursor: String?, count: Int, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        try await FHIRHistory.history(AdverseEvent.self, since: since, cursor: cursor, count: count, in: context) { $0.map(Self.stored) }
    }
}

extension FHIRBiologicallyDerivedProductHandler: FHIRVersionedHandler {
    func versions(id: String, in context: FHIRInteractionContext) async throws -> [FHIRStoredResource] {
        try await FHIRHistory.versions(CellProduct.self, resourceType: resourceType, id: id, in: context) { $0.map(Self.stored) }
    }

    func history(since: Date?, cursor: String?, count: Int, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        try await FHIRHistory.history(CellProduct.self, since: since, cursor: cursor, count: count, in: context) { $0.map(Self.stored) }
    }
}
