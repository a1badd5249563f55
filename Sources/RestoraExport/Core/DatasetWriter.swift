/// Writes one dataset row by row as the rows arrive; nothing but the current row (and, for SAS XPORT, a spool
/// file on disk) is held. Every row has exactly one value per variable of the spec, in the spec's order.
public protocol DatasetWriter {
    var spec: DatasetSpec { get }
    /// Appends one row. Refuses (throws `ExportError`) a row that does not fit the spec or the format's limits,
    /// naming the dataset, the variable and the row; it never truncates.
    mutating func append(_ row: [ExportValue]) throws
    /// Completes the file(s) and says what was written.
    mutating func finish() throws -> [ExportedFile]
}

/// A file an export wrote, relative to the export folder.
public struct ExportedFile: Sendable, Hashable, Codable {
    /// The file name inside the export folder ("dm.xpt", "observations.csv").
    public var name: String
    /// Data rows written (0 for metadata files such as define.xml).
    public var rows: Int
    /// What the file holds, in words ("SDTM DM as SAS XPORT v5").
    public var description: String

    public init(name: String, rows: Int, description: String) {
        self.name = name
        self.rows = rows
        self.description = description
    }
}
