import Foundation

/// Where CSV cells are written: a file's output buffer, or memory (`MemoryBytes`) when rows are formatted apart
/// from their file on another thread (`CSVRowBuffer`).
protocol CSVByteSink: AnyObject {
    func append(_ byte: UInt8)
    func append(_ bytes: UnsafeBufferPointer<UInt8>)
    func append(_ text: String.UTF8View)
    /// Where the next byte goes (see `rollBack(to:)`).
    var mark: Int { get }
    /// Takes back everything written after `mark` (a row begun and then refused).
    func rollBack(to mark: Int)
}

extension FormatFileOutput: CSVByteSink {}

/// Rows of one CSV file formatted in memory by `CSVDatasetWriter`'s own rules (`encode`), for a run of
/// participants, so several runs can be formatted at once on the machine's cores and then appended to the file
/// in order (`CSVDatasetWriter.append(_: CSVRowBuffer)`, issue #18). The first row that cannot be written stops
/// the buffer: it is recorded (its number within the buffer, the variable, the value) and later rows are refused,
/// so the file's writer reports it with the row number it would have had in the file.
final class CSVRowBuffer {
    struct Refusal {
        /// 1-based within this buffer.
        var row: Int
        /// The variable whose value does not fit, or nil when the row has the wrong number of cells.
        var variable: Int?
        var value: ExportValue
        var cells: Int
    }

    struct Refused: Error {}

    let bytes = MemoryBytes()
    private let numeric: [Bool]
    private let integer: [Bool]
    private(set) var rows = 0
    private(set) var refusal: Refusal?

    /// `numeric` and `integer` hold one flag per variable of the file, so their count is the row's width.
    init(numeric: [Bool], integer: [Bool]) {
        precondition(numeric.count == integer.count, "one numeric and one integer flag per variable")
        self.numeric = numeric
        self.integer = integer
    }

    /// Formats `row` and its line end (CRLF); throws `Refused` (and keeps the refusal) when it cannot be written.
    func append(_ row: [ExportValue]) throws {
        guard refusal == nil else { throw Refused() }
        guard row.count == numeric.count else {
            refusal = Refusal(row: rows + 1, variable: nil, value: .missing, cells: row.count)
            throw Refused()
        }
        if let bad = CSVDatasetWriter.encode(row, numeric: numeric, integer: integer, into: bytes) {
            refusal = Refusal(row: rows + 1, variable: bad, value: row[bad], cells: row.count)
            throw Refused()
        }
        bytes.append(0x0D)
        bytes.append(0x0A)
        rows += 1
    }
}
