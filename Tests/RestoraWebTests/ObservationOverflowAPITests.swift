import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
import SQLKit
@testable import RestoraStorage
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

/// Issue #19: the API accepted a sperm concentration of 5000 × 10⁶/mL, or one in mg/dL, that the web form
/// refuses. Both doors now share one check (`EntryMeasures.checkPlausible` in `ClinicalEntry`).
@Suite("One plausibility check for every door")
struct PlausibleValueAPITests {
    static func observation(_ loinc: String, _ value: String, _ unit: String) -> String {
        #"{"code":{"system":"loinc","code":"\#(loinc)"},"value":{"quantity":{"value":\#(value),"unit":"\#(unit)"}},"#
            + #""effective":"2025-12-01T08:00:00Z"}"#
    }

    static let refused: [(String, String, String, String, String)] = [
        ("concentration too high", "9780-8", "5000", "10*6/mL", "value.quantity.value"),
        ("concentration in mg/dL", "9780-8", "20", "mg/dL", "value.quantity.unit"),
        ("motility over 100 %", "6800-7", "140", "%", "value.quantity.value"),
        ("negative semen volume", "3160-9", "-1", "mL", "value.quantity.value"),
        ("triglycerides in a unit no rule reads", "2571-8", "150", "g/L", "value.quantity.unit"),
        ("BMD of 30 g/cm²", "24701-5", "30", "g/cm2", "value.quantity.value"),
    ]

    @Test("an implausible value or a wrong unit is 422 naming the field, and nothing is written", arguments: 0..<refused.count)
    func refusedByTheAPI(index: Int) async throws {
        let (name, code, value, unit, field) = Self.refused[index]
        try await WebHarness.with { h, client in
            let before = try await Self.auditEntries(h)
            try await client.execute(uri: "/api/v1/participants/p-a/observations", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: Self.observation(code, value, unit))) { r in
                #expect(r.status == .unprocessableContent, "\(name)")
                let error = decoded(ErrorJSON.self, r.body)?.error
                #expect(error?.details["field"] == field, "\(name)")
                #expect(error?.message.isEmpty == false, "\(name)")
            }
            #expect(try await h.count("observations") == 0, "\(name)")
            #expect(try await Self.auditEntries(h) == before, "\(name)")
        }
    }

    static func auditEntries(_ h: WebHarness) async throws -> Int {
        try await h.database.store.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM audit_log").first()?.decode(column: "n", as: Int.self) ?? -1
        }
    }

    @Test("the same values in an accepted unit and range are stored, in any spelling the semen rules read")
    func plausibleValuesAreStored() async throws {
        try await WebHarness.with { h, client in
            for (code, value, unit) in [("9780-8", "1000", "10*6/mL"), ("9780-8", "12.5", "10^6/mL"), ("6800-7", "100", "%"),
                                        ("2571-8", "150", "mg/dl")] {
                try await client.execute(uri: "/api/v1/participants/p-a/observations", method: .post, headers: h.headers(.coordinator),
                                         body: ByteBuffer(json: Self.observation(code, value, unit))) { r in
                    #expect(r.status == .created, "\(code) \(value) \(unit)")
                }
            }
            #expect(try await h.count("observations") == 4)
        }
    }
}
