import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// Visits of the protocol's schedule (issue #14 item 4, docs/visits.md): keys from the schedule, the window
/// judged on the visit date from day 0, deviations signed by an investigator, data in the window marking a
/// visit done on the calendar and the dashboard.
@Suite("Visits attended from the API and the web app")
struct VisitAPITests {
    /// Day 0 of `enrolment`: an enrolment of p-a walked to on-treatment on `day0` (harness today is 2026-01-01).
    static func onTreatment(_ h: WebHarness, id: Identifier<Enrolment> = "e-visit", day0: CalendarDate) async throws -> Identifier<Enrolment> {
        let repos = h.database.repositories
        var version: Int
        if let existing = try? await repos.enrolments.get(id) {
            version = existing.version
        } else {
            version = try await repos.enrolments.create(
                Enrolment(id: id, participantID: "p-a", programID: "prog-1", siteID: "site-a"), context: WebHarness.setup, idempotencyKey: nil).version
        }
        let steps: [(EnrolmentStatus, Int)] = [(.screening, -40), (.eligible, -30), (.consented, -20), (.enrolled, -20), (.onTreatment, 0)]
        for (status, offset) in steps {
            version = try await repos.enrolments.transition(
                id, to: status, at: day0.adding(days: offset).startOfDayUTC.addingTimeInterval(10 * 3600), expectedVersion: version,
                context: AuditContext(actor: WebHarness.setup.actor, requestID: "setup", reason: "test path")).version
        }
        return id
    }

    static func visitCount(_ h: WebHarness, _ enrolment: Identifier<Enrolment>) async throws -> Int {
        try await h.database.repositories.visits.list(enrolment: enrolment).count
    }

    @Test("an unknown visit key is 422 naming the schedule's keys, and nothing is written")
    func unknownKey() async throws {
        try await WebHarness.with { h, client in
            let enrolment = try await Self.onTreatment(h, day0: CalendarDate("2025-10-01")!)
            for body in [#"{"visitKey":"month-77"}"#, #"{"visitKey":"month-77","plannedDay":2310,"windowBefore":7,"windowAfter":7}"#,
                         #"{"visitKey":"month-77","status":"completed","actualDate":"2025-11-01"}"#] {
                try await client.execute(uri: "/api/v1/enrolments/\(enrolment.rawValue)/visits", method: .post, headers: h.headers(.coordinator),
                                         body: ByteBuffer(json: body)) { r in
                    #expect(r.status == .unprocessableContent, "\(body)")
                    let error = decoded(ErrorJSON.self, r.body)?.error
                    #expect(error?.details["path"] == "visitKey")
                    #expect(error?.message.contains("month-1, month-2") == true, "\(error?.message ?? "")")
                }
            }
            #expect(try await Self.visitCount(h, enrolment) == 0)
        }
    }

    @Test("the plan comes from the schedule: left out it is filled in, a different one is 422")
    func planFromSchedule() async throws {
        try await WebHarness.with { h, client in
            let enrolment = try await Self.onTreatment(h, day0: CalendarDate("2025-10-01")!)
            try await client.execute(uri: "/api/v1/enrolments/\(enrolment.rawValue)/visits", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: #"{"visitKey":"month-3","plannedDay":91,"windowBefore":7,"windowAfter":7}"#)) { r in
                #expect(r.status == .unprocessableContent)
                #expect(decoded(ErrorJSON.self, r.body)?.error.details["path"] == "plannedDay")
            }
            #expect(try await Self.visitCount(h, enrolment) == 0)
            try await client.execute(uri: "/api/v1/enrolments/\(enrolment.rawValue)/visits", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: #"{"visitKey":"month-1","status":"completed","actualDate":"2025-11-02"}"#)) { r in
                #expect(r.status == .created)
            }
            let stored = try #require(try await h.database.repositories.visits.list(enrolment: enrolment).first?.value)
            #expect(stored.plannedDay == 30 && stored.windowBefore == 7 && stored.windowAfter == 7 && stored.status == .completed)
            // A retry with the same idempotency key answers with the same visit; nothing is stored twice.
            let retried = #"{"visitKey":"month-2","status":"completed","actualDate":"2025-11-30"}"#
            var ids: [String] = []
            for _ in 0..<2 {
                try await client.execute(uri: "/api/v1/enrolments/\(enrolment.rawValue)/visits", method: .post,
                                         headers: h.headers(.coordinator, idempotencyKey: "visit-retry-1"), body: ByteBuffer(json: retried)) { r in
                    #expect(r.status == .created)
                    ids.append(try decode(RecordJSON.self, r.body).id)
                }
            }
            #expect(ids.count == 2 && ids[0] == ids[1])
            try await client.execute(uri: "/api/v1/enrolments/\(enrolment.rawValue)/visits", method: .post,
                                     headers: h.headers(.coordinator, idempotencyKey: "visit-retry-2"), body: ByteBuffer(json: retried)) { r in
                #expect(r.status == .unprocessableContent, "a new key for a recorded visit is not a retry")
            }
            #expect(try await Self.visitCount(h, enrolment) == 2)
            // The same visit again is refused: a recorded visit is corrected (PUT, with a reason), not recorded twice.
            try await client.execute(uri: "/api/v1/enrolments/\(enrolment.rawValue)/visits", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: #"{"visitKey":"month-1","status":"missed","note":"x"}"#)) { r in
                #expect(r.status == .unprocessableContent)
                #expect(decoded(ErrorJSON.self, r.body)?.error.details["path"] == "visitKey")
            }
        }
    }

    @Test("a visit outside its window is 422 protocol_rule naming the visit and window; a coordinator's deviation is 403; nothing written")
    func outsideWindow() async throws {
        try await WebHarness.with { h, client in
            // A visit planned after day 0 cannot be attended before the treatment started.
            let early = try await h.database.repositories.enrolments.create(
                Enrolment(id: "e-visit", participantID: "p-a", programID: "prog-1", siteID: "site-a"), context: WebHarness.setup, idempotencyKey: nil)
            try await client.execute(uri: "/api/v1/enrolments/\(early.value.id.rawValue)/visits", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: #"{"visitKey":"month-1","status":"completed","actualDate":"2025-12-01"}"#)) { r in
                #expect(r.status == .unprocessableContent)
                #expect(decoded(ErrorJSON.self, r.body)?.error.code == "protocol_rule")
            }
            #expect(try await Self.visitCount(h, early.value.id) == 0)
            // Day 0 = 2025-10-01: month-1 (day 30 ± 7) runs 2025-10-24 to 2025-11-07.
            let enrolment = try await Self.onTreatment(h, day0: CalendarDate("2025-10-01")!)
            let late = #"{"visitKey":"month-1","status":"completed","actualDate":"2025-11-20"}"#
            try await client.execute(uri: "/api/v1/enrolments/\(enrolment.rawValue)/visits", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: late)) { r in
                #expect(r.status == .unprocessableContent)
                let error = decoded(ErrorJSON.self, r.body)?.error
                #expect(error?.code == "protocol_rule")
                #expect(error?.details["field"] == "actualDate")
                #expect(error?.details["rule"]?.contains("month-1") == true)
                #expect(error?.message.contains("2025-10-24 to 2025-11-07") == true, "\(error?.message ?? "")")
            }
            let withDeviation = #"{"visitKey":"month-1","status":"completed","actualDate":"2025-11-20","deviation":{"category":"visit-schedule","reason":"participant abroad"}}"#
            try await client.execute(uri: "/api/v1/enrolments/\(enrolment.rawValue)/visits", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: withDeviation)) { r in
                #expect(r.status == .forbidden)
            }
            #expect(try await Self.visitCount(h, enrolment) == 0)
            #expect(try await h.database.repositories.deviations.list(participant: "p-a").isEmpty)
            // An investigator's deviation lets it through: the visit and its deviation are stored together.
            let visit = try await client.execute(uri: "/api/v1/enrolments/\(enrolment.rawValue)/visits", method: .post, headers: h.headers(.investigator),
                                                 body: ByteBuffer(json: withDeviation)) { r in
                #expect(r.status == .created)
                return try decode(RecordJSON.self, r.body)
            }
            let deviations = try await h.database.repositories.deviations.list(participant: "p-a").map(\.value)
            #expect(deviations.count == 1)
            let deviation = try #require(deviations.first)
            #expect(deviation.category == .visitSchedule && deviation.field == "actualDate" && deviation.rule.contains("month-1"))
            #expect(deviation.recordKind == "visits" && deviation.recordID == visit.id && deviation.reason == "participant abroad")
            #expect(deviation.signedBy.role == "investigator" && deviation.protocolVersion == "1.0")
            // In the window it is stored without a deviation.
            try await client.execute(uri: "/api/v1/enrolments/\(enrolment.rawValue)/visits", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: #"{"visitKey":"month-2","status":"completed","actualDate":"2025-11-30"}"#)) { r in
                #expect(r.status == .created)
            }
            #expect(try await h.database.repositories.deviations.list(participant: "p-a").count == 1)
        }
    }

    @Test("the web calendar: data entered in a visit's window shows it done, not missed; a visit is recorded from the web form")
    func webCalendar() async throws {
        try await WebHarness.with { h, client in
            let enrolment = try await Self.onTreatment(h, day0: CalendarDate("2025-10-01")!)
            // A lipid value on 2025-10-30, inside month-1's window (2025-10-24 to 2025-11-07).
            _ = try await h.database.repositories.observations.create(
                Observation(id: "o-1", participantID: "p-a", enrolmentID: enrolment, code: ClinicalCodes.triglyceride,
                            value: .quantity(Quantity(1.2, "mmol/L")),
                            effective: CalendarDate("2025-10-30")!.startOfDayUTC.addingTimeInterval(9 * 3600)),
                context: WebHarness.setup, idempotencyKey: nil)
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let page = try await browser.get("/participants/p-a")
            let row = try #require(Self.row(page.html, "Month 1"))
            #expect(row.contains("done: data entered 2025-10-30") && !row.contains("missed"), "\(row)")
            #expect(try #require(Self.row(page.html, "Month 2")).contains(">missed<"))
            // Month 2 (day 60 ± 7: 2025-11-23 to 2025-12-07) recorded late from the web form: refused next to the date.
            let (_, refused) = try await browser.submit(WebPath.recordVisit(enrolment), [
                ("visitKey", "month-2"), ("outcome", "attended"), ("actualDate", "2025-12-20"), ("note", ""),
            ])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.fieldError("actualDate")?.contains("outside the window") == true, "\(refused.fieldError("actualDate") ?? "")")
            #expect(refused.value("actualDate") == "2025-12-20", "the typed date is kept")
            #expect(try await Self.visitCount(h, enrolment) == 0)
            let (_, saved) = try await browser.submit(WebPath.recordVisit(enrolment), [
                ("visitKey", "month-2"), ("outcome", "attended"), ("actualDate", "2025-12-01"),
            ])
            #expect(saved.status == .seeOther)
            let after = try await browser.get("/participants/p-a")
            #expect(try #require(Self.row(after.html, "Month 2")).contains("attended in the window"))
        }
    }

    @Test("the web form: a coordinator sees no deviation field; an investigator's deviation reason records the late visit and the deviation together")
    func webDeviation() async throws {
        try await WebHarness.with { h, client in
            let enrolment = try await Self.onTreatment(h, day0: CalendarDate("2025-10-01")!)
            var coordinator = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let form = try await coordinator.get(WebPath.recordVisit(enrolment) + "?visit=month-1")
            #expect(form.status == .ok && !form.html.contains("name=\"deviationReason\""))
            #expect(form.html.contains("<option value=\"month-1\" selected>"))
            var investigator = try await WebBrowser.signedIn(h, client, as: .investigator)
            let (page, saved) = try await investigator.submit(WebPath.recordVisit(enrolment), [
                ("visitKey", "month-1"), ("outcome", "attended"), ("actualDate", "2025-11-20"), ("deviationReason", "participant abroad"),
            ])
            #expect(page.html.contains("name=\"deviationReason\""))
            #expect(saved.status == .seeOther, "\(saved.fieldError("deviationReason") ?? saved.fieldError("actualDate") ?? "")")
            let visit = try #require(try await h.database.repositories.visits.list(enrolment: enrolment).first?.value)
            #expect(visit.visitKey == "month-1" && visit.actualDate == CalendarDate("2025-11-20"))
            let deviations = try await h.database.repositories.deviations.list(participant: "p-a").map(\.value)
            #expect(deviations.count == 1 && deviations.first?.recordID == visit.id.rawValue && deviations.first?.category == .visitSchedule)
            let calendar = try await investigator.get("/participants/p-a")
            #expect(try #require(Self.row(calendar.html, "Month 1")).contains("days late, outside the window (deviation)"))
        }
    }

    @Test("the dashboard does not list a visit as overdue when data were entered in its window")
    func dashboardNotOverdue() async throws {
        try await WebHarness.with { h, client in
            // Day 0 = 2025-09-20: month-3 (day 90 ± 7) closed 2025-12-26, month-4 opens 2026-01-11: month-3 is overdue today.
            let enrolment = try await Self.onTreatment(h, day0: CalendarDate("2025-09-20")!)
            let admin = UserAccount(id: "u-x", username: "x", role: .admin, siteIDs: [])
            let today = CalendarDate(WebHarness.now)
            let before = try await DashboardModel.load(for: admin, repositories: h.database.repositories, catalog: try WebHarness.catalog(), today: today)
            #expect(before.visitsDue.contains { $0.visitTitle == "Month 3" && $0.state == .overdue })
            _ = try await h.database.repositories.observations.create(
                Observation(id: "o-2", participantID: "p-a", enrolmentID: enrolment, code: ClinicalCodes.triglyceride,
                            value: .quantity(Quantity(1.2, "mmol/L")),
                            effective: CalendarDate("2025-12-20")!.startOfDayUTC.addingTimeInterval(9 * 3600)),
                context: WebHarness.setup, idempotencyKey: nil)
            let after = try await DashboardModel.load(for: admin, repositories: h.database.repositories, catalog: try WebHarness.catalog(), today: today)
            #expect(!after.visitsDue.contains { $0.visitTitle == "Month 3" }, "\(after.visitsDue.map(\.visitTitle))")
        }
    }

    /// The calendar row (`tr.visit`) whose first cell is `title`.
    static func row(_ html: String, _ title: String) -> String? {
        guard let cell = html.range(of: "<td>\(title)</td>"),
              let start = html[..<cell.lowerBound].range(of: "<tr", options: .backwards),
              let end = html[cell.upperBound...].range(of: "</tr>") else { return nil }
        return String(html[start.lowerBound..<end.upperBound])
    }
}
