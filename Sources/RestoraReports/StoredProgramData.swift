import RestoraDomain

/// Rebuilds a program's `ProgramDataset` from storage: the enrolments of the program, and for their
/// participants the records the report reads (observations, medication courses, procedures, adverse events),
/// the visits and the cell products. The enrolments (which the dataset keeps anyway) are read once; every
/// other table is read for one chunk of enrolments at a time (a fixed number of statements per chunk, no
/// query per participant), and observations — the bulk of the rows — only for this program's enrolments and
/// only those `observations` selects, so memory holds one chunk of rows plus what the dataset keeps.
/// Participants are read without logging a `read` audit entry: the report shows aggregates, not anyone's record.
public enum StoredProgramData {
    /// Why a dataset cannot be loaded, in words that name the program.
    public struct LoadError: Error, CustomStringConvertible, Sendable {
        public let message: String
        public var description: String { message }
    }

    /// The observations `StudyReport.build` reads (`ReportCodes`): a report built from a dataset loaded with
    /// this selection equals one built from every observation.
    public static let reportObservations = ReportCodes.observationSelection

    /// Enrolments per chunk: each chunk's statements bind at most this many ids.
    public static let chunkSize = 500
    /// Enrolments per chunk of `loadForReport`: the chunks in flight hold whole records until they are reduced, and
    /// at 10^5 participants half the default chunk lowered the report's peak RSS by about 15 MB in alternated runs
    /// (297–304 to 283–286 MB) at the same speed (BENCHMARKS.md "The report in bounded memory").
    public static let reportChunkSize = 250

    public static func load(
        programID: Identifier<Program>, repositories: Repositories, catalog: ProtocolCatalog, asOf: CalendarDate,
        synthetic: Bool, observations selection: ObservationSelection = .all, chunkSize: Int = chunkSize
    ) async throws -> ProgramDataset {
        try await load(programID: programID, repositories: repositories, catalog: catalog, asOf: asOf,
                       synthetic: synthetic, selection: selection, chunkSize: chunkSize, keep: { $0 })
    }

    /// The dataset of the study report (`restora report`, the report page): the observations the report reads
    /// (`reportObservations`), and each participant reduced to what the report reads as its chunk arrives
    /// (`ProgramParticipantData.reducedForReport()`), so a program of 10^5 participants is not held whole —
    /// the semen panels' observations are most of its rows. The report built from it equals the one built from
    /// `load` with every observation.
    public static func loadForReport(
        programID: Identifier<Program>, repositories: Repositories, catalog: ProtocolCatalog, asOf: CalendarDate,
        synthetic: Bool, chunkSize: Int = reportChunkSize
    ) async throws -> ProgramDataset {
        try await load(programID: programID, repositories: repositories, catalog: catalog, asOf: asOf,
                       synthetic: synthetic, selection: reportObservations, chunkSize: chunkSize,
                       keep: { $0.reducedForReport() })
    }

    private static func load(
        programID: Identifier<Program>, repositories: Repositories, catalog: ProtocolCatalog, asOf: CalendarDate,
        synthetic: Bool, selection: ObservationSelection, chunkSize: Int,
        keep: (ProgramParticipantData) -> ProgramParticipantData
    ) async throws -> ProgramDataset {
        let program: Program
        do {
            program = try await repositories.programs.get(programID).value
        } catch RepositoryError.notFound {
            throw LoadError(message: "no program with id \(programID.rawValue) in the database")
        }
        let definition: ProtocolDefinition
        do {
            // The version the program runs; each enrolment's own version is counted in the report (docs/amendments.md).
            definition = try catalog.definition(for: program)
        } catch {
            throw LoadError(message: "program \(program.name) uses protocol \(program.protocolID), which is not in the protocol catalog at \(catalog.directory)")
        }
        var chunks: [[ProgramParticipantData]] = []
        try await stream(program: program, repositories: repositories, observations: selection, chunkSize: chunkSize) {
            chunks.append($0.map(keep))
        }
        // Copied into an array of exactly their count: appending chunk by chunk as they arrive doubles the capacity,
        // up to twice the participants' size (a participant is a few hundred bytes before its arrays; 15 MB at 10^5).
        var participants: [ProgramParticipantData] = []
        participants.reserveCapacity(chunks.reduce(0) { $0 + $1.count })
        for chunk in chunks { participants += chunk }
        chunks = []
        return ProgramDataset(definition: definition, programName: program.name, asOf: asOf, synthetic: synthetic,
                              participants: participants)
    }

    /// The program's enrolments with their records, handed to `body` one chunk at a time in enrolment order
    /// (created, then id), so a reader that writes as it goes (the exports) holds a few chunks at a time —
    /// `readAhead + 1` at most: the next chunks are read while `body` works on this one, so reading and writing
    /// share the cores (issue #18: the exports' database reads and file writes took about as long as each other,
    /// one after the other). `only`, when given, keeps the enrolments of those participants; `sites`, the enrolments at
    /// those sites.
    public static func stream(
        program: Program, repositories: Repositories, observations selection: ObservationSelection = .all,
        only: Set<Identifier<Participant>>? = nil, sites: Set<Identifier<Site>>? = nil, chunkSize: Int = chunkSize,
        _ body: ([ProgramParticipantData]) async throws -> Void
    ) async throws {
        let chunkSize = max(1, chunkSize)
        let chunks = try await enrolmentChunks(program: program, repositories: repositories, only: only, sites: sites,
                                               chunkSize: chunkSize)
        func read(_ index: Int) -> Task<[ProgramParticipantData], any Error>? {
            guard index < chunks.count else { return nil }
            let chunk = chunks[index]
            return Task {
                let enrolments = try await chunk.enrolments(repositories)
                return try await loadChunk(enrolments, program: program, repositories: repositories, selection: selection)
            }
        }
        // The next `readAhead` chunks are read while `body` works on this one, each on its own reader connection.
        // When `body` (or a read) fails, the reads still running are awaited, not cancelled: a read cancelled
        // midway could leave its reader connection inside its snapshot transaction.
        var pending = (0..<min(readAhead, chunks.count)).compactMap(read)
        do {
            for index in chunks.indices {
                guard !pending.isEmpty else { break }
                let data = try await pending.removeFirst().value
                if let more = read(index + readAhead) { pending.append(more) }
                try await body(data)
            }
        } catch {
            for task in pending { _ = try? await task.value }
            throw error
        }
    }

    /// Chunks read at once ahead of the one `body` works on. Two: one chunk's observations are one statement on one
    /// reader connection (one core), which took longer than formatting the chunk before on both cores (issue #18),
    /// so two chunks are read side by side on two connections.
    public static let readAhead = 2

    /// The enrolments of one chunk: given whole, or as keys whose enrolments (with their transitions) are read
    /// when the chunk is — so only the keys of a large program are held up front, and reading the enrolments
    /// overlaps with writing the chunk before.
    private enum Chunk: Sendable {
        case whole([Enrolment])
        case keys([EnrolmentKey])

        func enrolments(_ repositories: Repositories) async throws -> [Enrolment] {
            switch self {
            case .whole(let enrolments):
                return enrolments
            case .keys(let keys):
                let found = try await repositories.enrolments.list(participants: keys.map(\.participantID)).map(\.value)
                let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
                // In the keys' order; an enrolment deleted since the keys were read is left out.
                return keys.compactMap { byID[$0.id] }
            }
        }
    }

    /// The program's enrolments that `only` and `sites` keep, in chunks of `chunkSize`, in enrolment order.
    private static func enrolmentChunks(
        program: Program, repositories: Repositories, only: Set<Identifier<Participant>>?, sites: Set<Identifier<Site>>?,
        chunkSize: Int
    ) async throws -> [Chunk] {
        func slices<T>(_ all: [T]) -> [[T]] {
            stride(from: 0, to: all.count, by: chunkSize).map { Array(all[$0..<min($0 + chunkSize, all.count)]) }
        }
        if var keys = try await repositories.programRecords.enrolmentKeys(program: program.id) {
            if let only { keys.removeAll { !only.contains($0.participantID) } }
            if let sites { keys.removeAll { !sites.contains($0.siteID) } }
            return slices(keys).map(Chunk.keys)
        }
        var enrolments = try await repositories.enrolments.list(program: program.id).map(\.value)
        if let only { enrolments.removeAll { !only.contains($0.participantID) } }
        if let sites { enrolments.removeAll { !sites.contains($0.siteID) } }
        return slices(enrolments).map(Chunk.whole)
    }

    /// One chunk of enrolments with their records: nine reads, run side by side.
    private static func loadChunk(
        _ enrolments: [Enrolment], program: Program, repositories: Repositories, selection: ObservationSelection
    ) async throws -> [ProgramParticipantData] {
        let participantIDs = enrolments.map(\.participantID)
        let enrolmentIDs = enrolments.map(\.id)
        async let people = repositories.participants.list(ids: participantIDs)
        async let observations = repositories.programRecords.observations(
            participants: participantIDs, enrolments: enrolmentIDs, selection: selection)
        async let courses = repositories.medicationCourses.list(participants: participantIDs)
        async let concomitant = repositories.concomitantMedications.list(participants: participantIDs)
        async let procedures = repositories.procedures.list(participants: participantIDs)
        async let events = repositories.adverseEvents.list(participants: participantIDs)
        async let products = repositories.cellProducts.list(participants: participantIDs)
        async let visits = repositories.visits.list(enrolments: enrolmentIDs)
        async let deviations = repositories.deviations.list(participants: participantIDs)
        let byID = Dictionary(try await people.map { ($0.value.id, $0.value) }, uniquingKeysWith: { a, _ in a })
        let obs = Grouped(try await observations, by: \.participantID)
        let crs = Grouped(try await courses.map(\.value), by: \.participantID)
        let cms = Grouped(try await concomitant.map(\.value), by: \.participantID)
        let prc = Grouped(try await procedures.map(\.value), by: \.participantID)
        let aes = Grouped(try await events.map(\.value), by: \.participantID)
        let cps = Grouped(try await products.map(\.value), by: \.participantID)
        let vis = Grouped(try await visits.map(\.value), by: \.enrolmentID)
        let dev = Grouped(try await deviations.map(\.value), by: \.enrolmentID)
        return try enrolments.map { enrolment -> ProgramParticipantData in
            guard let person = byID[enrolment.participantID] else {
                throw LoadError(message: "enrolment \(enrolment.id.rawValue) of program \(program.name) names participant \(enrolment.participantID.rawValue), who is not in the database")
            }
            // A participant in two programs: only this enrolment's records (or records tied to no enrolment).
            func mine(_ id: Identifier<Enrolment>?) -> Bool { id == nil || id == enrolment.id }
            let record = ParticipantRecord(
                participant: person,
                observations: obs.kept(person.id) { mine($0.enrolmentID) },
                // Concomitant medications and adjuncts belong to the person, not to one enrolment.
                medications: cms[person.id].map(\.medication),
                medicationCourses: crs.kept(person.id) { mine($0.enrolmentID) },
                procedures: prc.kept(person.id) { mine($0.enrolmentID) },
                adverseEvents: aes.kept(person.id) { mine($0.enrolmentID) })
            return ProgramParticipantData(
                record: record, enrolment: enrolment, visits: vis[enrolment.id].sorted { $0.plannedDay < $1.plannedDay },
                cellProducts: cps.kept(person.id) { mine($0.enrolmentID) },
                deviations: dev[enrolment.id].sorted { $0.signedAt < $1.signedAt })
        }
    }
}

/// Records grouped by a key, keeping storage order; a missing key is an empty list.
private struct Grouped<Key: Hashable, Value> {
    private let groups: [Key: [Value]]
    init(_ values: [Value], by key: (Value) -> Key) { groups = Dictionary(grouping: values, by: key) }
    subscript(_ key: Key) -> [Value] { groups[key] ?? [] }

    /// The values of `key` that `keep` keeps: the group's own array when it keeps them all (the usual case, so a
    /// chunk's records are not copied once more), else the filtered copy.
    func kept(_ key: Key, _ keep: (Value) -> Bool) -> [Value] {
        let group = self[key]
        return group.allSatisfy(keep) ? group : group.filter(keep)
    }
}
