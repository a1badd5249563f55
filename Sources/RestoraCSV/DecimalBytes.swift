/// Numbers typed by people, read straight from bytes: plain decimal notation only — an optional sign, digits
/// with an optional decimal point, an optional exponent (`-1.5`, `.5`, `5.`, `2e3`, `1E-2`). Hexadecimal,
/// `inf`/`nan`, digit separators, spaces and NUL bytes are not numbers here (issue 12, item 10).
///
/// The result is correctly rounded (the same Double as `Double(String)`): up to 19 significant digits are
/// gathered in an integer, and when that integer is exact in a Double (≤ 2^53) and the decimal exponent is
/// within ±22, one IEEE multiplication or division by an exact power of ten rounds once (Clinger's fast path).
/// Longer or more extreme numbers go to the standard library's correctly rounded conversion.
public enum DecimalBytes {
    /// The value, or nil when the bytes are not a decimal number or the number is not finite.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        let end = bytes.count
        guard end > 0, let p = bytes.baseAddress else { return nil }
        if end == 1 {  // a single digit: event indicators, codes
            let d = p[0] &- UInt8(ascii: "0")
            return d < 10 ? Double(d) : nil
        }
        var i = 0
        var negative = false
        if p[0] == UInt8(ascii: "-") || p[0] == UInt8(ascii: "+") { negative = p[0] == UInt8(ascii: "-"); i = 1 }
        var mantissa: UInt64 = 0
        var significant = 0
        var digits = 0
        var exponent = 0
        var truncated = false
        while i < end {
            let d = p[i] &- UInt8(ascii: "0")
            guard d < 10 else { break }
            digits += 1
            if significant < 19 {
                mantissa = mantissa &* 10 &+ UInt64(d)
                if mantissa != 0 { significant += 1 }
            } else {
                exponent += 1
                truncated = true
            }
            i += 1
        }
        if i < end, p[i] == UInt8(ascii: ".") {
            i += 1
            while i < end {
                let d = p[i] &- UInt8(ascii: "0")
                guard d < 10 else { break }
                digits += 1
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    if mantissa != 0 { significant += 1 }
                    exponent -= 1
                } else {
                    truncated = true
                }
                i += 1
            }
        }
        guard digits > 0 else { return nil }
        if i < end, p[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < end, p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") {
                exponentNegative = p[i] == UInt8(ascii: "-"); i += 1
            }
            var value = 0
            var exponentDigits = 0
            while i < end {
                let d = p[i] &- UInt8(ascii: "0")
                guard d < 10 else { break }
                if value < 1_000_000 { value = value * 10 + Int(d) }
                exponentDigits += 1
                i += 1
            }
            guard exponentDigits > 0 else { return nil }
            exponent += exponentNegative ? -value : value
        }
        guard i == end else { return nil }
        if mantissa == 0 && !truncated { return negative ? -0.0 : 0.0 }
        if !truncated, mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            var value = Double(mantissa)
            value = exponent < 0 ? value / powersOfTen[-exponent] : value * powersOfTen[exponent]
            return negative ? -value : value
        }
        guard let value = Double(String(decoding: bytes, as: UTF8.self)), value.isFinite else { return nil }
        return value
    }

    /// `parse` on the UTF-8 of a string (option values such as `--at 3,6,12`).
    public static func parse(_ text: some StringProtocol) -> Double? {
        var copy = String(text)
        return copy.withUTF8 { parse($0) }
    }

    /// Exact powers of ten (10^22 is the largest exact in a Double).
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
}
