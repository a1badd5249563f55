import Foundation
import RestoraDomain
import RestoraReports

/// The kinds of export (`restora export csv|sdtm|odm`).
public enum ExportKind: String, Sendable, Hashable, Codable, CaseIterable {
    case csv, sdtm, odm
}

/// What every package writer knows about the export it is writing.
public struct ExportContext: Sendable {
    public var program: Program
    /// The protocol version the program runs (schedule, visits, arms, codes).
    public var definition: ProtocolDefinition
    /// The study identifier written as STUDYID / StudyOID: the protocol id ("isotretinoin-noa") in upper case.
    public var studyID: String
    /// When the export was made (UTC): Dataset-JSON creation time, ODM CreationDateTime, define.xml.
    public var createdAt: Date
    /// "Restora" and its version, for Dataset-JSON sourceSystem and ODM SourceSystem.
    public var sourceSystem: String
    public var sourceSystemVersion: String
    /// Whether the participants handed to the writer were de-identified (HIPAA Safe Harbor, docs/deidentification.md).
    public var deidentified: Bool
    /// The data are from the synthetic demo clinic (labelled in every package).
    public var synthetic: Bool

    public init(program: Program, definition: ProtocolDefinition, studyID: String, createdAt: Date,
                sourceSystem: String = "Restora", sourceSystemVersion: String, deidentified: Bool, synthetic: Bool) {
        self.program = program
        self.definition = definition
        self.studyID = studyID
        self.createdAt = createdAt
        self.sourceSystem = sourceSystem
        self.sourceSystemVersion = sourceSystemVersion
        self.deidentified = deidentified
        self.synthetic = synthetic
    }
}

/// Writes one export package (a folder of files) from the program's participants, handed over one chunk at a
/// time in enrolment order (`StoredProgramData.stream`). A writer holds at most one chunk plus per-dataset
/// counters; it writes rows to its files as each chunk arrives.
public protocol ExportPackageWriter {
    /// Writes the records of one chunk of participants (already de-identified when the export asks for it).
    mutating func write(_ participants: [ExportParticipant]) throws
    /// Completes every file (metadata such as define.xml or the data dictionary is written here) and lists them.
    mutating func finish() throws -> [ExportedFile]
}
