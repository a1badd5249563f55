import Foundation

/// The opaque `cursor` of participant search pages: the last id of the page, base64. A cursor that was not
/// made here is refused (400 `bad_cursor`), never silently read as "from the start".
public enum ParticipantCursor {
    public struct Malformed: Error, Equatable, Sendable, CustomStringConvertible {
        public init() {}
        public var description: String {
            "the cursor is not one this server issued; pass the nextCursor of the previous page exactly as received, or leave it out for the first page"
        }
    }

    public static func encode(lastID: String) -> String {
        Data(lastID.utf8).base64EncodedString()
    }

    /// The id the next page starts after. A `+` that a query string turned into a space is read as `+`.
    public static func decode(_ cursor: String) throws -> String {
        let text = cursor.replacingOccurrences(of: " ", with: "+")
        guard !text.isEmpty, text.count <= 400, let data = Data(base64Encoded: text),
              let id = String(data: data, encoding: .utf8), !id.isEmpty,
              id.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value != 0x7F && !$0.properties.isWhitespace }) else {
            throw Malformed()
        }
        return id
    }
}
