import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// A dispensing of 9×10^18 units (accepted by the API) made the participant page stop the whole server: the
/// adherence percentage overflowed `Int` (a trap, not an error). The page now shows it, and the server lives.
@Suite("Participant page with an absurd dispensing")
struct DispensingOverflowTests {
    @Test("the page renders the adherence of a 9e18-unit dispensing instead of stopping the server")
    func pageSurvives() async throws {
        try await WebHarness.with { h, client in
            try await TreatmentLimitsAPITests.enrol(h)
            let id = try await client.execute(uri: "/api/v1/participants/p-a/medication-courses", method: .post,
                                              headers: h.headers(.investigator), body: ByteBuffer(json: TreatmentAPITests.course)) { r in
                #expect(r.status == .created)
                return try decode(RecordJSON.self, r.body).id
            }
            let dispensing = #"{"date":"2025-12-01","unitsDispensed":9000000000000000000,"daysCovered":30,"unitsReturned":0}"#
            try await client.execute(uri: "/api/v1/medication-courses/\(id)/dispensings", method: .post,
                                     headers: h.headers(.coordinator, ifMatch: "\"1\""), body: ByteBuffer(json: dispensing)) { _ in }
            var browser = try await WebBrowser.signedIn(h, client, as: .investigator)
            let page = try await browser.get("/participants/p-a")
            #expect(page.status == .ok)
            #expect(page.html.contains("Adherence"))
        }
    }
}

/// The same trap in the observation readings: a whole quantity beyond Int (1e20 kg) was shown with `Int(value)`.
@Suite("Participant page with an absurd observation value")
struct ObservationReadingOverflowTests {
    @Test("a 1e20 kg weight is shown as 1e+20 kg instead of stopping the server")
    func pageSurvives() async throws {
        try await WebHarness.with { h, client in
            let weight = #"{"code":{"system":"loinc","code":"29463-7"},"value":{"quantity":{"value":1e20,"unit":"kg"}},"effective":"2025-12-01T09:00:00Z"}"#
            try await client.execute(uri: "/api/v1/participants/p-a/observations", method: .post,
                                     headers: h.headers(.coordinator), body: ByteBuffer(json: weight)) { r in
                #expect(r.status == .created)
            }
            var browser = try await WebBrowser.signedIn(h, client, as: .investigator)
            let page = try await browser.get("/participants/p-a")
            #expect(page.status == .ok)
            #expect(page.html.contains("1e+20 kg"))
        }
    }

    @Test("ordinary readings unchanged")
    func ordinary() {
        #expect(ObservationReading.format(20) == "20")
        #expect(ObservationReading.format(12.5) == "12.5")
        #expect(ObservationReading.format(-3) == "-3")
    }
}

@Suite("Medication adherence arithmetic")
struct AdherenceArithmeticTests {
    @Test("unit counts near Int.max give a number, not a trap")
    func noOverflow() {
        let huge = Dispensing(date: CalendarDate("2025-12-01")!, unitsDispensed: Int.max, daysCovered: 30, unitsReturned: -1)
        let course = MedicationCourse(
            id: "c", participantID: "p", drug: Coding(.rxnorm, "6064"), dose: Quantity(20, "mg"), route: "oral", timesPerDay: Int.max,
            start: CalendarDate("2025-12-01")!, dispensings: [huge, huge])
        #expect(course.adherence?.isFinite == true)
    }

    @Test("ordinary counts unchanged: 28 of 30 units taken is 28/30")
    func ordinary() {
        let d = Dispensing(date: CalendarDate("2025-12-01")!, unitsDispensed: 30, daysCovered: 30, unitsReturned: 2)
        let course = MedicationCourse(
            id: "c", participantID: "p", drug: Coding(.rxnorm, "6064"), dose: Quantity(20, "mg"), route: "oral", timesPerDay: 1,
            start: CalendarDate("2025-12-01")!, dispensings: [d])
        #expect(course.adherence == 28.0 / 30.0)
    }
}
