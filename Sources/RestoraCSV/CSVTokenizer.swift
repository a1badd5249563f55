/// One pass over the bytes (RFC 4180): fields separated by commas, records by CRLF, LF or a lone CR, fields in
/// double quotes may hold commas, line breaks and doubled quotes; spaces may surround a quoted field. A UTF-8
/// byte order mark is skipped; a record of one blank field (a blank line, the last line break) is not a row.
/// Each field is kept as the byte range of its content (inside the quotes, not yet unescaped): nothing is
/// copied or decoded until a column is asked for.
struct CSVTokenizer {
    /// start, end pairs of every field of every row (header first), row-major.
    var ranges: [UInt32] = []
    var columns = 0
    /// Rows including the header.
    var rows = 0
    /// (row, line) wherever a row starts on another line than its number (blank lines, line breaks in quotes).
    var lineChanges: [(row: Int, line: Int)] = []

    static func tokenize(_ bytes: UnsafeBufferPointer<UInt8>, source: String) throws -> CSVTokenizer {
        guard bytes.count < Int(UInt32.max) else { throw CSVError("\(source): the file is larger than 4 GiB") }
        var t = CSVTokenizer()
        guard let p = bytes.baseAddress else { return t }
        try t.scan(p, bytes.count, source: source)
        return t
    }

    private mutating func scan(_ p: UnsafePointer<UInt8>, _ n: Int, source: String) throws {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var i = 0
        if n >= 3, p[0] == 0xEF, p[1] == 0xBB, p[2] == 0xBF { i = 3 }
        var line = 1  // line where the current field starts
        var recordLine = 1  // line where the current record starts
        var recordStart = ranges.count
        var fieldsInRecord = 0
        // At most n + 1 fields: reserve that once (untouched pages cost nothing) so the array never regrows.
        ranges.reserveCapacity(2 * n + 2)
        func location(_ row: Int, _ line: Int) -> String { row == line ? "row \(row)" : "row \(row) (line \(line))" }
        while true {
            // One field, starting at i.
            var start = i, end = i
            var lineBreaksInField = 0
            var j = i
            while j < n {
                let b = p[j]
                // Digits, letters and '.' are above ','; one comparison lets them through.
                if b <= comma, b == comma || b == lf || b == cr || b == quote { break }
                j += 1
            }
            if j < n, p[j] == quote {
                var k = i
                while k < j, p[k] == 0x20 || p[k] == 0x09 { k += 1 }
                guard k == j else {
                    throw CSVError("\(source): \(location(rows + 1, line)): a quote inside an unquoted field")
                }
                start = j + 1
                j = start
                while true {
                    guard j < n else {
                        throw CSVError("\(source): unterminated quoted field in \(location(rows + 1, line))")
                    }
                    let b = p[j]
                    if b == quote {
                        if j + 1 < n, p[j + 1] == quote { j += 2; continue }
                        break
                    }
                    if b == lf || (b == cr && !(j + 1 < n && p[j + 1] == lf)) { lineBreaksInField += 1 }
                    j += 1
                }
                end = j
                j += 1
                while j < n, p[j] == 0x20 || p[j] == 0x09 { j += 1 }
                if j < n, p[j] != comma, p[j] != lf, p[j] != cr {
                    throw CSVError("\(source): \(location(rows + 1, line)): text after the closing quote of a field")
                }
            } else {
                end = j
            }
            ranges.append(UInt32(truncatingIfNeeded: start))
            ranges.append(UInt32(truncatingIfNeeded: end))
            fieldsInRecord += 1
            line += lineBreaksInField
            if j < n, p[j] == comma { i = j + 1; continue }
            // End of the record (a line break or the end of the file).
            if j < n {
                line += 1
                i = j + 1
                if p[j] == cr, i < n, p[i] == lf { i += 1 }
            }
            let blank = fieldsInRecord == 1 && lineBreaksInField == 0 && {
                let (s, e) = CSVText.trim(p, Int(ranges[recordStart]), Int(ranges[recordStart + 1]))
                return s == e
            }()
            if blank {
                ranges.removeLast(2)
            } else {
                rows += 1
                if rows == 1 {
                    columns = fieldsInRecord
                } else if fieldsInRecord != columns {
                    throw CSVError("\(source): \(location(rows, recordLine)) has \(fieldsInRecord) fields but the header has \(columns)")
                }
                if recordLine != rows, lineChanges.last.map({ $0.line - $0.row }) != recordLine - rows {
                    lineChanges.append((rows, recordLine))
                }
            }
            recordStart = ranges.count
            fieldsInRecord = 0
            recordLine = line
            if j >= n || i >= n { break }
        }
    }

    /// The line in the file where `row` (header = 1) starts.
    func line(ofRow row: Int) -> Int {
        var lo = 0, hi = lineChanges.count
        while lo < hi { let mid = (lo + hi) / 2; if lineChanges[mid].row <= row { lo = mid + 1 } else { hi = mid } }
        guard lo > 0 else { return row }
        let change = lineChanges[lo - 1]
        return row + (change.line - change.row)
    }
}
