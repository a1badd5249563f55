import Foundation

/// `String(format: "%.Nf", value)` without a format string per call: the value is scaled by 10^N and rounded
/// to an integer (exact up to 2^53), whose digits are written with the point inserted. When the scaled value
/// ends in exactly one half, the multiplication's own rounding error decides, and an exact tie goes to the even
/// digit: the text is always printf's (`FixedFormatTests` compares the two).
/// `restora stats km` prints a row per event time: on a million subjects that was 400,000 formatted cells.
enum FixedFormat {
    /// The text appended to `bytes` (the tables of `restora stats` write their cells as bytes).
    static func append(_ value: Double, decimals: Int, to bytes: inout [UInt8]) {
        withDigits(value, decimals) { bytes.append(contentsOf: $0) }
    }

    /// Calls `body` once with the text's UTF-8.
    private static func withDigits(_ value: Double, _ decimals: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        guard value.isFinite, decimals >= 0, decimals <= 15 else { return slow(value, decimals, body) }
        let scaled = value.magnitude * powersOfTen[decimals]
        guard scaled < 4e15 else { return slow(value, decimals, body) }
        let whole = scaled.rounded(.down)
        let fraction = scaled - whole  // exact below 2^52
        let up: Bool
        if fraction != 0.5 {
            // Both sides of one half are at least an ulp of `scaled` away from it, more than its rounding error.
            up = fraction > 0.5
        } else {
            // The product's rounding error, exactly (one fused multiply-add), says which side the decimal is on;
            // an exact tie goes to the even digit, as printf's default rounding does.
            let error = (-scaled).addingProduct(value.magnitude, powersOfTen[decimals])
            up = error > 0 || (error == 0 && whole.truncatingRemainder(dividingBy: 2) == 1)
        }
        var n = UInt64(whole) + (up ? 1 : 0)
        // Digits from the right: the fraction (zero-padded to `decimals`), the point, the integer part, the sign.
        var buffer: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 32 bytes
        withUnsafeMutableBytes(of: &buffer) { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var i = bytes.count
            for _ in 0..<decimals { i -= 1; bytes[i] = UInt8(ascii: "0") + UInt8(n % 10); n /= 10 }
            if decimals > 0 { i -= 1; bytes[i] = UInt8(ascii: ".") }
            repeat { i -= 1; bytes[i] = UInt8(ascii: "0") + UInt8(n % 10); n /= 10 } while n > 0
            if value.sign == .minus { i -= 1; bytes[i] = UInt8(ascii: "-") }
            body(UnsafeBufferPointer(rebasing: bytes[i...]))
        }
    }

    private static func slow(_ value: Double, _ decimals: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var text = String(format: "%.\(decimals)f", value)
        text.withUTF8(body)
    }

    private static let powersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15]
}
