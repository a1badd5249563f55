import RestoraDomain

/// Rebuilds a program's `ProgramDataset` from storage: the enrolments of the program, and for their
/// participants the records the report reads (observations, medication courses, procedures, adverse events),
/// the visits and the cell products. A fixed number of bulk reads whatever the number of participants
/// (no query per participant). Participants are read without logging a `read` audit entry: the report shows
/// aggregates, not anyone's record.
public enum StoredProgramData {
    /// Why a dataset cannot be loaded, in words that name the program.
    public struct LoadError: Error, CustomStringConvertible, Sendable {
        public let message: String
        public var description: String { message }
    }

    public static func load(
        programID: Identifier<Program>, repositories: Repositories, catalog: ProtocolCatalog, asOf: CalendarDate,
        synthetic: Bool
    ) async throws -> ProgramDataset {
        let program: Program
        do {
            program = try await repositories.programs.get(programID).value
        } catch RepositoryError.notFound {
            throw LoadError(message: "no program with id \(programID.rawValue) in the database")
        }
        let definition: ProtocolDefinition
        do {
            definition = try catalog.definition(id: program.protocolID)
        } catch {
            throw LoadError(message: "program \(program.name) uses protocol \(program.protocolID), which is not in the protocol catalog at \(catalog.directory)")
        }
        let enrolments = try await repositories.enrolments.list(program: programID).map(\.value)
        let participantIDs = enrolments.map(\.participantID)
        async let people = repositories.participants.list(ids: participantIDs)
        async let observations = repositories.observations.list(participants: participantIDs)
        async let courses = repositories.medicationCourses.list(participants: participantIDs)
        async let procedures = repositories.procedures.list(participants: participantIDs)
        async let events = repositories.adverseEvents.list(participants: participantIDs)
        async let products = repositories.cellProducts.list(participants: participantIDs)
        async let visits = repositories.visits.list(enrolments: enrolments.map(\.id))
        let byID = Dictionary(try await people.map { ($0.value.id, $0.value) }, uniquingKeysWith: { a, _ in a })
        let obs = Grouped(try await observations.map(\.value), by: \.participantID)
        let crs = Grouped(try await courses.map(\.value), by: \.participantID)
        let prc = Grouped(try await procedures.map(\.value), by: \.participantID)
        let aes = Grouped(try await events.map(\.value), by: \.participantID)
        let cps = Grouped(try await products.map(\.value), by: \.participantID)
        let vis = Grouped(try await visits.map(\.value), by: \.enrolmentID)
        let participants = try enrolments.map { enrolment -> ProgramParticipantData in
            guard let person = byID[enrolment.participantID] else {
                throw LoadError(message: "enrolment \(enrolment.id.rawValue) of program \(program.name) names participant \(enrolment.participantID.rawValue), who is not in the database")
            }
            // A participant in two programs: only this enrolment's records (or records tied to no enrolment).
            func mine(_ id: Identifier<Enrolment>?) -> Bool { id == nil || id == enrolment.id }
            let record = ParticipantRecord(
                participant: person,
                observations: obs[person.id].filter { mine($0.enrolmentID) },
                medicationCourses: crs[person.id].filter { mine($0.enrolmentID) },
                procedures: prc[person.id].filter { mine($0.enrolmentID) },
                adverseEvents: aes[person.id].filter { mine($0.enrolmentID) })
            return ProgramParticipantData(
                record: record, enrolment: enrolment, visits: vis[enrolment.id].sorted { $0.plannedDay < $1.plannedDay },
                cellProducts: cps[person.id].filter { mine($0.enrolmentID) })
        }
        return ProgramDataset(definition: definition, programName: program.name, asOf: asOf, synthetic: synthetic,
                              participants: participants)
    }
}

/// Records grouped by a key, keeping storage order; a missing key is an empty list.
private struct Grouped<Key: Hashable, Value> {
    private let groups: [Key: [Value]]
    init(_ values: [Value], by key: (Value) -> Key) { groups = Dictionary(grouping: values, by: key) }
    subscript(_ key: Key) -> [Value] { groups[key] ?? [] }
}
