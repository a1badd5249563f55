import Foundation
import RestoraDomain

extension ExportJobs {
    /// Writes the package (`ExportRun`) and says what it holds: the manifest's files and the participants exported.
    func write(
        _ request: ExportRequest, into folder: URL, createdBy: String, now: Date, progress: @escaping @Sendable (Int) -> Void
    ) async throws -> (files: [ExportJob.File], participants: [Identifier<Participant>]) {
        // Until ExportRun lands (the lead's Sources/RestoraExport/Run/), every export fails with this message.
        throw ExportError("exports are not available in this build yet")
    }
}
