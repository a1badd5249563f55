import Foundation

/// A text table as `restora stats` prints it: the header, then a line per row; columns two spaces apart, the
/// first left-aligned and the others right-aligned, each as wide as its widest cell (in characters).
///
/// Cells are written as bytes into one buffer as they come — numbers straight from their digits
/// (`TableNumber`) — so a Kaplan–Meier curve of 70,000 rows makes no String per cell.
struct TextTable {
    private let header: [String]
    private var widths: [Int]
    private var bytes: [UInt8] = []
    /// Where each cell ends in `bytes`, row-major.
    private var ends: [Int] = []
    /// The width in characters of each cell whose width is not its byte count (non-ASCII text), by index.
    private var wideCells: [Int: Int] = [:]
    /// The column the next cell goes in.
    private var column = 0

    init(_ header: [String], expectedRows: Int = 0) {
        self.header = header
        widths = header.map(Self.width)
        bytes.reserveCapacity(expectedRows * header.count * 8)
        ends.reserveCapacity(expectedRows * header.count)
    }

    /// A cell of text.
    mutating func cell(_ text: String) {
        let width = Self.width(text)
        
        if width != text.utf8.count { wideCells[ends.count] = width }
        bytes.append(contentsOf: text.utf8)
        finishCell(width: width)
    }

    /// A number with `digits` significant digits, or NA (`TableNumber`).
    mutating func cell(_ value: Double?, digits: Int = 4) {
        let start = bytes.count
        TableNumber.append(value, digits: digits, to: &bytes)
        finishCell(width: bytes.count - start)
    }

    /// A count, in decimal digits.
    mutating func cell(_ value: Int) {
        let start = bytes.count
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: a sign and up to 19 digits
        withUnsafeMutableBytes(of: &digits) { raw in
            var n = value.magnitude, i = raw.count
            repeat { i -= 1; raw[i] = UInt8(ascii: "0") + UInt8(n % 10); n /= 10 } while n > 0
            if value < 0 { i -= 1; raw[i] = UInt8(ascii: "-") }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[i...]))
        }
        finishCell(width: bytes.count - start)
    }

    private mutating func finishCell(width: Int) {
        widths[column] = max(widths[column], width)
        column = column + 1 == widths.count ? 0 : column + 1
        ends.append(bytes.count)
    }

    private func width(ofCell k: Int) -> Int {
        if !wideCells.isEmpty, let width = wideCells[k] { return width }
        return ends[k] - (k == 0 ? 0 : ends[k - 1])
    }

    /// The table appended to `out`, without a line break after the last row (a row left incomplete is not
    /// shown). The table's bytes are appended as spaces, then each cell's bytes are copied to their place.
    func render(into out: inout [UInt8]) {
        let columns = header.count
        guard columns > 0 else { return }
        let rows = ends.count / columns
        let headerBytes = header.map { Array($0.utf8) }
        var size = (rows + 1) * 2 * (columns - 1) + rows + (rows > 0 ? ends[rows * columns - 1] : 0)
        for c in 0..<columns { size += headerBytes[c].count + widths[c] - Self.width(header[c]) }
        for k in 0..<rows * columns { size += widths[k % columns] - width(ofCell: k) }
        let start = out.count
        out.append(contentsOf: repeatElement(0x20, count: size))
        out.withUnsafeMutableBufferPointer { t in
            var at = start
            func put(_ cell: UnsafeBufferPointer<UInt8>, width: Int, column: Int) {
                if column > 0 { at += 2 }
                let pad = widths[column] - width
                if column > 0 { at += pad }
                if let base = cell.baseAddress, !cell.isEmpty {
                    (t.baseAddress! + at).update(from: base, count: cell.count)
                }
                at += cell.count
                if column == 0 { at += pad }
            }
            for c in 0..<columns {
                headerBytes[c].withUnsafeBufferPointer { put($0, width: Self.width(header[c]), column: c) }
            }
            bytes.withUnsafeBufferPointer { b in
                var start = 0
                for k in 0..<rows * columns {
                    let c = k % columns
                    if c == 0 { t[at] = 0x0A; at += 1 }
                    put(UnsafeBufferPointer(rebasing: b[start..<ends[k]]), width: width(ofCell: k), column: c)
                    start = ends[k]
                }
            }
        }
    }

    var text: String {
        var out: [UInt8] = []
        render(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Characters; an ASCII cell's width is its byte count.
    private static func width(_ cell: String) -> Int {
        for b in cell.utf8 where b >= 0x80 { return cell.count }
        return cell.utf8.count
    }
}

/// Significant-digit numbers for tables: "NA" for an undefined value (never "nan"), "0", fixed notation from
/// 1e-4 to 1e7 (`FixedFormat`), scientific notation outside it.
enum TableNumber {
    static func append(_ value: Double?, digits: Int = 4, to bytes: inout [UInt8]) {
        guard let value, value.isFinite else { return bytes.append(contentsOf: "NA".utf8) }
        if value == 0 { return bytes.append(UInt8(ascii: "0")) }
        let magnitude = abs(value)
        if magnitude >= 1e-4 && magnitude < 1e7 {
            let decimals = max(0, digits - 1 - decimalExponent(magnitude))
            return FixedFormat.append(value, decimals: decimals, to: &bytes)
        }
        bytes.append(contentsOf: String(format: "%.\(digits - 1)e", value).utf8)
    }

    /// floor(log10(m)) for m in [1e-4, 1e7), by comparison with the powers of ten; right at a power the
    /// logarithm's own rounding decides, as it always did.
    static func decimalExponent(_ m: Double) -> Int {
        var k = 0  // powers[k] = 10^(k - 4)
        while k + 1 < powers.count, m >= powers[k + 1] { k += 1 }
        let nearPower = m <= powers[k] * (1 + 1e-12) || (k + 1 < powers.count && m * (1 + 1e-12) >= powers[k + 1])
        return nearPower ? Int(floor(log10(m))) : k - 4
    }

    private static let powers: [Double] = [1e-4, 1e-3, 1e-2, 1e-1, 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7]

    static func text(_ value: Double?, digits: Int = 4) -> String {
        var bytes: [UInt8] = []
        append(value, digits: digits, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
