import Dispatch

/// Typed columns of a `CSVDocument`. Every refusal names the file, the row and the column.
extension CSVDocument {
    /// Labels, trimmed; an empty cell is refused.
    public func strings(_ name: String) throws -> [String] {
        let column = try columnIndex(name)
        var out: [String] = []
        out.reserveCapacity(rowCount)
        try forEachCell(column) { row, p, s, e in
            if s == e { throw CSVError(cellPrefix(row: row, column: name) + "missing value") }
            out.append(CSVText.string(p, s, e))
        }
        return out
    }

    /// Decimal numbers (see `DecimalBytes`: no hexadecimal, inf, nan or NUL bytes); an empty cell is refused.
    public func numbers(_ name: String) throws -> [Double] {
        let column = try columnIndex(name)
        var out = [Double](repeating: 0, count: rowCount)
        // A long column is parsed in two halves at once, one per core; if either finds a cell it refuses, the
        // column is parsed again in order, which refuses the first such cell with its row.
        if rowCount >= Self.halvesFrom, out.withUnsafeMutableBufferPointer({ parsedInHalves(column, into: $0) }) { return out }
        try out.withUnsafeMutableBufferPointer { values in
            try forEachCell(column) { row, p, s, e in
                guard let value = DecimalBytes.parse(UnsafeBufferPointer(start: p + s, count: e - s)) else {
                    if s == e { throw CSVError(cellPrefix(row: row, column: name) + "missing value") }
                    let text = CSVText.visible(CSVText.string(p, s, e))
                    throw CSVError(cellPrefix(row: row, column: name) + "'\(text)' is not a finite decimal number")
                }
                values[row] = value
            }
        }
        return out
    }

    /// Rows from which a numeric column is parsed in two halves at once.
    static let halvesFrom = 200_000

    /// Parses `column` into `values`, the two halves of the rows at once; false when a cell is refused.
    private func parsedInHalves(_ column: Int, into values: UnsafeMutableBufferPointer<Double>) -> Bool {
        let halves = HalfResults(values: values)
        let middle = rowCount / 2
        DispatchQueue.concurrentPerform(iterations: 2) { half in
            let rows = half == 0 ? 0..<middle : middle..<rowCount
            var ok = true
            forEachCell(column, rows: rows) { row, p, s, e in
                guard ok else { return }
                if let value = DecimalBytes.parse(UnsafeBufferPointer(start: p + s, count: e - s)) {
                    halves.values[row] = value
                } else {
                    ok = false
                }
            }
            if !ok { halves.refuse(half: half) }
        }
        return !halves.refused
    }

    /// Labels as codes: `labels` sorted (as `Set(strings).sorted()`), `codes[row]` the index of the row's label.
    /// Rows with the same bytes share a code without making a String each, so a label column of a million rows
    /// costs one hash of a few bytes per row.
    public func codes(_ name: String) throws -> (codes: [Int32], labels: [String]) {
        let column = try columnIndex(name)
        var interner = CSVCodes()
        var codes = [Int32](repeating: 0, count: rowCount)
        try codes.withUnsafeMutableBufferPointer { out in
            try forEachCell(column) { row, p, s, e in
                if s == e { throw CSVError(cellPrefix(row: row, column: name) + "missing value") }
                out[row] = interner.code(p, s, e)
            }
        }
        // Distinct byte strings can be the same label (a quoted field with doubled quotes, a different trim):
        // merge by the decoded String, then number the labels in sorted order.
        let raw = bytes.withUnsafeBufferPointer { b in interner.entries.map { CSVText.string(b.baseAddress!, $0.start, $0.end) } }
        let labels = Array(Set(raw)).sorted()
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, Int32($0)) })
        let remap = raw.map { index[$0]! }
        codes.withUnsafeMutableBufferPointer { c in
            remap.withUnsafeBufferPointer { m in
                for i in c.indices { c[i] = m[Int(c[i])] }
            }
        }
        return (codes, labels)
    }
}

/// Open-addressing table from a cell's bytes to a code (order of first appearance).
struct CSVCodes {
    private(set) var entries: [(start: Int, end: Int)] = []
    private var slots: [Int32]  // code + 1, 0 = empty
    private var hashes: [UInt64] = []
    private var mask: Int

    init() {
        mask = 63
        slots = [Int32](repeating: 0, count: 64)
    }

    mutating func code(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> Int32 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in s..<e { h = (h ^ UInt64(p[i])) &* 0x100_0000_01b3 }
        var slot = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { break }
            let candidate = entries[entry - 1]
            if hashes[entry - 1] == h, candidate.end - candidate.start == e - s,
               memoryEqual(p + candidate.start, p + s, e - s) {
                return Int32(entry - 1)
            }
            slot = (slot + 1) & mask
        }
        entries.append((s, e))
        hashes.append(h)
        slots[slot] = Int32(entries.count)
        if entries.count * 2 > mask { grow() }
        return Int32(entries.count - 1)
    }

    private mutating func grow() {
        mask = mask * 2 + 1
        slots = [Int32](repeating: 0, count: mask + 1)
        for (i, h) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(i + 1)
        }
    }

    private func memoryEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        for i in 0..<count where a[i] != b[i] { return false }
        return true
    }
}

/// The output of `parsedInHalves`: each half writes only its own rows of `values` and its own flag, and both are
/// read only after `concurrentPerform` has returned.
private final class HalfResults: @unchecked Sendable {
    let values: UnsafeMutableBufferPointer<Double>
    private let refusedHalves = UnsafeMutablePointer<Bool>.allocate(capacity: 2)

    init(values: UnsafeMutableBufferPointer<Double>) {
        self.values = values
        refusedHalves.initialize(repeating: false, count: 2)
    }

    deinit { refusedHalves.deallocate() }

    func refuse(half: Int) { refusedHalves[half] = true }

    var refused: Bool { refusedHalves[0] || refusedHalves[1] }
}
