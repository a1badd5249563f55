import Crypto
import Foundation
import RestoraDomain

extension ExportJobs {
    /// Writes the package (`ExportRun`) and says what it holds: the manifest's files, then `manifest.json` itself
    /// (so it can be downloaded and checked like the others), and the participants exported.
    func write(
        _ request: ExportRequest, into folder: URL, createdBy: String, now: Date, progress: @escaping @Sendable (Int) -> Void
    ) async throws -> (files: [ExportJob.File], participants: [Identifier<Participant>]) {
        let outcome = try await ExportRun.run(
            request, into: folder, repositories: repositories, catalog: catalog, createdBy: createdBy, synthetic: synthetic,
            version: version, now: now, progress: progress)
        var files = outcome.manifest.files.map {
            ExportJob.File(name: $0.name, rows: $0.rows, bytes: $0.bytes, sha256: $0.sha256, description: $0.description)
        }
        let manifest = try Data(contentsOf: folder.appendingPathComponent("manifest.json"))
        files.append(ExportJob.File(
            name: "manifest.json", rows: 0, bytes: manifest.count, sha256: SHA256.hash(data: manifest).map { String(format: "%02x", $0) }.joined(),
            description: "The package's manifest: what was asked, by whom and when, and every file with its rows, size and SHA-256"))
        return (files, outcome.participantIDs)
    }
}
