import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// Issue #14 items 3 and 5 in the web app: a procedure the protocol refuses comes back with the input kept and
/// the rule next to the field (an investigator may sign a deviation); prescribing, dispensing, counting returns
/// and holding a course from the participant's pages, through the same `MedicationEntry` as the API.
@Suite("Treatment pages: protocol refusals, prescribing, dispensing, adherence")
struct TreatmentPagesTests {
    static let procedures = "/participants/p-a/procedures/new"
    static let knee = [
        ("kind", "injection"), ("performed", "2025-12-30"), ("anatomicalSite", "right knee"), ("laterality", "right"),
        ("imagingGuidance", "fluoroscopy"), ("anaesthesia", "none"), ("sourceTissue", ""), ("volumeML", "12"),
        ("cellProductID", "cp-1"), ("outcome", ""), ("note", ""), ("enrolmentID", "e-cell"),
    ]

    /// p-a enrolled in the stem-cell azoospermia program with a released lot to inject.
    static func enrolWithLot(_ h: WebHarness) async throws {
        try await TreatmentLimitsAPITests.enrol(h, isotretinoin: nil)
        _ = try await h.database.repositories.cellProducts.create(
            CellProduct(id: "cp-1", lot: "LOT-1", participantID: "p-a", enrolmentID: "e-cell", sourceTissue: "bone-marrow-aspirate", releaseStatus: .released),
            context: WebHarness.setup, idempotencyKey: nil)
    }

    @Test("a refused procedure keeps the input and shows the protocol rule next to the field; nothing is written")
    func refusedProcedure() async throws {
        try await WebHarness.with { h, client in
            try await Self.enrolWithLot(h)
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let (form, refused) = try await browser.submit(Self.procedures, Self.knee)
            #expect(!form.html.contains("deviationReason"), "a coordinator is not offered the deviation fields")
            #expect(refused.status == .unprocessableContent)
            let message = try #require(refused.fieldError("anatomicalSite"))
            #expect(message.contains("right knee"))
            #expect(message.contains("protocol rule: intervention intratesticular-injection (Injection into the testis"))
            #expect(refused.value("anatomicalSite") == "right knee")
            #expect(refused.value("volumeML") == "12")
            #expect(try await h.database.repositories.procedures.list(participant: "p-a").isEmpty)
            #expect(try await h.database.repositories.cellProducts.get("cp-1").value.releaseStatus == .released)
        }
    }

    @Test("an investigator sees the deviation fields; with a reason the procedure is stored with its deviations, without one the refusal stands")
    func procedureDeviation() async throws {
        try await WebHarness.with { h, client in
            try await Self.enrolWithLot(h)
            var browser = try await WebBrowser.signedIn(h, client, as: .investigator)
            let volume = Self.knee.map { field -> (String, String) in
                switch field.0 {
                case "anatomicalSite": return (field.0, "left testis")
                case "imagingGuidance": return (field.0, "ultrasound")
                case "anaesthesia": return (field.0, "local")
                case "volumeML": return (field.0, "6")
                default: return field
                }
            }
            let (form, noReason) = try await browser.submit(Self.procedures, volume + [("deviationCategory", "procedure"), ("deviationReason", " ")])
            #expect(form.html.contains("id=\"deviationReason\""))
            #expect(noReason.status == .unprocessableContent)
            #expect(noReason.fieldError("deviationReason") != nil)
            let (_, saved) = try await browser.submit(Self.procedures, volume + [("deviationCategory", "procedure"), ("deviationReason", "6 mL drawn up")])
            #expect(saved.status == .seeOther)
            let deviations = try await h.database.repositories.deviations.list(participant: "p-a").map(\.value)
            #expect(deviations.map(\.field) == ["volumeML"])
            #expect(deviations.first?.reason == "6 mL drawn up")
            #expect(try await h.database.repositories.procedures.list(participant: "p-a").count == 1)
            #expect(try await h.database.repositories.cellProducts.get("cp-1").value.releaseStatus == .administered)
        }
    }

    @Test("prescribe from the protocol's regimen, dispense, count the returns and see adherence with its basis; hold the course")
    func prescribeDispenseReturn() async throws {
        try await WebHarness.with { h, client in
            try await TreatmentLimitsAPITests.enrol(h)
            var coordinator = try await WebBrowser.signedIn(h, client, as: .coordinator)
            #expect(try await coordinator.get("/participants/p-a/medication-courses/new").status == .forbidden)

            var browser = try await WebBrowser.signedIn(h, client, as: .investigator)
            let participant = try await browser.get("/participants/p-a")
            #expect(participant.html.contains("href=\"/participants/p-a/medication-courses/new\""))
            let form = try await browser.get("/participants/p-a/medication-courses/new?enrolmentID=e-iso")
            #expect(form.value("drugCode") == "6064")
            #expect(form.value("dose") == "20")
            #expect(form.value("dosesPerPeriod") == "2")
            #expect(form.html.contains("<option value=\"day\" selected"))
            #expect(form.value("plannedStop") == "2026-07-01")   // today (2026-01-01) + 26 × 7 − 1 = 181 days

            // 200 mg (typed with a decimal comma) is refused next to the dose, with the protocol's rule; input kept.
            let fields = [("enrolmentID", "e-iso"), ("drugCode", "6064"), ("drugName", "isotretinoin"), ("dose", "200,0"), ("doseUnit", "mg"),
                          ("route", "oral"), ("dosesPerPeriod", "2"), ("period", "day"), ("start", "2026-01-01"), ("plannedStop", ""),
                          ("deviationCategory", ""), ("deviationReason", "")]
            let (_, refused) = try await browser.submit("/participants/p-a/medication-courses/new", fields)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.fieldError("dose")?.contains("protocol rule: intervention isotretinoin-course") == true)
            #expect(refused.value("dose") == "200,0")
            #expect(try await h.database.repositories.medicationCourses.list(participant: "p-a").isEmpty)

            let (_, saved) = try await browser.submit("/participants/p-a/medication-courses/new", fields.map { $0.0 == "dose" ? ("dose", "20") : $0 })
            #expect(saved.status == .seeOther)
            let coursePath = try #require(saved.location)
            let course = try #require(try await h.database.repositories.medicationCourses.list(participant: "p-a").first?.value)
            #expect(coursePath == "/medication-courses/\(course.id.rawValue)")
            #expect(course.plannedStop == CalendarDate(year: 2026, month: 7, day: 1))

            var page = try await browser.get(coursePath)
            #expect(page.html.contains("Not measurable yet"))
            let version = page.value("_version") ?? ""
            let tooLong = try await browser.post(coursePath + "/dispense", [("_csrf", page.value("_csrf") ?? ""), ("_nonce", "n-1"), ("_version", version),
                                                                             ("date", "2026-01-01"), ("unitsDispensed", "60"), ("daysCovered", "31"), ("lot", "")])
            #expect(tooLong.status == .unprocessableContent)
            #expect(tooLong.fieldError("daysCovered") != nil)
            let dispensed = try await browser.post(coursePath + "/dispense", [("_csrf", page.value("_csrf") ?? ""), ("_nonce", "n-2"), ("_version", version),
                                                                               ("date", "2026-01-01"), ("unitsDispensed", "60"), ("daysCovered", "30"), ("lot", "B-1")])
            #expect(dispensed.status == .seeOther)
            page = try await browser.get(coursePath)
            #expect(page.html.contains("id=\"return-form-1\""))
            let counted = try await browser.post(coursePath + "/return", [("_csrf", page.value("_csrf") ?? ""), ("_nonce", "n-3"),
                                                                          ("_version", page.value("_version") ?? ""), ("dispensing", "0"), ("unitsReturned", "6")])
            #expect(counted.status == .seeOther)
            page = try await browser.get(coursePath)
            #expect(page.html.contains("90 % — 54 units taken (dispensed − returned) of 60 doses prescribed over 30 days covered (twice a day), 1 returned supply"))
            #expect(!page.html.contains("id=\"return-form-1\""))

            let held = try await browser.post(coursePath + "/status", [("_csrf", page.value("_csrf") ?? ""), ("_nonce", "n-4"), ("_version", page.value("_version") ?? ""),
                                                                       ("status", "held"), ("statusDate", "2026-01-01"), ("reason", "triglycerides 620 mg/dL")])
            #expect(held.status == .seeOther)
            #expect(try await h.database.repositories.medicationCourses.get(course.id).value.status == .held)
        }
    }

    @Test("the same prescription through the web form and through the API leaves the same course and the same audit entry")
    func sameThroughBothDoors() async throws {
        try await WebHarness.with { h, client in
            try await TreatmentLimitsAPITests.enrol(h)
            var browser = try await WebBrowser.signedIn(h, client, as: .investigator)
            let fields = [("enrolmentID", "e-iso"), ("drugCode", "6064"), ("drugName", "isotretinoin"), ("dose", "20"), ("doseUnit", "mg"),
                          ("route", "oral"), ("dosesPerPeriod", "2"), ("period", "day"), ("start", "2025-12-01"), ("plannedStop", "")]
            let (_, saved) = try await browser.submit("/participants/p-a/medication-courses/new", fields)
            #expect(saved.status == .seeOther)
            try await client.execute(uri: "/api/v1/participants/p-a/medication-courses", method: .post, headers: h.headers(.investigator),
                                     body: ByteBuffer(json: TreatmentLimitsAPITests.course)) { r in
                #expect(r.status == .created)
            }
            let courses = try await h.database.repositories.medicationCourses.list(participant: "p-a").map(\.value)
            #expect(courses.count == 2)
            guard courses.count == 2 else { return }
            var web = courses[0], api = courses[1]
            web.id = "same"
            api.id = "same"
            #expect(web == api)
            let audit = try await h.database.repositories.audit
            let webEntry = try await audit.history(table: "medication_courses", recordID: courses[0].id.rawValue)
            let apiEntry = try await audit.history(table: "medication_courses", recordID: courses[1].id.rawValue)
            #expect(webEntry.map(\.action) == [.create])
            #expect(webEntry.map(\.action) == apiEntry.map(\.action))
            #expect(webEntry.first?.actor.userID == "u-web-investigator" && apiEntry.first?.actor.userID == "u-investigator")
            #expect(webEntry.first?.changes.map(\.field).sorted() == apiEntry.first?.changes.map(\.field).sorted())
        }
    }
}
