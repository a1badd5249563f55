import Foundation
import RestoraDomain

/// What this process knows of its bulk jobs beside their rows: how far each running one is, which ones a client
/// cancelled (the writer stops at its next chunk), and the turn each waits for (one export at a time, so a burst of
/// kick-offs cannot take every core of the clinic's server). In memory only: after a restart the jobs that were
/// queued or running are marked failed (`restora serve`).
actor FHIRBulkBoard {
    static let shared = FHIRBulkBoard()

    private var progress: [String: String] = [:]
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

    func set(_ job: String, _ text: String) { progress[job] = text }
    func clear(_ job: String) { progress[job] = nil; cancelled.remove(job) }
    func progress(_ job: String) -> String? { progress[job] }
    func cancel(_ job: String) { cancelled.insert(job) }
    func isCancelled(_ job: String) -> Bool { cancelled.contains(job) }
}

/// The job was cancelled while it ran (`DELETE` on its status URL).
struct FHIRBulkCancelled: Error {}

/// Writes a bulk export's NDJSON files (docs/fhir.md "Bulk Data"): one file per resource type, each streamed from
/// the database one chunk at a time (the next chunk is read while the current one is mapped and written) through
/// a buffer flushed to disk at 1 MiB, so memory stays two chunks and a buffer whatever the size of the clinic.
struct FHIRBulkExporter: Sendable {
    /// The types `$export` writes, in this order.
    static let supportedTypes = ["Patient", "Observation"]
    static let chunkSize = 4000

    var repositories: Repositories
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
        return FHIRBulkScope(sites: job.sites.map(Set.init), program: job.groupID, since: job.since, until: nil,
                             excludedParticipants: excluded)
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

    /// The files of `job` in `folder` (created here), one per type with at least one resource.
    func write(_ job: FHIRBulkJob, into folder: URL) async throws -> [FHIRBulkJob.Output] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let scope = try await scope(of: job)
        let source = repositories.fhirBulk.source
        let sites = Dictionary(try await repositories.sites.list().map { ($0.value.id, $0.value) }, uniquingKeysWith: { first, _ in first })
        var outputs: [FHIRBulkJob.Output] = []
        for type in job.types ?? Self.supportedTypes {
            let output: FHIRBulkJob.Output
            switch type {
            case "Patient":
                output = try await writeFile(type, job: job, folder: folder, read: { try await source.participants(scope, after: $0, limit: Self.chunkSize) },
                                             map: { FHIRBulkMapping.patient($0, sites: sites) })
            case "Observation":
                output = try await writeFile(type, job: job, folder: folder, read: { try await source.observations(scope, after: $0, limit: Self.chunkSize) },
                                             map: FHIRBulkMapping.observation)
            default:
                continue
            }
            if output.count > 0 { outputs.append(output) }
        }
        return outputs
    }

    private func writeFile<Value: Sendable>(
        _ type: String, job: FHIRBulkJob, folder: URL,
        read: @escaping @Sendable (String?) async throws -> FHIRBulkChunk<Value>,
        map: @escaping @Sendable (Versioned<Value>) -> FHIRJSON
    ) async throws -> FHIRBulkJob.Output {
        let name = "\(type).ndjson"
        let url = folder.appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteNoPermission)
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 21)
        var count = 0
        var bytes = 0
        var pending = Task { try await read(nil) }
        while true {
            let chunk = try await pending.value
            if let next = chunk.next { pending = Task { try await read(next) } }
            for row in chunk.rows {
                map(row).write(to: &buffer)
                buffer.append(0x0A)
                count += 1
            }
            if buffer.count >= 1 << 20 || chunk.next == nil {
                try handle.write(contentsOf: buffer)
                bytes += buffer.count
                buffer.removeAll(keepingCapacity: true)
            }
            if await board.isCancelled(job.id.rawValue) {
                if chunk.next != nil { _ = try? await pending.value }
                throw FHIRBulkCancelled()
            }
            await board.set(job.id.rawValue, "\(type): \(count) resources written")
            guard chunk.next != nil else { break }
        }
        if count == 0 { try? FileManager.default.removeItem(at: url) }
        return FHIRBulkJob.Output(type: type, file: name, count: count, bytes: bytes)
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
