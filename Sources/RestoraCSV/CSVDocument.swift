/// A CSV file with a header row, read as bytes (`restora stats` and every import): the file is read with one
/// `read`, scanned once for field boundaries (`CSVTokenizer`, RFC 4180), and a column is decoded only when it
/// is asked for — numbers straight from the bytes (`DecimalBytes`), labels as codes (`CSVCodes`), so a
/// million-row file makes no String per cell. Cells are trimmed of surrounding whitespace.
public struct CSVDocument: Sendable {
    /// The name used in messages (the path as given).
    public let source: String
    /// Column names, trimmed.
    public let header: [String]
    /// Data rows (the header not counted).
    public let rowCount: Int
    let bytes: [UInt8]
    let tokens: CSVTokenizer

    public init(path: String) throws {
        try self.init(bytes: try CSVFileBytes.read(path: path), source: path)
    }

    public init(bytes: [UInt8], source: String = "input") throws {
        self.source = source
        self.bytes = bytes
        tokens = try bytes.withUnsafeBufferPointer { try CSVTokenizer.tokenize($0, source: source) }
        guard tokens.rows > 0 else { throw CSVError("\(source): the file is empty (no header row)") }
        // A header alone is not data: every analysis (grouped or not) refuses it the same way.
        guard tokens.rows > 1 else { throw CSVError("\(source): the file has a header row but no data rows") }
        rowCount = tokens.rows - 1
        let tokens = tokens
        header = bytes.withUnsafeBufferPointer { b in
            (0..<tokens.columns).map { c in
                let (s, e) = CSVText.trim(b.baseAddress!, Int(tokens.ranges[2 * c]), Int(tokens.ranges[2 * c + 1]))
                return CSVText.string(b.baseAddress!, s, e)
            }
        }
    }

    public init(text: String, source: String = "input") throws {
        try self.init(bytes: Array(text.utf8), source: source)
    }

    public func columnIndex(_ name: String) throws -> Int {
        guard let index = header.firstIndex(of: name) else {
            throw CSVError("\(source): no column '\(name)' (columns: \(header.joined(separator: ", ")))")
        }
        return index
    }

    /// The field as written (quotes removed and unescaped, not trimmed); row 0 is the first data row.
    public func field(row: Int, column: Int) -> String {
        let f = 2 * ((row + 1) * tokens.columns + column)
        return bytes.withUnsafeBufferPointer { CSVText.string($0.baseAddress!, Int(tokens.ranges[f]), Int(tokens.ranges[f + 1])) }
    }

    /// Where a data row is, for messages: "row 3" (header = row 1), or "row 3 (line 5)" when it starts on
    /// another line of the file (blank lines skipped, line breaks inside quotes).
    public func location(ofDataRow row: Int) -> String {
        let number = row + 2
        let line = tokens.line(ofRow: number)
        return line == number ? "row \(number)" : "row \(number) (line \(line))"
    }

    /// "data.csv: row 3, column 't': " — the start of every message about one cell.
    public func cellPrefix(row: Int, column name: String) -> String {
        "\(source): \(location(ofDataRow: row)), column '\(name)': "
    }

    /// Calls `body` with the trimmed byte range of each cell of a column, in row order; stops at the first
    /// error it throws.
    func forEachCell(
        _ column: Int, _ body: (_ row: Int, _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) throws -> Void
    ) rethrows {
        let stride = 2 * tokens.columns
        try bytes.withUnsafeBufferPointer { b in
            let p = b.baseAddress ?? UnsafePointer(bitPattern: 1)!
            try tokens.ranges.withUnsafeBufferPointer { r in
                var f = stride + 2 * column
                for row in 0..<rowCount {
                    var s = Int(r[f]), e = Int(r[f + 1])
                    if s < e, p[s] <= 0x20 || p[e - 1] <= 0x20 || p[s] >= 0x80 || p[e - 1] >= 0x80 {
                        (s, e) = CSVText.trim(p, s, e)
                    }
                    try body(row, p, s, e)
                    f += stride
                }
            }
        }
    }
}
