import RestoraDomain

// TEMPORARY: replaced by the bulk loader of the demo branch (StoredProgramData.swift) at merge.
public enum StoredProgramData {
    public static func load(
        programID: Identifier<Program>, repositories: Repositories, catalog: ProtocolCatalog, asOf: CalendarDate, synthetic: Bool
    ) async throws -> ProgramDataset {
        let program = try await repositories.programs.get(programID).value
        let definition = try catalog.definition(id: program.protocolID)
        var rows: [ProgramParticipantData] = []
        var cursor: String?
        repeat {
            let page = try await repositories.participants.search(ParticipantQuery(siteIDs: nil, limit: 200, cursor: cursor))
            cursor = page.nextCursor
            for participant in page.items.map(\.value) {
                for enrolment in try await repositories.enrolments.list(participant: participant.id).map(\.value) where enrolment.programID == programID {
                    let record = ParticipantRecord(
                        participant: participant,
                        observations: try await repositories.observations.list(participant: participant.id).map(\.value),
                        medicationCourses: try await repositories.medicationCourses.list(participant: participant.id).map(\.value),
                        procedures: try await repositories.procedures.list(participant: participant.id).map(\.value),
                        adverseEvents: try await repositories.adverseEvents.list(participant: participant.id).map(\.value))
                    rows.append(ProgramParticipantData(
                        record: record, enrolment: enrolment,
                        visits: try await repositories.visits.list(enrolment: enrolment.id).map(\.value),
                        cellProducts: try await repositories.cellProducts.list(participant: participant.id).map(\.value)))
                }
            }
        } while cursor != nil
        return ProgramDataset(definition: definition, programName: program.name, asOf: asOf, synthetic: synthetic, participants: rows)
    }
}
