import Foundation
@testable import RestoraStorage
import SQLiteKit
import SQLiteNIO
import Testing

/// The writer's rows decode strings, integers, reals and booleans (and their optionals) without SQLiteKit's
/// decoder (`SQLiteScalar`). Each answer, value or error, must be the one the decoder gives for the same cell.
@Suite("Writer rows: scalar columns decode as SQLiteKit decodes them")
struct WriterScalarDecodingTests {
    static let cells: [SQLiteData] = [
        .text("abc"), .text(""), .text("12"), .text("1.5"), .text("true"), .integer(0), .integer(1), .integer(-7),
        .integer(Int(Int32.max) + 1), .float(2.5), .float(0), .null, .blob(ByteBuffer(bytes: [1, 2, 3])),
    ]

    /// The decoder's answer and the fast path's, as text: the value, or "error" when it refuses the cell.
    static func both<T: Decodable & Equatable>(_: T.Type, _ data: SQLiteData) throws -> (decoder: String, scalar: String) {
        let decoder = Result { try SQLiteDataDecoder().decode(T.self, from: data) }
        let scalar = Result { try #require(try SQLiteScalar.decode(T.self, from: data), "\(T.self) takes the fast path") }
        func text(_ r: Result<T, any Error>) -> String {
            switch r {
            case let .success(value): return "value \(String(describing: value))"
            case let .failure(error): return "error \(type(of: error))"
            }
        }
        return (text(decoder), text(scalar))
    }

    @Test("every scalar type and its optional, on every kind of cell")
    func sameAnswers() throws {
        for data in Self.cells {
            for (name, pair) in [
                ("String", try Self.both(String.self, data)), ("Int", try Self.both(Int.self, data)),
                ("Double", try Self.both(Double.self, data)), ("Bool", try Self.both(Bool.self, data)),
                ("String?", try Self.both(String?.self, data)), ("Int?", try Self.both(Int?.self, data)),
                ("Double?", try Self.both(Double?.self, data)), ("Bool?", try Self.both(Bool?.self, data)),
            ] {
                #expect(pair.scalar == pair.decoder, "\(name) from \(data)")
            }
        }
    }

    @Test("a refused cell names the type and the cell as the decoder does")
    func refusalMessage() {
        func message(_ body: () throws -> Any?) -> String {
            do { _ = try body(); return "no error" } catch { return String(describing: error) }
        }
        #expect(message { try SQLiteScalar.decode(Int.self, from: .text("x")) }
                == message { try SQLiteDataDecoder().decode(Int.self, from: .text("x")) })
        #expect(message { try SQLiteScalar.decode(Double?.self, from: .text("x")) }
                == message { try SQLiteDataDecoder().decode(Double?.self, from: .text("x")) })
    }

    @Test("other types are left to the decoder")
    func otherTypes() throws {
        #expect(try SQLiteScalar.decode([String].self, from: .text("[\"a\"]")) == nil)
        #expect(try SQLiteScalar.decode(Date.self, from: .text("2026-01-02T09:00:00Z")) == nil)
        #expect(try SQLiteScalar.decode(Int64.self, from: .integer(3)) == nil)
    }
}
