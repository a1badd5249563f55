import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

@Suite("Bad input")
struct BadInputTests {
    static let cases: [(String, String, HTTPResponse.Status, String)] = [
        ("malformed JSON", #"{"siteID":"site-a","mrn":"#, .badRequest, "malformed_body"),
        ("wrong type", newParticipant.replacingOccurrences(of: #""sex":"male""#, with: #""sex":5"#), .badRequest, "malformed_body"),
        ("unknown code", newParticipant.replacingOccurrences(of: #""sex":"male""#, with: #""sex":"robot""#), .badRequest, "malformed_body"),
        ("impossible date", newParticipant.replacingOccurrences(of: "1985-07-04", with: "1985-02-30"), .badRequest, "malformed_body"),
        ("missing field", newParticipant.replacingOccurrences(of: #""mrn":"A-002","#, with: ""), .badRequest, "malformed_body"),
        ("future birth date", newParticipant.replacingOccurrences(of: "1985-07-04", with: "2030-01-01"), .unprocessableContent, "invalid_value"),
        ("blank MRN", newParticipant.replacingOccurrences(of: #""mrn":"A-002""#, with: #""mrn":"  ""#), .unprocessableContent, "invalid_value"),
        ("oversize body", newParticipant.replacingOccurrences(of: "Garcia", with: String(repeating: "x", count: 5000)), .contentTooLarge, "body_too_large"),
    ]

    @Test("bad participant bodies get a 4xx with a clear code, and nothing is written", arguments: 0..<cases.count)
    func refused(index: Int) async throws {
        let (name, body, status, code) = Self.cases[index]
        try await WebHarness.with { h, client in
            try await client.execute(uri: "/api/v1/participants", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: body)) { r in
                #expect(r.status == status, "\(name)")
                #expect(decoded(ErrorJSON.self, r.body)?.error.code == code, "\(name)")
            }
            #expect(try await h.count("participants") == 2, "\(name)")
        }
    }

    /// Issue #19: a decoding error names the field path in the API's terms, never a Swift type or coding key.
    @Test("malformed bodies are explained in the API's terms", arguments: 0..<5)
    func explainedInPlainWords(index: Int) async throws {
        let (name, body, _, _) = Self.cases[index]
        try await WebHarness.with { h, client in
            try await client.execute(uri: "/api/v1/participants", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: body)) { r in
                let message = decoded(ErrorJSON.self, r.body)?.error.message ?? ""
                #expect(!message.isEmpty, "\(name)")
                for swift in ["CodingKeys", "Sex", "Double", "String", "Dictionary", "Cannot initialize", "intValue", "Swift."] {
                    #expect(!message.contains(swift), "\(name): \(message)")
                }
            }
        }
    }

    @Test("a wrong type and an unknown code say what was expected in JSON terms")
    func wrongTypeAndUnknownCodeInPlainWords() async throws {
        try await WebHarness.with { h, client in
            for (from, to, expected) in [(#""sex":"male""#, #""sex":5"#, "'sex' has the wrong type (expected text, found a number)"),
                                         (#""sex":"male""#, #""sex":"robot""#, "'sex' is invalid: 'robot' is not one of the allowed values")] {
                let body = newParticipant.replacingOccurrences(of: from, with: to)
                try await client.execute(uri: "/api/v1/participants", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: body)) { r in
                    #expect(decoded(ErrorJSON.self, r.body)?.error.message == expected)
                }
            }
        }
    }

    @Test("a wrong type names the field")
    func namesField() async throws {
        try await WebHarness.with { h, client in
            let body = newParticipant.replacingOccurrences(of: #""sex":"male""#, with: #""sex":5"#)
            try await client.execute(uri: "/api/v1/participants", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: body)) { r in
                #expect(decoded(ErrorJSON.self, r.body)?.error.details["path"] == "sex")
            }
        }
    }
}
