/// A JSON string written straight into bytes, as Foundation's `JSONEncoder` writes it with `.withoutEscapingSlashes`:
/// `"` and `\` escaped, the control characters as `\b \t \n \f \r` or `\u00xx` (lower-case hex), everything else
/// (`/`, DEL, all non-ASCII text) copied as is. The FHIR writer and the audit trail's changes both write through
/// it; the audit's stored text must stay byte for byte what the encoder wrote, because the chain hashes it.
public enum JSONStringWriter {
    /// Appends `text` as a quoted JSON string. The text is scanned eight bytes at a time (`needsEscape`) and copied
    /// in runs: most strings have nothing to escape, and the byte-by-byte scan was the largest single cost of a
    /// FHIR bulk export's writing (issue #17).
    public static func write(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            let count = bytes.count
            var start = 0
            var index = 0
            while index < count {
                while index + 8 <= count, !needsEscape(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)) {
                    index += 8
                }
                guard index < count else { break }
                let byte = base[index]
                index += 1
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if start < index - 1 { out.append(contentsOf: UnsafeBufferPointer(start: base + start, count: index - 1 - start)) }
                start = index
                appendEscape(of: byte, to: &out)
            }
            if start < count { out.append(contentsOf: UnsafeBufferPointer(start: base + start, count: count - start)) }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The escape of one byte that needs one (a quote, a backslash or a control character).
    static func appendEscape(of byte: UInt8, to out: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
        case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
        case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
        case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
        case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
        case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
        case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
        default:
            out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hexDigit(byte >> 4), hexDigit(byte & 0xF)])
        }
    }

    /// The lower-case hex digit of `nibble` (0–15).
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    /// Whether any of the eight bytes of `word` is below 0x20, a quote or a backslash (the bit tricks of "Bit
    /// Twiddling Hacks", "Determine if a word has a byte less than n" and "… equal to n": exact as a yes/no, and
    /// bytes of 0x80 and above, the UTF-8 of non-ASCII text, never count).
    @inline(__always)
    static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let control = (word &- ones &* 0x20) & ~word & highs
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let quotes = (quote &- ones) & ~quote & highs
        let backslashes = (backslash &- ones) & ~backslash & highs
        return (control | quotes | backslashes) != 0
    }
}
