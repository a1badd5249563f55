/// Numbers typed by people (CSV cells, comma-separated option values): plain decimal notation only —
/// an optional sign, digits with an optional decimal point, an optional exponent (`-1.5`, `.5`, `2e3`).
/// Swift's `Double(_:)` also reads hexadecimal (`0x10` = 16), `inf`/`nan`, and stops at a NUL byte (`1\0` = 1);
/// none of those is a measurement, so they are refused rather than read as something else (issue 12, item 10).
enum DecimalNumber {
    static func parse(_ text: some StringProtocol) -> Double? {
        guard isDecimal(text), let value = Double(String(text)), value.isFinite else { return nil }
        return value
    }

    static func isDecimal(_ text: some StringProtocol) -> Bool {
        var bytes = Array(text.utf8)[...]
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let isDigit = { (b: UInt8) in b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        var mantissaDigits = 0
        while let b = bytes.first, isDigit(b) { mantissaDigits += 1; bytes = bytes.dropFirst() }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            while let b = bytes.first, isDigit(b) { mantissaDigits += 1; bytes = bytes.dropFirst() }
        }
        guard mantissaDigits > 0 else { return false }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let s = bytes.first, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            var exponentDigits = 0
            while let b = bytes.first, isDigit(b) { exponentDigits += 1; bytes = bytes.dropFirst() }
            guard exponentDigits > 0 else { return false }
        }
        return bytes.isEmpty
    }

    /// The text as it can be shown in a message: control characters (a NUL byte, a tab) written as `\u{0}`.
    static func visible(_ text: some StringProtocol) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }
}
