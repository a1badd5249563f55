/// A CSV file that cannot be read as a table, or a cell that is not what its column needs. The message names
/// the file, the row (header = row 1, blank lines not counted; the line in the file follows when it differs)
/// and the column, so a user can find the cell.
public struct CSVError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
