import Foundation
import RestoraDomain

// MARK: - Writing

extension FHIRJSON {
    /// Compact UTF-8 JSON (one line: also the NDJSON line of a bulk export).
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        write(to: &out)
        return out
    }

    public func encodedData() -> Data { Data(encoded()) }

    public func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: FHIRJSON.nullBytes)
        case .bool(let value): out.append(contentsOf: value ? FHIRJSON.trueBytes : FHIRJSON.falseBytes)
        case .integer(let value): FHIRJSON.writeInteger(value, to: &out)
        case .decimal(let text): out.append(contentsOf: text.utf8)
        case .string(let text): JSONStringWriter.write(text, to: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            var first = true
            for value in values {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                value.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (key, value) in members {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                FHIRJSON.writeMember(key, to: &out)
                value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let nullBytes: [UInt8] = Array("null".utf8)
    private static let trueBytes: [UInt8] = Array("true".utf8)
    private static let falseBytes: [UInt8] = Array("false".utf8)

    /// `"key":` (the key as a JSON string, then the colon).
    static func writeMember(_ key: String, to out: inout [UInt8]) {
        JSONStringWriter.write(key, to: &out)
        out.append(UInt8(ascii: ":"))
    }

    /// An integer's decimal digits, without building a String (the same text as `String(value)`).
    static func writeInteger(_ value: Int, to out: inout [UInt8]) {
        if value == 0 { out.append(UInt8(ascii: "0")); return }
        var magnitude = value.magnitude
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while magnitude > 0 {
                buffer[19 - count] = UInt8(truncatingIfNeeded: magnitude % 10) + UInt8(ascii: "0")
                magnitude /= 10
                count += 1
            }
            out.append(contentsOf: buffer[(20 - count)...])
        }
    }
}
