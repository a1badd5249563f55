import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

/// `AuditChain.encodeChanges` writes an entry's changes directly instead of through `JSONEncoder`. The stored text
/// is what the chain hashes, so it must stay byte for byte what the encoder wrote (`StoredJSON.text`) and decode
/// back to the same changes.
@Suite("Audit changes: written directly, byte for byte as the JSON encoder wrote them")
struct AuditChangesEncodingTests {
    /// What the store wrote before: the changes as a JSON tree through the store's encoder.
    static func encoderText(_ changes: [AuditEntry.Change]) throws -> String {
        try StoredJSON.text(.array(changes.map {
            JSONValue.array([.string($0.field), $0.old.map(JSONValue.string) ?? .null, $0.new.map(JSONValue.string) ?? .null])
        }))
    }

    @Test("every ASCII character, alone and inside text, escapes as the encoder escapes it")
    func everyASCIICharacter() throws {
        for byte in UInt8(0)..<0x80 {
            let character = String(UnicodeScalar(byte))
            let changes = [AuditEntry.Change(field: "note", old: character, new: "a\(character)b/\(character)")]
            let written = try #require(AuditChain.encodeChanges(changes))
            #expect(written == (try Self.encoderText(changes)), "byte \(byte)")
            #expect(AuditChain.decodeChanges(written) == changes, "byte \(byte)")
        }
    }

    @Test("non-ASCII text, absent values, empty strings and many changes")
    func mixedChanges() throws {
        let samples = ["", "é", "😀", "\u{2028}", "\u{2029}", "\u{FEFF}", "e\u{301}", "日本語", "150 mg/dL", "\u{7F}", "\"quoted\"",
                       "back\\slash", "tab\tnew\nline\r\u{8}\u{C}", "\u{1}\u{1F}"]
        var generator = XorShift(state: 0x9E37_79B9_7F4A_7C15)  // fixed: a failure repeats
        for _ in 0..<200 {
            let changes = (0..<Int.random(in: 1...6, using: &generator)).map { _ in
                AuditEntry.Change(
                    field: samples.randomElement(using: &generator)! + "field",
                    old: Bool.random(using: &generator) ? nil : (0..<3).map { _ in samples.randomElement(using: &generator)! }.joined(),
                    new: Bool.random(using: &generator) ? nil : (0..<3).map { _ in samples.randomElement(using: &generator)! }.joined())
            }
            let written = try #require(AuditChain.encodeChanges(changes))
            #expect(written == (try Self.encoderText(changes)), "\(changes)")
            #expect(AuditChain.decodeChanges(written) == changes)
        }
    }

    @Test("no changes are no text, as before")
    func noChanges() {
        #expect(AuditChain.encodeChanges([]) == nil)
    }
}

/// A seeded generator (xorshift64), so the mixed cases are the same on every run.
private struct XorShift: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}
