import Foundation
import NIOPosix
import RestoraDomain

/// What this process knows of its bulk jobs beside their rows: how far each running one is, which ones a client
/// cancelled (the writer stops at its next chunk), and the turn each waits for (one export at a time, so a burst of
/// kick-offs cannot take every core of the clinic's server). In memory only: after a restart the jobs that were
/// queued or running are marked failed (`restora serve`).
actor FHIRBulkBoard {
    static let shared = FHIRBulkBoard()

    /// Per job, each type's progress in the order the types started (several are written at once).
    private var progress: [String: [(type: String, text: String)]] = [:]
    private var cancelled: Set<String> = []
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        if running < 1 {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty { running -= 1 } else { waiting.removeFirst().resume() }
    }

    func set(_ job: String, type: String, _ text: String) {
        var types = progress[job] ?? []
        if let index = types.firstIndex(where: { $0.type == type }) { types[index].text = text } else { types.append((type, text)) }
        progress[job] = types
    }
    func clear(_ job: String) { progress[job] = nil; cancelled.remove(job) }
    /// "Patient: 10000 resources written; Observation: 120000 resources written".
    func progress(_ job: String) -> String? { progress[job].map { $0.map(\.text).joined(separator: "; ") } }
    func cancel(_ job: String) { cancelled.insert(job) }
    func isCancelled(_ job: String) -> Bool { cancelled.contains(job) }
}

/// The job was cancelled while it ran (`DELETE` on its status URL).
struct FHIRBulkCancelled: Error {}

/// Writes a bulk export's NDJSON files (docs/fhir.md "Bulk Data"): one file per resource type, each streamed from
/// the database one chunk at a time (`FHIRBulkFile`: the next chunk is read while the chunks before it are mapped,
/// two at once), so memory stays a few chunks whatever the size of the clinic.
struct FHIRBulkExporter: Sendable {
    /// The types `$export` writes, in this order.
    static let supportedTypes = [
        "Patient", "Observation", "ResearchStudy", "ResearchSubject", "Encounter", "Procedure", "MedicationRequest", "MedicationDispense",
        "MedicationStatement", "AdverseEvent", "BiologicallyDerivedProduct", "Consent", "Provenance",
    ]
    static let chunkSize = 4000

    /// The order the types are started in (the files are still listed in the requested order): the largest type
    /// first, then the types whose reading sets their pace (child rows, related reads, the audit trail), the cheap
    /// ones last. The lanes are filled longest first, so the export does not end on one slow type while the other
    /// core idles (at 10^4 the Provenance file, started last, ran 2 s alone).
    static let startOrder = [
        "Observation", "Provenance", "BiologicallyDerivedProduct", "ResearchSubject", "Consent", "MedicationRequest", "MedicationDispense",
        "Encounter", "AdverseEvent", "Procedure", "Patient", "MedicationStatement", "ResearchStudy",
    ]

    /// The positions of `types` in the order they are started (`startOrder`; any other type after those, as given).
    static func started(_ types: [String]) -> [Int] {
        types.indices.sorted { (startOrder.firstIndex(of: types[$0]) ?? startOrder.count, $0) < (startOrder.firstIndex(of: types[$1]) ?? startOrder.count, $1) }
    }

    var repositories: Repositories
    /// The protocols: a ResearchStudy's arms, a ResearchSubject's randomisation blinding.
    var catalog: ProtocolCatalog
    var board: FHIRBulkBoard = .shared

    /// The scope of `job` for its requester: their sites, the Group's program, `_since`, the transaction time, and
    /// the participants who withdrew consent to the use of their data (the Group's program; every program otherwise).
    func scope(of job: FHIRBulkJob) async throws -> FHIRBulkScope {
        var excluded: Set<Identifier<Participant>> = []
        var programs: [Identifier<Program>] = []
        if let group = job.groupID { programs = [group] } else { programs = try await repositories.programs.list().map(\.value.id) }
        for program in programs {
            excluded.formUnion(try await repositories.consents.dataUseWithdrawals(program: program).keys)
        }
        // No upper bound at the transaction time: a record changed while the export runs may be in it (with a later
        // lastUpdated); a client's next `_since=<transactionTime>` export brings it again, so no change is ever missed.
        // `_since` nudged 1 µs later, as instants are written (FHIRBulkInstant): the statements compare the store's
        // millisecond text (`StoredJSON.format` cuts), and about one `…:10.123Z` in nine is a `Double` just under
        // 123 ms once parsed (or read back from the job's row), which cut to `…:10.122Z` brought back the records
        // changed at `…:10.123Z` itself, not after it.
        return FHIRBulkScope(sites: job.sites.map(Set.init), program: job.groupID, since: job.since.map { $0.addingTimeInterval(0.000_001) },
                             until: nil, excludedParticipants: excluded)
    }

    /// Runs a queued job to its end (done, failed or cancelled) and returns it as stored.
    func run(_ job: FHIRBulkJob, folder: URL, context: AuditContext, now: @escaping @Sendable () -> Date) async throws -> Versioned<FHIRBulkJob> {
        _ = try await repositories.fhirBulk.jobs.start(job.id, folder: folder.path, at: now(), context: context)
        let outputs: [FHIRBulkJob.Output]
        do {
            outputs = try await write(job, into: folder)
        } catch is FHIRBulkCancelled {
            try? FileManager.default.removeItem(at: folder)
            let current = try await repositories.fhirBulk.jobs.get(job.id)
            if current.value.status == .cancelled { return current }
            return try await repositories.fhirBulk.jobs.cancel(job.id, at: now(), context: context)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            return try await repositories.fhirBulk.jobs.fail(job.id, message: Self.words(error), at: now(), context: context)
        }
        if await board.isCancelled(job.id.rawValue) {
            try? FileManager.default.removeItem(at: folder)
            let current = try await repositories.fhirBulk.jobs.get(job.id)
            if current.value.status == .cancelled { return current }
        }
        return try await repositories.fhirBulk.jobs.finish(job.id, outputs: outputs, refused: 0, at: now(), context: context)
    }

    /// Types written at once. Each file reads its table on a reader connection and maps its chunks beside the
    /// reading; two files at once keep this machine's two cores busy where one type's reading, not its mapping,
    /// sets the pace (the small types with child rows), and the largest type (Observation) no longer waits for the
    /// others to finish (issue #17).
    static let lanes = 2

    /// The files of `job` in `folder` (created here), one per type with at least one resource, listed in the
    /// order of the requested types. Up to `lanes` types are written at once, each lane taking the next type.
    func write(_ job: FHIRBulkJob, into folder: URL) async throws -> [FHIRBulkJob.Output] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let scope = try await scope(of: job)
        let types = job.types ?? Self.supportedTypes
        var outputs = [FHIRBulkJob.Output?](repeating: nil, count: types.count)
        let order = Self.started(types)
        // The files' writes run on threads of their own, one per lane: a write the kernel holds back (dirty pages
        // over its limit) then stops neither the mapping on the cooperative threads nor the database's reads and
        // writes on NIO's shared pool.
        let writers = NIOThreadPool(numberOfThreads: Self.lanes)
        writers.start()
        do {
            try await withThrowingTaskGroup(of: (Int, FHIRBulkJob.Output?).self) { group in
                var next = 0
                while next < min(Self.lanes, order.count) {
                    let (index, type) = (order[next], types[order[next]])
                    group.addTask { (index, try await writeType(type, job: job, scope: scope, folder: folder, writers: writers)) }
                    next += 1
                }
                while let (index, output) = try await group.next() {
                    outputs[index] = output
                    if next < order.count {
                        let (index, type) = (order[next], types[order[next]])
                        group.addTask { (index, try await writeType(type, job: job, scope: scope, folder: folder, writers: writers)) }
                        next += 1
                    }
                }
            }
        } catch {
            try? await writers.shutdownGracefully()
            throw error
        }
        try await writers.shutdownGracefully()
        return outputs.compactMap { $0 }.filter { $0.count > 0 }
    }

    /// One type's file: its table streamed in chunks, each chunk's related rows read once (FHIRBulkTypes.swift).
    private func writeType(_ type: String, job: FHIRBulkJob, scope: FHIRBulkScope, folder: URL,
                           writers: NIOThreadPool) async throws -> FHIRBulkJob.Output? {
        let source = repositories.fhirBulk.source
        let size = Self.chunkSize
        let file = FHIRBulkFile(type: type, job: job, folder: folder, board: board, writers: writers)
        switch type {
        case "Patient":
            let sites = try await siteTable()
            return try await file.write(read: { try await source.participants(scope, after: $0, limit: size) }, related: { _ in },
                                        lines: { row, _, out in
                out.add(FHIRPatientHandler.resource(row.value, site: sites[row.value.siteID]), version: row.version, updated: row.updatedAt)
            })
        case "Observation":
            return try await file.write(read: { try await source.observations(scope, after: $0, limit: size) }, related: { _ in },
                                        lines: { row, _, out in out.add(FHIRObservationHandler.resource(row), version: row.version, updated: row.updatedAt) })
        case "ResearchStudy":
            let programs = try await studies(job, scope: scope)
            let catalog = self.catalog
            return try await file.write(read: { _ in FHIRBulkChunk(rows: programs, next: nil) }, related: { _ in },
                                        lines: { row, _, out in out.add(FHIRResearchStudyHandler.stored(row, catalog: catalog)) })
        case "ResearchSubject":
            let programs = Dictionary(try await repositories.programs.list().map { ($0.value.id, $0.value) }, uniquingKeysWith: { first, _ in first })
            let subjects = FHIRBulkSubjects(repositories: repositories, catalog: catalog, requester: job.requestedBy, programs: programs)
            return try await file.write(read: { try await source.enrolments(scope, after: $0, limit: size) }, related: subjects.related,
                                        lines: { row, related, out in out.add(subjects.stored(row, related)) })
        case "Encounter":
            return try await file.write(read: { try await source.visits(scope, after: $0, limit: size) }, related: { _ in }, lines: { row, _, out in
                let visit = Versioned(value: row.value.visit, version: row.version, createdAt: row.createdAt, updatedAt: row.updatedAt)
                out.add(FHIREncounterHandler.resource(visit, participant: row.value.participantID), version: row.version, updated: row.updatedAt)
            })
        case "Procedure":
            return try await file.write(read: { try await source.procedures(scope, after: $0, limit: size) }, related: { _ in },
                                        lines: { row, _, out in out.add(FHIRProcedureHandler.stored(row)) })
        case "MedicationRequest":
            return try await file.write(read: { try await source.medicationCourses(scope, after: $0, limit: size) }, related: { _ in },
                                        lines: { row, _, out in out.add(FHIRMedicationRequestHandler.stored(row)) })
        case "MedicationDispense":
            return try await file.write(read: { try await source.medicationCourses(scope, after: $0, limit: size) }, related: { _ in },
                                        lines: { row, _, out in FHIRMedicationDispenseHandler.stored(row).forEach { out.add($0) } })
        case "MedicationStatement":
            return try await file.write(read: { try await source.concomitantMedications(scope, after: $0, limit: size) }, related: { _ in },
                                        lines: { row, _, out in out.add(FHIRMedicationStatementHandler.stored(row)) })
        case "AdverseEvent":
            return try await file.write(read: { try await source.adverseEvents(scope, after: $0, limit: size) }, related: { _ in },
                                        lines: { row, _, out in out.add(FHIRAdverseEventHandler.stored(row)) })
        case "BiologicallyDerivedProduct":
            return try await file.write(read: { try await source.cellProducts(scope, after: $0, limit: size) }, related: { _ in },
                                        lines: { row, _, out in out.add(FHIRBiologicallyDerivedProductHandler.stored(row)) })
        case "Consent":
            let consents = FHIRBulkConsents(source: source, sites: try await siteTable(), documents: try await consentDocuments(), repositories: repositories)
            return try await file.write(read: { try await source.consents(scope, after: $0, limit: size) }, related: consents.related,
                                        lines: { row, related, out in out.add(consents.stored(row, related)) })
        case "Provenance":
            // The audit trail's changes of the records of every Provenance target type (the roles that export all
            // read the audit trail: ExportPolicy's admins and data managers).
            let targets = Dictionary(FHIRProvenanceHandler.targets.map { ($0.table, $0) }, uniquingKeysWith: { first, _ in first })
            let tables = FHIRProvenanceHandler.targets.map(\.table)
            return try await file.write(read: { try await source.provenance(scope, tables: tables, after: $0, limit: size) }, related: { _ in },
                                        lines: { row, _, out in
                guard let target = targets[row.value.entry.table], let stored = FHIRProvenanceHandler.stored(row.value.entry, target: target) else { return }
                out.add(stored)
            })
        default:
            return nil
        }
    }

    private func siteTable() async throws -> [Identifier<Site>: Site] {
        Dictionary(try await repositories.sites.list().map { ($0.value.id, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    private func consentDocuments() async throws -> [Identifier<ConsentDocument>: ConsentDocument] {
        Dictionary(try await repositories.consents.allDocuments().map { ($0.value.id, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// The programs of the export (few: read whole): the Group's, or those running at one of the requester's sites
    /// (every one for an admin), changed after `_since`.
    private func studies(_ job: FHIRBulkJob, scope: FHIRBulkScope) async throws -> [Versioned<Program>] {
        try await repositories.programs.list().filter { program in
            if let group = scope.program, program.value.id != group { return false }
            if let sites = scope.sites, !program.value.siteIDs.contains(where: sites.contains) { return false }
            if let since = scope.since, program.updatedAt <= since { return false }
            return true
        }.sorted { $0.value.id.rawValue < $1.value.id.rawValue }
    }

    /// Why an export stopped, in words (never a dump of the error).
    static func words(_ error: any Error) -> String {
        switch error {
        case let e as FHIRError: return e.diagnostics
        case let e as DomainError: return e.description
        case let e as RepositoryError: return e.description
        case let e as CocoaError where e.code == .fileWriteOutOfSpace: return "the export folder's disk is full"
        case is CocoaError: return "the export folder could not be written"
        default: return "the export stopped on an unexpected error (\(String(describing: type(of: error))))"
        }
    }
}
