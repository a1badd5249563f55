#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// The columns an analysis asks for, read in one pass over a *simple* file, split across the cores: no quote
/// character anywhere, no blank line, no byte order mark, LF or CRLF line ends, every record with the header's
/// number of fields, and every requested cell already a plain value (a decimal number, or a label of printable
/// ASCII with nothing to trim). Such a file has one record per line, so it can be cut at any line break and its
/// parts read at the same time, each cell parsed as the scan passes it (no table of field ranges).
///
/// Anything else — and every error — makes `read` return nil, and the caller reads the file with
/// `CSVDocument`, which handles all of RFC 4180 and words every refusal. So this is only ever a faster way to
/// the same values: the numbers come from the same `DecimalBytes.parse` of the same bytes, and the labels are
/// numbered as `CSVDocument.codes` numbers them (`CSVSimpleColumnsTests` compares the two on generated files).
public struct CSVSimpleColumns: Sendable {
    public let source: String
    public let header: [String]
    /// Data rows (the header not counted).
    public let rowCount: Int
    public let numbers: [String: [Double]]
    public let codes: [String: (codes: [Int32], labels: [String])]

    /// "data.csv: row 3, column 't': " — in a simple file every row is on the line of its number.
    public func cellPrefix(row: Int, column name: String) -> String { "\(source): row \(row + 2), column '\(name)': " }

    /// The columns of the file at `path`, or nil when the file is not simple (or cannot be mapped).
    public static func read(path: String, numbers: [String], codes: [String]) -> CSVSimpleColumns? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0 else { return nil }
        let size = Int(info.st_size)
        #if os(Linux)
        let flags = MAP_PRIVATE | MAP_POPULATE  // fault the pages in with the call, not one by one
        #else
        let flags = MAP_PRIVATE
        #endif
        guard let map = mmap(nil, size, PROT_READ, flags, fd, 0), map != UnsafeMutableRawPointer(bitPattern: -1) else {
            return nil
        }
        defer { munmap(map, size) }
        let bytes = UnsafeBufferPointer(start: map.assumingMemoryBound(to: UInt8.self), count: size)
        return read(bytes, source: path, numbers: numbers, codes: codes)
    }

    /// The same from bytes in memory; `minimumPart` is the smallest part worth a thread of its own (tests set
    /// it low to cut small files into many parts).
    static func read(
        _ bytes: UnsafeBufferPointer<UInt8>, source: String, numbers: [String], codes: [String],
        parts requestedParts: Int? = nil, minimumPart: Int = 1 << 20
    ) -> CSVSimpleColumns? {
        guard let p = bytes.baseAddress, bytes.count < Int(UInt32.max) else { return nil }
        let n = bytes.count
        guard n >= 3, !(p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) else { return nil }
        guard let (header, dataStart) = readHeader(p, n), header.count > 1 else { return nil }
        // Each requested column, as its first index in the header (as `CSVDocument.columnIndex`).
        var kinds = [CellKind](repeating: .skip, count: header.count)
        for (slot, name) in numbers.enumerated() {
            guard let c = header.firstIndex(of: name), case .skip = kinds[c] else { return nil }
            kinds[c] = .number(slot)
        }
        for (slot, name) in codes.enumerated() {
            guard let c = header.firstIndex(of: name), case .skip = kinds[c] else { return nil }
            kinds[c] = .code(slot)
        }
        // Cut the data at line breaks into parts of about equal size; count each part's rows (its line breaks).
        let processors = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let wanted = max(1, min(requestedParts ?? min(processors, 8), (n - dataStart) / max(1, minimumPart)))
        var bounds = [dataStart]
        for k in 1..<max(wanted, 1) {
            var cut = dataStart + (n - dataStart) * k / wanted
            while cut < n, p[cut - 1] != 0x0A { cut += 1 }
            if cut > bounds.last!, cut < n { bounds.append(cut) }
        }
        bounds.append(n)
        let partCount = bounds.count - 1
        // Each part's rows are its line breaks (plus an unterminated last line): counted in parallel, so each
        // part knows where its rows go in the columns before it parses them.
        var lineCounts = [Int](repeating: 0, count: partCount)
        lineCounts.withUnsafeMutableBufferPointer { counts in
            let job = LineCount(p: p, bounds: bounds, counts: counts)
            DispatchQueue.concurrentPerform(iterations: partCount) { job.run(part: $0) }
        }
        var rowStarts = [0]
        for k in 0..<partCount { rowStarts.append(rowStarts[k] + lineCounts[k]) }
        if p[n - 1] != 0x0A { rowStarts[partCount] += 1 }
        let rows = rowStarts[partCount]
        guard rows > 0 else { return nil }

        var results = [PartResult?](repeating: nil, count: partCount)
        let (numberValues, (newCodeColumns, _)) = newColumns(numbers.count, rows: rows, Double.self, []) { numberColumns in
            newColumns(codes.count, rows: rows, Int32.self, []) { codeColumns in
                results.withUnsafeMutableBufferPointer { results in
                    let job = PartJob(p: p, bounds: bounds, rowStarts: rowStarts, kinds: kinds, last: n,
                                      numbers: numberColumns, codes: codeColumns, codeSlots: codes.count, results: results)
                    DispatchQueue.concurrentPerform(iterations: partCount) { job.run(part: $0) }
                }
            }
        }
        guard results.allSatisfy({ $0 != nil }) else { return nil }

        var numberColumns: [String: [Double]] = [:]
        for (slot, name) in numbers.enumerated() { numberColumns[name] = numberValues[slot] }
        var codeValues = newCodeColumns
        var codeColumns: [String: (codes: [Int32], labels: [String])] = [:]
        for (slot, name) in codes.enumerated() {
            // Each part numbered its labels in order of appearance; number them all as `CSVDocument.codes`
            // does (sorted labels), then rewrite each part's codes.
            let partLabels = results.map { result in
                result!.interners[slot].entries.map { CSVText.string(p, $0.start, $0.end) }
            }
            let labels = Array(Set(partLabels.joined())).sorted()
            let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, Int32($0)) })
            var column: [Int32] = []
            swap(&column, &codeValues[slot])  // the only reference: rewritten in place, not copied
            for k in 0..<partCount {
                let remap = partLabels[k].map { index[$0]! }
                // Labels that first appear in sorted order (0 before 1, A before B) keep their codes.
                if remap.enumerated().allSatisfy({ $0.offset == Int($0.element) }) { continue }
                column.withUnsafeMutableBufferPointer { column in
                    remap.withUnsafeBufferPointer { remap in
                        for row in rowStarts[k]..<rowStarts[k + 1] { column[row] = remap[Int(column[row])] }
                    }
                }
            }
            codeColumns[name] = (column, labels)
        }
        return CSVSimpleColumns(source: source, header: header, rowCount: rows, numbers: numberColumns, codes: codeColumns)
    }

    /// `count` new columns of `rows` elements, handed to `body` uninitialised (the parts fill them, each
    /// touching its own pages on its own core; no zero fill, no copy afterwards).
    private static func newColumns<E: BitwiseCopyable, R>(
        _ count: Int, rows: Int, _ type: E.Type, _ open: [UnsafeMutableBufferPointer<E>],
        _ body: ([UnsafeMutableBufferPointer<E>]) -> R
    ) -> ([[E]], R) {
        guard open.count < count else { return ([], body(open)) }
        var inner: ([[E]], R)?
        let column = [E](unsafeUninitializedCapacity: rows) { buffer, initialized in
            adviseHugePages(UnsafeMutableRawBufferPointer(buffer))
            inner = newColumns(count, rows: rows, type, open + [buffer], body)
            initialized = rows  // every row is written, or the whole read is given up (plain values either way)
        }
        return ([column] + inner!.0, inner!.1)
    }

    /// Asks the kernel to back the 2 MiB-aligned middle of a large new buffer with huge pages: the parts then
    /// take one page fault per 2 MiB instead of per 4 KiB as they write a million rows (Linux; a hint only).
    private static func adviseHugePages(_ buffer: UnsafeMutableRawBufferPointer) {
        #if os(Linux)
        guard let base = buffer.baseAddress else { return }
        let huge = 2 << 20
        let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
        let end = (Int(bitPattern: base) + buffer.count) & ~(huge - 1)
        if end > start { _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_HUGEPAGE) }
        #endif
    }

    /// The header's names (trimmed, as `CSVDocument.header`) and where the data starts; nil for a header with
    /// a quote, a lone CR or no line end.
    private static func readHeader(_ p: UnsafePointer<UInt8>, _ n: Int) -> ([String], Int)? {
        var names: [String] = []
        var start = 0, i = 0
        while i < n {
            let b = p[i]
            if b == UInt8(ascii: "\"") { return nil }
            if b == UInt8(ascii: ",") || b == 0x0A || b == 0x0D {
                let (s, e) = CSVText.trim(p, start, i)
                names.append(CSVText.string(p, s, e))
                if b == 0x0D { guard i + 1 < n, p[i + 1] == 0x0A else { return nil }; i += 1 }
                if b != UInt8(ascii: ",") { return (names, i + 1) }
                start = i + 1
            }
            i += 1
        }
        return nil
    }
}

private enum CellKind {
    case skip
    case number(Int)
    case code(Int)
}

private struct PartResult {
    var interners: [CSVCodes]
}

/// Line breaks of each part.
private struct LineCount: @unchecked Sendable {
    let p: UnsafePointer<UInt8>
    let bounds: [Int]
    let counts: UnsafeMutableBufferPointer<Int>

    func run(part: Int) { counts[part] = Self.lineBreaks(p, from: bounds[part], to: bounds[part + 1]) }

    /// LF bytes in `p[start..<end]`, eight at a time: a byte of `x ^ 0x0A…` is zero exactly where `x` has an
    /// LF, and `((y & 0x7F…) + 0x7F…) | y` sets a byte's high bit exactly when the byte is not zero.
    static func lineBreaks(_ p: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        let raw = UnsafeRawPointer(p)
        var lines = 0, i = start
        while i + 8 <= end {
            let y = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ 0x0A0A_0A0A_0A0A_0A0A
            let nonZero = ((y & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | y
            lines &+= (~nonZero & 0x8080_8080_8080_8080).nonzeroBitCount
            i += 8
        }
        while i < end { lines &+= p[i] == 0x0A ? 1 : 0; i += 1 }
        return lines
    }
}

/// One part of the data: rows `rowStarts[part]..<rowStarts[part + 1]` in bytes `bounds[part]..<bounds[part + 1]`.
/// Parts write disjoint rows of the shared columns, and their own result slot.
private struct PartJob: @unchecked Sendable {
    let p: UnsafePointer<UInt8>
    let bounds: [Int]
    let rowStarts: [Int]
    let kinds: [CellKind]
    let last: Int
    let numbers: [UnsafeMutableBufferPointer<Double>]
    let codes: [UnsafeMutableBufferPointer<Int32>]
    let codeSlots: Int
    let results: UnsafeMutableBufferPointer<PartResult?>

    func run(part: Int) {
        var interners = (0..<codeSlots).map { _ in CSVCodes() }
        if scan(part, &interners) { results[part] = PartResult(interners: interners) }
    }

    /// False as soon as the part is not simple.
    private func scan(_ part: Int, _ interners: inout [CSVCodes]) -> Bool {
        let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
        let end = bounds[part + 1]
        let columns = kinds.count
        var i = bounds[part]
        var row = rowStarts[part]
        let rowEnd = rowStarts[part + 1]
        return kinds.withUnsafeBufferPointer { kinds in
            while i < end {
                guard row < rowEnd else { return false }
                for c in 0..<columns {
                    let s = i
                    var j = i
                    // A number column's cell is read as the scan passes it when it is plain digits with at most
                    // one point; anything else (a sign, an exponent, a stray byte) goes to DecimalBytes below.
                    var plain: Double?
                    if case .number = kinds[c] { (plain, j) = PlainDecimal.read(p, i, end) }
                    while j < end {
                        let b = p[j]
                        if b <= comma, b == comma || b == lf || b == cr || b == quote { break }
                        j += 1
                    }
                    let e = j
                    // The field's end: a comma between fields, a line end (or the file's end) after the last.
                    if c + 1 < columns {
                        guard j < end, p[j] == comma else { return false }
                        i = j + 1
                    } else if j == end {
                        guard end == last else { return false }
                        i = j
                    } else if p[j] == lf {
                        i = j + 1
                    } else if p[j] == cr, j + 1 < end, p[j + 1] == lf {
                        i = j + 2
                    } else {
                        return false
                    }
                    switch kinds[c] {
                    case .skip:
                        break
                    case .number(let slot):
                        if let plain {
                            numbers[slot][row] = plain
                        } else {
                            guard let value = DecimalBytes.parse(UnsafeBufferPointer(start: p + s, count: e - s)) else { return false }
                            numbers[slot][row] = value
                        }
                    case .code(let slot):
                        // A label needs no trimming and no UTF-8 repair: printable ASCII at both ends, ASCII inside.
                        guard s < e, p[s] > 0x20, p[e - 1] > 0x20 else { return false }
                        for k in s..<e where p[k] >= 0x7F { return false }
                        codes[slot][row] = interners[slot].code(p, s, e)
                    }
                }
                row += 1
            }
            return row == rowEnd
        }
    }
}

/// Digits with at most one decimal point, up to 19 digits: the value `DecimalBytes.parse` gives for the same
/// bytes (the digits as one integer, exact below 2^53, divided once by an exact power of ten), read in the pass
/// that looks for the field's end. Returns the value — nil when the bytes are not that simple — and where
/// the reading stopped; the value holds only when that is the field's end.
enum PlainDecimal {
    static func read(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> (Double?, Int) {
        var mantissa: UInt64 = 0
        var digits = 0, point = -1, j = start
        while j < end {
            let d = p[j] &- UInt8(ascii: "0")
            if d < 10 {
                mantissa = mantissa &* 10 &+ UInt64(d)
                digits += 1
            } else if p[j] == UInt8(ascii: "."), point < 0 {
                point = digits
            } else {
                break
            }
            j += 1
        }
        if j < end {
            let b = p[j]
            guard b == UInt8(ascii: ",") || b == 0x0A || b == 0x0D else { return (nil, j) }
        }
        guard digits > 0, digits <= 19, mantissa <= 1 << 53 else { return (nil, j) }
        let decimals = point < 0 ? 0 : digits - point
        return (decimals == 0 ? Double(mantissa) : Double(mantissa) / powersOfTen[decimals], j)
    }

    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
    ]
}
