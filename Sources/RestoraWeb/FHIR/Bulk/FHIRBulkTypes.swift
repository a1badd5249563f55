import Foundation
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif
import RestoraDomain

/// One NDJSON file of an export: a table streamed one chunk at a time, each chunk's related rows read once for the
/// whole chunk (`related`: one query per table, never one per resource). Reading is sequential (a keyset page
/// names where the next one starts) and runs ahead by one chunk, on the database's thread; each chunk read is
/// mapped to NDJSON bytes in a task of its own, up to `encoders` at once (both cores: mapping and serialising cost
/// more than reading), and the chunks' bytes are written to the file in order, one write per chunk, on `writers`.
/// Memory: the chunk being read, at most `encoders` chunks and their bytes.
struct FHIRBulkFile: Sendable {
    /// Chunks mapped at once (this machine's two cores; the reading runs beside them).
    static let encoders = 2

    var type: String
    var job: FHIRBulkJob
    var folder: URL
    var board: FHIRBulkBoard
    /// Where the file's writes block (the export's own threads, `FHIRBulkExporter.write`).
    var writers: NIOThreadPool

    func write<Value: Sendable, Related: Sendable>(
        read: @escaping @Sendable (String?) async throws -> FHIRBulkChunk<Value>,
        related: @escaping @Sendable ([Versioned<Value>]) async throws -> Related,
        lines: @escaping @Sendable (Versioned<Value>, Related, inout FHIRBulkLines) -> Void
    ) async throws -> FHIRBulkJob.Output {
        let name = "\(type).ndjson"
        let url = folder.appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteNoPermission)
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var count = 0
        var bytes = 0
        let next: @Sendable (String?) async throws -> (FHIRBulkChunk<Value>, Related) = { after in
            let chunk = try await read(after)
            return (chunk, try await related(chunk.rows))
        }
        var reading: Task<(FHIRBulkChunk<Value>, Related), any Error>? = Task { try await next(nil) }
        var encoding: [Task<FHIRBulkLines, Never>] = []
        defer { reading?.cancel() }
        while let current = reading {
            let (chunk, context) = try await current.value
            reading = chunk.next.map { after in Task { try await next(after) } }
            let rows = chunk.rows
            encoding.append(Task {
                var out = FHIRBulkLines(expected: rows.count)
                for row in rows { lines(row, context, &out) }
                return out
            })
            while encoding.count >= Self.encoders || (reading == nil && !encoding.isEmpty) {
                let done = await encoding.removeFirst().value
                if !done.bytes.isEmpty {
                    let written = bytes
                    try await writers.runIfActive { try Self.append(done.bytes, to: handle, written: written) }
                }
                bytes += done.bytes.count
                count += done.count
            }
            if await board.isCancelled(job.id.rawValue) {
                for task in encoding { _ = await task.value }
                if let reading { _ = try? await reading.value }
                throw FHIRBulkCancelled()
            }
            await board.set(job.id.rawValue, type: type, "\(type): \(count) resources written")
        }
        if count == 0 { try? FileManager.default.removeItem(at: url) }
        return FHIRBulkJob.Output(type: type, file: name, count: count, bytes: bytes)
    }

    /// Bytes written before the kernel is asked to start writing them out (`append`).
    static let flushStep = 16 << 20

    /// Writes `bytes` at the end of `handle` (which holds `written` bytes before them), then, on Linux, tells the
    /// kernel this file's whole `flushStep`s (the one this write completed and the one before it) are not needed
    /// again: `posix_fadvise(POSIX_FADV_DONTNEED)` starts writing their dirty pages out without waiting for it,
    /// and drops the pages already written, so an export neither evicts the database from the page cache nor
    /// leaves gigabytes dirty. Without it the pages piled up until the kernel's 30-second expiry wrote 1.5 GB back
    /// at once, and this file's writes waited for that burst: at 10^5 both lanes stalled for 3-4 s every 30 s
    /// (BENCHMARKS.md). Advisory: a refusal changes nothing but the pacing.
    static func append(_ bytes: [UInt8], to handle: FileHandle, written: Int) throws {
        try handle.write(contentsOf: bytes)
        #if os(Linux)
        let from = written / flushStep * flushStep
        let to = (written + bytes.count) / flushStep * flushStep
        if to > from {
            let start = max(0, from - flushStep)
            _ = posix_fadvise(handle.fileDescriptor, off_t(start), off_t(to - start), POSIX_FADV_DONTNEED)
        }
        #endif
    }
}

/// ResearchSubjects of an export: each enrolment's latest consent, and its arm as the requester may see it (the
/// same blinding as a read: `FHIRResearchSubjectHandler.armView`) from the chunk's allocations and unblindings.
struct FHIRBulkSubjects: Sendable {
    struct Related: Sendable {
        var latestConsents: [Identifier<Enrolment>: ConsentRecord]
        var allocations: [Identifier<Enrolment>: RandomisationAllocation]
        var unblindings: [Identifier<Enrolment>: [EmergencyUnblinding]]
        var schemes: [Identifier<Enrolment>: RandomisationScheme]
    }

    var repositories: Repositories
    var catalog: ProtocolCatalog
    var requester: Actor
    /// Every program (few), read once per export.
    var programs: [Identifier<Program>: Program]

    /// An unknown role (none recorded) sees what the most blinded role sees: no arm where the protocol blinds.
    var role: UserRole { requester.role.flatMap(UserRole.init(rawValue:)) ?? .coordinator }

    func related(_ rows: [Versioned<Enrolment>]) async throws -> Related {
        let ids = rows.map(\.value.id)
        guard !ids.isEmpty else { return Related(latestConsents: [:], allocations: [:], unblindings: [:], schemes: [:]) }
        let source = repositories.fhirBulk.source
        let consents = try await source.consentRecords(enrolments: ids)
        let allocations = try await repositories.randomisation.allocations(enrolments: ids)
        let unblindings = allocations.isEmpty ? [] : try await source.unblindings(enrolments: allocations.map(\.value.enrolmentID))
        var schemes: [Identifier<Enrolment>: RandomisationScheme] = [:]
        for row in rows {
            if let program = programs[row.value.programID], let scheme = try? catalog.definition(for: row.value, program: program).randomisation {
                schemes[row.value.id] = scheme
            }
        }
        return Related(
            latestConsents: FHIRResearchSubjectHandler.latestConsents(consents),
            allocations: Dictionary(allocations.map { ($0.value.enrolmentID, $0.value) }, uniquingKeysWith: { first, _ in first }),
            unblindings: Dictionary(grouping: unblindings, by: \.enrolmentID), schemes: schemes)
    }

    func stored(_ row: Versioned<Enrolment>, _ related: Related) -> FHIRStoredResource {
        let e = row.value
        let arm = FHIRResearchSubjectHandler.armView(e, allocation: related.allocations[e.id], scheme: related.schemes[e.id], role: role,
                                                     userID: requester.userID, unblindings: related.unblindings[e.id] ?? [])
        return FHIRStoredResource(type: "ResearchSubject", id: e.id.rawValue, row, resource: FHIRResearchSubjectHandler.resource(
            e, createdAt: row.createdAt, arm: arm, consentID: related.latestConsents[e.id]?.id.rawValue))
    }
}

/// Consents of an export: each with its enrolment's withdrawals and consent records, its participant's site and
/// its document (`FHIRConsentHandler.stored`, as a read).
struct FHIRBulkConsents: Sendable {
    struct Related: Sendable {
        var withdrawals: [Identifier<Enrolment>: [ConsentWithdrawal]]
        var consents: [Identifier<Enrolment>: [ConsentRecord]]
        var participantSites: [Identifier<Participant>: Identifier<Site>]
    }

    var source: any FHIRBulkSource
    var sites: [Identifier<Site>: Site]
    var documents: [Identifier<ConsentDocument>: ConsentDocument]
    var repositories: Repositories

    func related(_ rows: [Versioned<ConsentRecord>]) async throws -> Related {
        let enrolments = Array(Set(rows.map(\.value.enrolmentID)))
        guard !enrolments.isEmpty else { return Related(withdrawals: [:], consents: [:], participantSites: [:]) }
        let withdrawals = try await source.consentWithdrawals(enrolments: enrolments).sorted { $0.withdrawnAt < $1.withdrawnAt }
        let consents = try await source.consentRecords(enrolments: enrolments)
        let participants = try await repositories.participants.list(ids: Array(Set(rows.map(\.value.participantID))))
        return Related(withdrawals: Dictionary(grouping: withdrawals, by: \.enrolmentID), consents: Dictionary(grouping: consents, by: \.enrolmentID),
                       participantSites: Dictionary(participants.map { ($0.value.id, $0.value.siteID) }, uniquingKeysWith: { first, _ in first }))
    }

    func stored(_ row: Versioned<ConsentRecord>, _ related: Related) -> FHIRStoredResource {
        let c = row.value
        return FHIRConsentHandler.stored(row, withdrawals: related.withdrawals[c.enrolmentID] ?? [], enrolmentConsents: related.consents[c.enrolmentID] ?? [],
                                         site: related.participantSites[c.participantID].flatMap { sites[$0] }, document: documents[c.documentID])
    }
}
