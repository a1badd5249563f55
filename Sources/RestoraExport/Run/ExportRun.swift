import Crypto
import Foundation
import RestoraDomain
import RestoraReports

/// What an export run gives back: the manifest written into the package, and the participants exported — for
/// the audit entry of the export (who exported which participants), never written into the package.
public struct ExportOutcome: Sendable {
    public var manifest: ExportManifest
    public var participantIDs: [Identifier<Participant>]
}

/// Runs one export: reads the program chunk by chunk (`StoredProgramData.stream`: a fixed number of queries per
/// chunk of enrolments, in enrolment order), de-identifies each participant when asked, hands each chunk to the
/// package writer of the kind, then writes `manifest.json`. The package is written into a temporary folder beside
/// `folder` and moved into place only when complete, so a failed export leaves nothing that looks like a package.
/// Every door (CLI, JSON API job, web page) calls this.
public enum ExportRun {
    /// Enrolments per chunk. Smaller than the report's 500: an export keeps every observation of a chunk (the
    /// report only the few codes it reads), so memory is set by this number, not by the size of the program.
    public static let chunkSize = 100

    public static func run(
        _ request: ExportRequest, into folder: URL, repositories: Repositories, catalog: ProtocolCatalog,
        createdBy: String, synthetic: Bool, version: String, now: Date = Date(), chunkSize: Int = ExportRun.chunkSize,
        progress: @Sendable (Int) -> Void = { _ in }
    ) async throws -> ExportOutcome {
        let fileManager = FileManager.default
        try checkDestination(folder, fileManager: fileManager)
        let program: Program
        do {
            program = try await repositories.programs.get(request.programID).value
        } catch RepositoryError.notFound {
            throw ExportError("no program with id \(request.programID.rawValue)")
        }
        let definition: ProtocolDefinition
        do {
            definition = try catalog.definition(for: program)
        } catch {
            throw ExportError("program \(program.name) uses protocol \(program.protocolID) version \(program.protocolVersion), which is not in the protocol catalog")
        }
        let only = try await requestedParticipants(request, program: program, repositories: repositories)
        // Consent to the use of data withdrawn (issue #16 item 2, docs/consent.md): those participants are left out of
        // every export made after the withdrawal.
        let dataUseWithdrawn = Set(try await repositories.consents.dataUseWithdrawals(program: program.id).keys)
        if let only, let refused = only.intersection(dataUseWithdrawn).map(\.rawValue).sorted().first {
            throw ExportError("participants: \(refused) withdrew consent to the use of their data; leave them out of the list")
        }
        let context = ExportContext(
            program: program, definition: definition, studyID: program.protocolID.uppercased(), createdAt: now,
            sourceSystemVersion: version, deidentified: request.deidentify, synthetic: synthetic)

        let parent = folder.deletingLastPathComponent()
        try fileManager.createDirectory(at: parent, withIntermediateDirectories: true)
        let staging = parent.appendingPathComponent(".\(folder.lastPathComponent).partial-\(UUID().uuidString.prefix(8))")
        try fileManager.createDirectory(at: staging, withIntermediateDirectories: false)
        do {
            var writer = try packageWriter(request.kind, context: context, directory: staging)
            var deidentifier = request.deidentify ? Deidentifier(datePrecision: request.datePrecision) : nil
            var exported: [Identifier<Participant>] = []
            var subjects: [Identifier<Participant>: String] = [:]  // signatures.csv (issue #16 item 3)
            try await StoredProgramData.stream(
                program: program, repositories: repositories, only: only, sites: request.sites, chunkSize: chunkSize
            ) { read in
                let chunk = dataUseWithdrawn.isEmpty ? read : read.filter { !dataUseWithdrawn.contains($0.record.participant.id) }
                let participants = chunk.map { data -> ExportParticipant in
                    if deidentifier != nil { return deidentifier!.deidentify(data) }
                    return ExportParticipant.identified(data)
                }
                try writer.write(participants)
                if request.kind == .csv { for (data, p) in zip(chunk, participants) { subjects[data.record.participant.id] = p.subjectID } }
                exported += chunk.map(\.record.participant.id)
                progress(exported.count)
            }
            var files = try writer.finish()
            if request.kind == .csv {  // electronic signatures (issue #16 item 3, docs/signatures.md): SignaturesCSV
                let signatures = try await repositories.signatures.list(participants: exported)
                files += try SignaturesCSV.write(signatures, subjects: subjects, deidentified: request.deidentify, directory: staging)
            }
            let manifest = ExportManifest(
                kind: request.kind, program: program.id.rawValue, programName: program.name,
                protocolID: definition.id, protocolVersion: definition.version, deidentified: request.deidentify,
                datePrecision: request.deidentify ? request.datePrecision : .day,
                deidentificationMethod: request.deidentify ? request.datePrecision.deidentificationMethod : nil,
                createdAt: now, createdBy: createdBy,
                participants: exported.count, files: try files.map { try describe($0, in: staging) },
                synthetic: synthetic, restoraVersion: version)
            try writeManifest(manifest, to: staging)
            if fileManager.fileExists(atPath: folder.path) { try fileManager.removeItem(at: folder) }
            try fileManager.moveItem(at: staging, to: folder)
            return ExportOutcome(manifest: manifest, participantIDs: exported)
        } catch {
            try? fileManager.removeItem(at: staging)
            throw error
        }
    }

    /// The writer of each kind of package.
    static func packageWriter(_ kind: ExportKind, context: ExportContext, directory: URL) throws -> any ExportPackageWriter {
        switch kind {
        case .csv: return try CSVPackageWriter(context: context, directory: directory)
        case .sdtm: return try SDTMPackageWriter(context: context, directory: directory)
        case .odm: return try ODMPackageWriter(context: context, directory: directory)
        }
    }

    /// The output folder may be new or empty; an export never writes over other files.
    static func checkDestination(_ folder: URL, fileManager: FileManager) throws {
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: folder.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else {
            throw ExportError("the output \(folder.path) is a file; give a folder that does not exist yet or is empty")
        }
        let contents = try fileManager.contentsOfDirectory(atPath: folder.path)
        guard contents.isEmpty else {
            throw ExportError("the output folder \(folder.path) is not empty (\(contents.count) entries); give a new or empty folder so no earlier export is overwritten")
        }
    }

    /// The requested participant ids, each checked to be enrolled in the program (an unknown id is refused by
    /// name rather than silently exporting fewer participants).
    static func requestedParticipants(
        _ request: ExportRequest, program: Program, repositories: Repositories
    ) async throws -> Set<Identifier<Participant>>? {
        guard let ids = request.participants else { return nil }
        guard !ids.isEmpty else { throw ExportError("participants: the list is empty; leave it out to export every participant of the program") }
        let enrolments = try await repositories.enrolments.list(program: program.id).map(\.value)
        let enrolled = Dictionary(enrolments.map { ($0.participantID, $0.siteID) }, uniquingKeysWith: { a, _ in a })
        for id in ids {
            guard let site = enrolled[id] else {
                throw ExportError("participants: \(id.rawValue) is not enrolled in program \(program.name)")
            }
            // Another site's participant reads as not enrolled, so its existence is not revealed.
            if let sites = request.sites, !sites.contains(site) {
                throw ExportError("participants: \(id.rawValue) is not enrolled in program \(program.name)")
            }
        }
        return Set(ids)
    }

    static func describe(_ file: ExportedFile, in directory: URL) throws -> ExportManifest.File {
        let url = directory.appendingPathComponent(file.name)
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw ExportError("the writer listed \(file.name), which is not in the package")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var bytes = 0
        while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty {
            hasher.update(data: block)
            bytes += block.count
        }
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return ExportManifest.File(name: file.name, rows: file.rows, bytes: bytes, sha256: digest, description: file.description)
    }

    static func writeManifest(_ manifest: ExportManifest, to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(manifest).write(to: directory.appendingPathComponent("manifest.json"), options: .atomic)
    }
}
