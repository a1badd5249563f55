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

/// A dispense's versions are its course's, from the first that has the dispensing (docs/fhir.md
/// "MedicationDispense"); a deletion of the course is a deletion of each dispense it had.
extension FHIRMedicationDispenseHandler: FHIRVersionedHandler {
    func versions(id: String, in context: FHIRInteractionContext) async throws -> [FHIRStoredResource] {
        guard let (courseID, index) = Self.parse(id) else { throw FHIRError.notFound(resourceType, id) }
        // The course's 404 names the dispense asked for; a course without that dispensing (newest value) is 404 too.
        let type = resourceType
        let versions: [FHIRStoredResource]
        do {
            versions = try await FHIRHistory.versions(MedicationCourse.self, resourceType: resourceType, id: courseID, in: context, visible: {
                $0.dispensings.indices.contains(index)
            }) { courses in
                courses.map { course in
                    // A version without the dispensing yet: a placeholder the filter below drops.
                    guard course.value.dispensings.indices.contains(index) else {
                        return FHIRStoredResource(type: type, id: id, course, resource: .null)
                    }
                    return FHIRStoredResource(type: type, id: id, course, resource: Self.resource(course.value, index: index))
                }
            }
        } catch let error as FHIRError where error.status == 404 {
            throw FHIRError.notFound(resourceType, id)
        }
        return versions.filter { $0.deleted || $0.resource != .null }
    }

    /// Each course version as the dispenses it had then, at most `count` entries a page: a course version's
    /// dispenses may be split between pages, so this handler's cursor is `<dispenses of the next version already
    /// shown>#<the course history's cursor>` (docs/fhir.md "MedicationDispense").
    func history(since: Date?, cursor: String?, count: Int, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        var (shown, base) = (0, cursor)
        if let cursor {
            guard let hash = cursor.firstIndex(of: "#"), let skip = Int(cursor[..<hash]), skip >= 0 else {
                throw FHIRError(status: 400, code: .invalid, diagnostics: "the paging cursor is not one this server wrote: follow the Bundle's next link as it is")
            }
            (shown, base) = (skip, cursor[cursor.index(after: hash)...].isEmpty ? nil : String(cursor[cursor.index(after: hash)...]))
        }
        // `count` course versions hold at least `count` dispenses unless some have none, so one read is enough
        // for a full page except when versions without dispenses come first; the next page then goes on.
        let page = try await FHIRHistory.page(MedicationCourse.self, since: since, cursor: base, count: count, in: context)
        var resources: [FHIRStoredResource] = []
        for (position, version) in page.versions.enumerated() {
            let skip = position == 0 ? shown : 0
            for index in version.value.dispensings.indices.dropFirst(skip) {
                if resources.count == count {
                    // Full: go on from this version's dispense `index` (the versions before it were shown whole).
                    let before = position == 0 ? (base ?? "") : page.cursors[position - 1]
                    return FHIRSearchPage(resources: resources, nextCursor: "\(index)#\(before)", total: nil)
                }
                resources.append(FHIRStoredResource(
                    type: resourceType, id: Self.id(course: version.value.id, index: index), versionID: version.version,
                    lastUpdated: version.at, resource: version.isDeleted ? .object([]) : Self.resource(version.value, index: index),
                    deleted: version.isDeleted))
            }
        }
        return FHIRSearchPage(resources: resources, nextCursor: page.nextCursor.map { "0#\($0)" }, total: nil)
    }
}
