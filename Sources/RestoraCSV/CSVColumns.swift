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
    private var singleByte = [Int32](repeating: -1, count: 256)

    init() {
        mask = 63
        slots = [Int32](repeating: 0, count: 64)
    }

    mutating func code(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> Int32 {
        // One-byte labels (arms 0/1, A/B) are the common case: looked up by their byte, without a hash.
        if e - s == 1, singleByte[Int(p[s])] >= 0 { return singleByte[Int(p[s])] }
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
        if e - s == 1 { singleByte[Int(p[s])] = Int32(entries.count) }
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
