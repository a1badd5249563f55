import Foundation

/// `manifest.json` of an export folder: what was asked, when, by whom, and every file with its row count, size
/// and SHA-256, so a recipient can check the package is complete and unchanged. A de-identified package's
/// manifest names no participant.
public struct ExportManifest: Sendable, Hashable, Codable {
    public struct File: Sendable, Hashable, Codable {
        public var name: String
        public var rows: Int
        public var bytes: Int
        public var sha256: String
        public var description: String
    }

    public var kind: ExportKind
    /// The program's id and name.
    public var program: String
    public var programName: String
    public var protocolID: String
    public var protocolVersion: String
    public var deidentified: Bool
    /// "day" (full dates; shifted per participant when de-identified) or "year".
    public var datePrecision: ExportParticipant.DatePrecision
    /// How a de-identified package was made, in words (only the year mode is Safe Harbor proper); nil when identified.
    public var deidentificationMethod: String?
    public var createdAt: Date
    public var createdBy: String
    /// Participants exported.
    public var participants: Int
    public var files: [File]
    /// The data come from the synthetic demo clinic.
    public var synthetic: Bool
    public var restoraVersion: String
}
