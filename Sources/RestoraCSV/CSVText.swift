/// Byte-level helpers shared by the reader and its columns: trimming (as `CharacterSet.whitespaces`: tab and
/// the Unicode space separators, decoded only when a cell starts or ends with a non-ASCII byte), unescaping
/// doubled quotes, and showing a cell in a message.
public enum CSVText {
    /// The range of `bytes[start..<end]` without leading and trailing whitespace.
    static func trim(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> (Int, Int) {
        var s = start, e = end
        while true {
            while s < e, p[s] == 0x20 || p[s] == 0x09 { s += 1 }
            guard s < e, p[s] >= 0x80, let (scalar, length) = scalarForward(p, s, e), isSpace(scalar) else { break }
            s += length
        }
        while true {
            while s < e, p[e - 1] == 0x20 || p[e - 1] == 0x09 { e -= 1 }
            guard s < e, p[e - 1] >= 0x80, let (scalar, length) = scalarBackward(p, s, e), isSpace(scalar) else { break }
            e -= length
        }
        return (s, e)
    }

    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator
    }

    private static func scalarForward(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> (Unicode.Scalar, Int)? {
        let lead = p[s]
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0
        guard length > 0, s + length <= e else { return nil }
        return decode(p, s, length).map { ($0, length) }
    }

    private static func scalarBackward(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> (Unicode.Scalar, Int)? {
        var start = e - 1
        while start > s, e - start < 4, p[start] & 0xC0 == 0x80 { start -= 1 }
        let length = e - start
        guard length >= 2 else { return nil }
        guard let (scalar, decoded) = scalarForward(p, start, e), decoded == length else { return nil }
        return (scalar, length)
    }

    private static func decode(_ p: UnsafePointer<UInt8>, _ s: Int, _ length: Int) -> Unicode.Scalar? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = UnsafeBufferPointer(start: p + s, count: length).makeIterator()
        guard case .valid(let encoded) = parser.parseScalar(from: &iterator), encoded.count == length else { return nil }
        return Unicode.UTF8.decode(encoded)
    }

    /// The cell's text: quotes doubled inside a quoted field become one; invalid UTF-8 is repaired (U+FFFD).
    static func string(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> String {
        let buffer = UnsafeBufferPointer(start: p + start, count: end - start)
        guard buffer.contains(UInt8(ascii: "\"")) else { return String(decoding: buffer, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(buffer.count)
        var i = 0
        while i < buffer.count {
            out.append(buffer[i])
            if buffer[i] == UInt8(ascii: "\""), i + 1 < buffer.count, buffer[i + 1] == UInt8(ascii: "\"") { i += 1 }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The text as it can be shown in a message: control characters (a NUL byte, a tab) written as `\u{0}`.
    public static func visible(_ text: some StringProtocol) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }
}
