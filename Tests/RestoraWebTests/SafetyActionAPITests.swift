import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// Protocol actions through the real API (issue #15 item 4, docs/safety-actions.md): a grade 3 triglyceride
/// holds the course in the same request; `POST /medication-courses/{id}/dispensings` answers 422 `protocol_rule`
/// naming the hold and the alert with nothing written; a coordinator's resume is 403, a blank reason 422, an
/// investigator's resume 200, then dispensing is allowed. Acknowledgement needs a comment (422 naming `comment`).
@Suite("Safety actions through the API: hold, refused dispensing, resume, acknowledgement")
struct SafetyActionAPITests {
    struct CourseJSON: Decodable { var id: String; var status: String; var heldByAlertID: String?; var heldOn: String?; var version: Int }
    struct AlertDateJSON: Decodable {
        var id: String; var ruleID: String; var clinicalDate: String?; var status: String; var acknowledgementComment: String?
        var holdLiftReason: String?
    }
    struct CreatedJSON: Decodable { var safetyAlerts: [AlertDateJSON] }

    static let supply = #"{"date":"2025-12-31","unitsDispensed":60,"daysCovered":30}"#

    /// p-a on treatment in the isotretinoin program with an active course; returns the course id.
    static func courseOnTreatment(_ h: WebHarness, _ client: some TestClientProtocol) async throws -> String {
        try await TreatmentLimitsAPITests.enrol(h, isotretinoin: .onTreatment)
        return try await client.execute(uri: "/api/v1/participants/p-a/medication-courses", method: .post, headers: h.headers(.investigator),
                                        body: ByteBuffer(json: TreatmentAPITests.course)) { r in
            #expect(r.status == .created)
            return try decode(RecordJSON.self, r.body).id
        }
    }

    static func triglyceride(_ h: WebHarness, _ client: some TestClientProtocol, _ value: Int) async throws -> [AlertDateJSON] {
        let body = #"{"enrolmentID":"e-iso","code":{"system":"loinc","code":"2571-8"},"value":{"quantity":{"value":\#(value),"unit":"mg/dL"}},"effective":"2025-12-30T09:00:00Z"}"#
        return try await client.execute(uri: "/api/v1/participants/p-a/observations", method: .post, headers: h.headers(.coordinator),
                                        body: ByteBuffer(json: body)) { r in
            #expect(r.status == .created)
            return try decode(CreatedJSON.self, r.body).safetyAlerts
        }
    }

    func course(_ h: WebHarness, _ client: some TestClientProtocol, _ id: String) async throws -> CourseJSON {
        try await client.execute(uri: "/api/v1/participants/p-a/medication-courses", method: .get, headers: h.headers(.coordinator)) { r in
            try #require(try decode([CourseJSON].self, r.body).first { $0.id == id })
        }
    }

    @Test("grade 3 → course held in the same request → dispensing 422 naming the hold → resume: coordinator 403, blank 422, investigator 200 → dispensing 200")
    func holdRefuseResume() async throws {
        try await WebHarness.with { h, client in
            let courseID = try await Self.courseOnTreatment(h, client)
            let alerts = try await Self.triglyceride(h, client, 600)
            let alert = try #require(alerts.first)
            #expect(alert.ruleID == "tg-grade3-hold")
            #expect(alert.clinicalDate == "2025-12-30")
            var held = try await course(h, client, courseID)
            #expect(held.status == "held" && held.heldByAlertID == alert.id && held.heldOn == "2025-12-30")

            let audits = try await TreatmentLimitsAPITests.auditEntries(h)
            try await client.execute(uri: "/api/v1/medication-courses/\(courseID)/dispensings", method: .post,
                                     headers: h.headers(.coordinator, ifMatch: "\"\(held.version)\""), body: ByteBuffer(json: Self.supply)) { r in
                #expect(r.status == .unprocessableContent)
                let error = decoded(ErrorJSON.self, r.body)?.error
                #expect(error?.code == "protocol_rule")
                #expect(error?.details["rule"] == "safety hold: tg-grade3-hold")
                #expect(error?.message.contains(alert.id) == true)
                #expect(error?.message.contains("on hold") == true)
            }
            #expect(try await TreatmentLimitsAPITests.auditEntries(h) == audits)
            #expect(try await h.database.repositories.medicationCourses.get(Identifier(courseID)).value.dispensings.isEmpty)

            let resume = "/api/v1/medication-courses/\(courseID)/resume"
            for (role, body, status) in [(UserRole.coordinator, #"{"reason":"repeat normal"}"#, HTTPResponse.Status.forbidden),
                                         (.monitor, #"{"reason":"repeat normal"}"#, .forbidden),
                                         (.investigator, #"{"reason":"  "}"#, .unprocessableContent),
                                         (.investigator, #"{}"#, .unprocessableContent)] {
                try await client.execute(uri: resume, method: .post, headers: h.headers(role, ifMatch: "\"\(held.version)\""), body: ByteBuffer(json: body)) { r in
                    #expect(r.status == status, "\(role) \(body)")
                    if status == .unprocessableContent { #expect(decoded(ErrorJSON.self, r.body)?.error.details["field"] == "reason") }
                }
            }
            #expect(try await TreatmentLimitsAPITests.auditEntries(h) == audits)
            try await client.execute(uri: resume, method: .post, headers: h.headers(.investigator, ifMatch: "\"\(held.version)\""),
                                     body: ByteBuffer(json: #"{"reason":"fasting repeat 280 mg/dL; diet advice given"}"#)) { r in
                #expect(r.status == .ok)
                #expect(decoded(CourseJSON.self, r.body)?.status == "active")
            }
            // Resuming again: the course is not held (409).
            held = try await course(h, client, courseID)
            try await client.execute(uri: resume, method: .post, headers: h.headers(.investigator, ifMatch: "\"\(held.version)\""),
                                     body: ByteBuffer(json: #"{"reason":"again"}"#)) { r in
                #expect(r.status == .conflict)
            }
            let lifted = try await h.database.repositories.safetyAlerts.get(Identifier(alert.id)).value
            #expect(lifted.holdLiftReason == "fasting repeat 280 mg/dL; diet advice given" && lifted.holdLiftedBy?.userID == "u-investigator")
            try await client.execute(uri: "/api/v1/medication-courses/\(courseID)/dispensings", method: .post,
                                     headers: h.headers(.coordinator, ifMatch: "\"\(held.version)\""), body: ByteBuffer(json: Self.supply)) { r in
                #expect(r.status == .ok)
            }
        }
    }

    @Test("grade 4 → course stopped, enrolment in follow-up with the discontinuation; dispensing and resuming refused")
    func stop() async throws {
        try await WebHarness.with { h, client in
            let courseID = try await Self.courseOnTreatment(h, client)
            let alerts = try await Self.triglyceride(h, client, 1200)
            #expect(alerts.map(\.ruleID) == ["tg-grade3-hold", "tg-grade4-stop"])
            let stopped = try await course(h, client, courseID)
            #expect(stopped.status == "stopped")
            let enrolment = try await h.database.repositories.enrolments.get("e-iso").value
            #expect(enrolment.status == .followUp)
            #expect(enrolment.treatmentDiscontinuation?.on == CalendarDate(year: 2025, month: 12, day: 30))
            try await client.execute(uri: "/api/v1/medication-courses/\(courseID)/dispensings", method: .post,
                                     headers: h.headers(.coordinator, ifMatch: "\"\(stopped.version)\""), body: ByteBuffer(json: Self.supply)) { r in
                #expect(r.status == .unprocessableContent)
                #expect(decoded(ErrorJSON.self, r.body)?.error.details["rule"] == "safety stop: tg-grade4-stop")
            }
            try await client.execute(uri: "/api/v1/medication-courses/\(courseID)/resume", method: .post,
                                     headers: h.headers(.investigator, ifMatch: "\"\(stopped.version)\""), body: ByteBuffer(json: #"{"reason":"x"}"#)) { r in
                #expect(r.status == .conflict)
            }
            // The stop alert holds nothing to lift.
            let stop = try #require(alerts.last)
            try await client.execute(uri: "/api/v1/safety-alerts/\(stop.id)/resume", method: .post,
                                     headers: h.headers(.investigator, ifMatch: "\"1\""), body: ByteBuffer(json: #"{"reason":"x"}"#)) { r in
                #expect(r.status == .conflict)
            }
        }
    }

    @Test("acknowledging needs a comment: absent or blank is 422 naming comment, nothing written; with one it is kept")
    func acknowledgeNeedsComment() async throws {
        try await WebHarness.with { h, client in
            _ = try await Self.courseOnTreatment(h, client)
            let alert = try #require(try await Self.triglyceride(h, client, 600).first)
            let path = "/api/v1/safety-alerts/\(alert.id)/acknowledge"
            let audits = try await TreatmentLimitsAPITests.auditEntries(h)
            for body in ["{}", #"{"comment":""}"#, #"{"comment":"   "}"#] {
                try await client.execute(uri: path, method: .post, headers: h.headers(.investigator, ifMatch: "\"1\""), body: ByteBuffer(json: body)) { r in
                    #expect(r.status == .unprocessableContent, "\(body)")
                    #expect(decoded(ErrorJSON.self, r.body)?.error.details["field"] == "comment")
                }
            }
            try await client.execute(uri: path, method: .post, headers: h.headers(.investigator, ifMatch: "\"1\"")) { r in
                #expect(r.status == .unprocessableContent)
            }
            #expect(try await TreatmentLimitsAPITests.auditEntries(h) == audits)
            #expect(try await h.database.repositories.safetyAlerts.get(Identifier(alert.id)).version == 1)
            try await client.execute(uri: path, method: .post, headers: h.headers(.investigator, ifMatch: "\"1\""),
                                     body: ByteBuffer(json: #"{"comment":"drug held; fasting repeat booked"}"#)) { r in
                #expect(r.status == .ok)
                let stored = decoded(AlertDateJSON.self, r.body)
                #expect(stored?.status == "acknowledged" && stored?.acknowledgementComment == "drug held; fasting repeat booked")
            }
        }
    }

    @Test("a closed query keeps who closed it, when and the note; the participant page shows it and the acknowledged alert")
    func closedQueryAndAlertReadable() async throws {
        try await WebHarness.with { h, client in
            _ = try await Self.courseOnTreatment(h, client)
            let alert = try #require(try await Self.triglyceride(h, client, 600).first)
            try await client.execute(uri: "/api/v1/safety-alerts/\(alert.id)/acknowledge", method: .post, headers: h.headers(.investigator, ifMatch: "\"1\""),
                                     body: ByteBuffer(json: #"{"comment":"drug held; fasting repeat booked"}"#)) { r in #expect(r.status == .ok) }
            let query = try await client.execute(uri: "/api/v1/participants/p-a/queries", method: .post, headers: h.headers(.monitor),
                                                 body: ByteBuffer(json: #"{"question":"Was the sample fasting?"}"#)) { try decode(RecordJSON.self, $0.body) }
            try await client.execute(uri: "/api/v1/queries/\(query.id)/answer", method: .post, headers: h.headers(.coordinator, ifMatch: "\"1\""),
                                     body: ByteBuffer(json: #"{"answer":"yes, 12 h"}"#)) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/api/v1/queries/\(query.id)/close", method: .post, headers: h.headers(.monitor, ifMatch: "\"2\""),
                                     body: ByteBuffer(json: #"{"note":"confirmed on the laboratory report"}"#)) { r in #expect(r.status == .ok) }
            let closed = try await h.database.repositories.queries.get(Identifier(query.id)).value
            #expect(closed.closedBy?.userID == "u-monitor" && closed.closedAt == WebHarness.now && closed.closeNote == "confirmed on the laboratory report")

            var browser = try await WebBrowser.signedIn(h, client, as: .monitor)
            let page = try await browser.get("/participants/p-a")
            #expect(page.status == .ok)
            #expect(page.html.contains("acknowledged-alerts"))
            #expect(page.html.contains("drug held; fasting repeat booked"))
            #expect(page.html.contains("u-investigator (investigator)"))
            #expect(page.html.contains("closed by u-monitor (monitor) on 2026-01-01: confirmed on the laboratory report"))
            #expect(page.html.contains("Treatment on hold since 2025-12-30"))
        }
    }
}
