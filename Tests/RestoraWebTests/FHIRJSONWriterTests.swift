import Foundation
import RestoraDomain
@testable import RestoraWeb
import Testing

/// The JSON string writer (`JSONStringWriter`, shared with the audit trail's changes) scans eight bytes at a time
/// for what must be escaped (`"`, `\`, control characters): every escape at every position in and around a word,
/// multi-byte UTF-8 beside them, and long runs must give exactly the bytes of the plain byte-by-byte rule, and read
/// back (Foundation's parser) as the same text.
@Suite struct FHIRJSONWriterTests {
    /// The rule written out one byte at a time, as the reference.
    static func reference(_ text: String) -> [UInt8] {
        var out: [UInt8] = [0x22]
        for byte in text.utf8 {
            switch byte {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0x08: out += [0x5C, UInt8(ascii: "b")]
            case 0x0C: out += [0x5C, UInt8(ascii: "f")]
            case ..<0x20: out += Array(String(format: "\\u%04x", byte).utf8)
            default: out.append(byte)
            }
        }
        return out + [0x22]
    }

    static var samples: [String] {
        var texts = ["", "a", "plain ASCII text longer than one word", "é", "中文🧪 mixed ü", String(repeating: "x", count: 1_000)]
        let specials = ["\"", "\\", "\n", "\r", "\t", "\u{8}", "\u{C}", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", " ", "é", "🧪"]
        for special in specials {
            for position in 0...17 {
                let before = String(repeating: "a", count: position)
                texts.append(before + special)
                texts.append(before + special + "bcdefghijklmnop")
                texts.append(before + special + special + "z")
            }
        }
        texts.append("say \"hi\"\\ and\tthen\r\nbye\u{2}" + String(repeating: "é", count: 9) + "\"")
        return texts
    }

    @Test func eightBytesAtATimeWritesWhatTheByteRuleWrites() throws {
        for text in Self.samples {
            var out: [UInt8] = []
            JSONStringWriter.write(text, to: &out)
            #expect(out == Self.reference(text), "\(text.debugDescription)")
            let read = try JSONSerialization.jsonObject(with: Data(out), options: [.fragmentsAllowed]) as? String
            #expect(read == text, "\(text.debugDescription)")
        }
    }

    @Test func aResourceWritesAndParsesBackTheSame() throws {
        let resource = FHIRJSON.object([
            ("resourceType", .string("Observation")), ("id", .string("o-1")),
            ("valueQuantity", .object([("value", .decimal("1.50")), ("unit", .string("mmol/L"))])),
            ("note", .array([.object([("text", .string("line 1\nline \"2\""))])])),
            ("issued", .null), ("flag", .bool(true)), ("count", .integer(-42)),
        ])
        let bytes = resource.encoded()
        #expect(String(decoding: bytes, as: UTF8.self)
            == #"{"resourceType":"Observation","id":"o-1","valueQuantity":{"value":1.50,"unit":"mmol/L"},"note":[{"text":"line 1\nline \"2\""}],"issued":null,"flag":true,"count":-42}"#)
        #expect(try FHIRJSON.parse(bytes) == resource)
    }
}
