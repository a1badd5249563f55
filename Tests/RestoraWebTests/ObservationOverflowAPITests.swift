import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// Found by the API contract check (scripts/ci/contract.sh): an ALT whose multiple of the ULN overflows was
/// stored and then answered 500, because the grade's infinite multiple cannot be written as JSON. It is now
/// refused before anything is stored.
@Suite("Observation whose CTCAE multiple overflows")
struct ObservationOverflowAPITests {
    static func alt(_ value: String, uln: String, on day: Int) -> String {
        #"{"code":{"system":"loinc","code":"1742-6"},"value":{"quantity":{"value":\#(value),"unit":"U/L"}},"#
            + #""effective":"2025-12-0\#(day)T08:00:00Z","upperLimitOfNormal":\#(uln)}"#
    }

    @Test("1e308 U/L over a ULN of 1e-200 is 422 naming value.quantity.value, and nothing is written")
    func refusedNotStored() async throws {
        try await WebHarness.with { h, client in
            // The first ALT is the baseline (normal: 1e-300 ≤ ULN), so the second is graded in multiples of its ULN.
            try await client.execute(uri: "/api/v1/participants/p-a/observations", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: Self.alt("1e-300", uln: "40", on: 1))) { r in
                #expect(r.status == .created)
            }
            try await client.execute(uri: "/api/v1/participants/p-a/observations", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: Self.alt("1e308", uln: "1e-200", on: 2))) { r in
                #expect(r.status == .unprocessableContent)
                #expect(decoded(ErrorJSON.self, r.body)?.error.details["field"] == "value.quantity.value")
            }
            #expect(try await h.count("observations") == 1)
        }
    }
}
