import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// Coded adverse events, expectedness, the reporting clock, the report draft and submissions, and the
/// consistency check, through the real API over SQLite (docs/safety.md). Today is 2026-01-01 (`WebHarness.now`).
@Suite("Adverse events: coded, judged, clocked, reported")
struct AdverseEventReportingAPITests {
    struct AEJSON: Decodable {
        struct Clock: Decodable { var kind: String; var dueOn: String; var days: Int; var daysLeft: Int; var overdue: Bool }
        struct Query: Decodable { var id: String; var field: String?; var status: String; var recordID: String? }
        var id: String
        var version: Int
        var term: String
        var meddraCode: String?
        var systemOrganClass: String?
        var coded: Bool
        var expected: Bool
        var expectedBasis: String?
        var relatedness: String
        var causalityAssessedBy: String?
        var reportDueOn: String?
        var reportingClock: Clock?
        var consistencyQuery: Query?
    }

    static let path = "/api/v1/participants/p-a/adverse-events"

    @discardableResult
    static func post(
        _ h: WebHarness, _ client: any TestClientProtocol, _ json: String, as role: UserRole = .coordinator,
        status: HTTPResponse.Status = .created, field: String? = nil
    ) async throws -> AEJSON? {
        try await client.execute(uri: path, method: .post, headers: h.headers(role), body: ByteBuffer(json: json)) { r in
            #expect(r.status == status, "\(String(buffer: r.body))")
            if let field { #expect(decoded(ErrorJSON.self, r.body)?.error.details["field"] == field, "\(String(buffer: r.body))") }
            return r.status == .created ? try decode(AEJSON.self, r.body) : nil
        }
    }

    /// What a refused write could have left: events, data queries, safety alerts of p-a.
    static func written(_ h: WebHarness) async throws -> Int {
        let r = h.database.repositories
        return try await r.adverseEvents.list(participant: "p-a").count + r.queries.list(participant: "p-a").count
            + r.safetyAlerts.list(participant: "p-a").count
    }

    @Test("refusals name the field and write nothing: unknown term, grade the term lacks, other-specify rules, claimed expectedness, role, site")
    func refusals() async throws {
        try await WebHarness.with { h, client in
                        try await Self.post(h, client, #"{"term":"Dry skn","grade":1,"onset":"2025-12-20"}"#, status: .unprocessableContent, field: "term")
            try await Self.post(h, client, #"{"meddraCode":"12345678","grade":1,"onset":"2025-12-20"}"#, status: .unprocessableContent, field: "meddraCode")
            try await Self.post(h, client, #"{"term":"Dry skin","grade":4,"onset":"2025-12-20"}"#, status: .unprocessableContent, field: "grade")
            try await Self.post(h, client, #"{"term":"Syncope","grade":1,"onset":"2025-12-20"}"#, status: .unprocessableContent, field: "grade")
            // "Other, specify" exists only within a system organ class; free text only with it.
            try await Self.post(h, client, #"{"term":"Other, specify","otherSpecify":"odd feeling","grade":1,"onset":"2025-12-20"}"#,
                                status: .unprocessableContent, field: "term")
            try await Self.post(h, client, #"{"term":"Psychiatric disorders - Other, specify","grade":1,"onset":"2025-12-20"}"#,
                                status: .unprocessableContent, field: "otherSpecify")
            try await Self.post(h, client, #"{"term":"Dry skin","otherSpecify":"elbows","grade":1,"onset":"2025-12-20"}"#,
                                status: .unprocessableContent, field: "otherSpecify")
            try await Self.post(h, client, #"{"term":"Dry skin","systemOrganClass":"Psychiatric disorders","grade":1,"onset":"2025-12-20"}"#,
                                status: .unprocessableContent, field: "systemOrganClass")
            // Not enrolled: no reference safety information applies, so nothing may be claimed expected.
            try await Self.post(h, client, #"{"term":"Dry skin","grade":1,"onset":"2025-12-20","expected":true}"#,
                                status: .unprocessableContent, field: "expected")
            // Serious, unexpected, suspected without the awareness date.
            try await Self.post(h, client, #"{"term":"Anxiety","grade":3,"seriousness":["hospitalization"],"onset":"2025-12-20"}"#,
                                status: .unprocessableContent, field: "sponsorAwareOn")
            // Causality is the investigator's: a coordinator sending relatedness is refused.
            try await Self.post(h, client, #"{"term":"Dry skin","grade":1,"onset":"2025-12-20","relatedness":"probable"}"#, status: .forbidden)
            try await Self.post(h, client, #"{"term":"Dry skin","grade":1,"onset":"2025-12-20"}"#, as: .monitor, status: .forbidden)
            try await client.execute(uri: "/api/v1/participants/p-b/adverse-events", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: #"{"term":"Dry skin","grade":1,"onset":"2025-12-20"}"#)) { r in
                #expect(r.status == .notFound)
            }
            #expect(try await h.count("adverse-events") == 0)
            let left = try await Self.written(h)
            #expect(left == 0, "no event, query or alert for a refused write")
        }
    }

    @Test("a coordinator's event is coded and counts as suspected until an investigator assesses causality")
    func codedAndUnassessed() async throws {
        try await WebHarness.with { h, client in
            let event = try #require(try await Self.post(h, client, #"{"term":"dry skin","grade":2,"onset":"2025-12-20"}"#))
            #expect(event.term == "Dry skin" && event.meddraCode == "10013786" && event.coded)
            #expect(event.systemOrganClass == "Skin and subcutaneous tissue disorders")
            #expect(event.relatedness == "possible" && event.causalityAssessedBy == nil)
            #expect(event.expected == false && event.reportDueOn == nil)
            // The investigator assesses causality on correction; the coordinator's correction keeps it.
            let assessed = #"{"term":"Dry skin","grade":2,"onset":"2025-12-20","relatedness":"unlikely","reason":"assessed"}"#
            try await client.execute(uri: "/api/v1/adverse-events/\(event.id)", method: .put, headers: h.headers(.coordinator, ifMatch: "\"1\""),
                                     body: ByteBuffer(json: assessed)) { r in #expect(r.status == .forbidden) }
            try await client.execute(uri: "/api/v1/adverse-events/\(event.id)", method: .put, headers: h.headers(.investigator, ifMatch: "\"1\""),
                                     body: ByteBuffer(json: assessed)) { r in
                #expect(r.status == .ok)
                let body = try decode(AEJSON.self, r.body)
                #expect(body.relatedness == "unlikely" && body.causalityAssessedBy == "u-investigator")
            }
            let regraded = #"{"term":"Dry skin","grade":3,"onset":"2025-12-20","reason":"worse"}"#
            try await client.execute(uri: "/api/v1/adverse-events/\(event.id)", method: .put, headers: h.headers(.coordinator, ifMatch: "\"2\""),
                                     body: ByteBuffer(json: regraded)) { r in
                #expect(r.status == .ok)
                let body = try decode(AEJSON.self, r.body)
                #expect(body.relatedness == "unlikely" && body.causalityAssessedBy == "u-investigator")
            }
            try await client.execute(uri: "/api/v1/adverse-events/\(event.id)", method: .get, headers: h.headers(.auditor)) { r in
                #expect(r.status == .ok)
            }
        }
    }

    @Test("expectedness is judged from the program's reference safety information")
    func expectedness() async throws {
        try await WebHarness.with { h, client in
            let enrolment = try await SafetyRulesAPITests.enrol(h, client)
            let dry = try #require(try await Self.post(h, client, #"{"term":"Dry skin","grade":1,"onset":"2025-12-20","enrolmentID":"\#(enrolment)"}"#))
            #expect(dry.expected)
            #expect(dry.expectedBasis?.hasPrefix("isotretinoin-noa 1.0: Dry skin") == true)
            let unlisted = try #require(try await Self.post(h, client, #"{"term":"Anxiety","grade":1,"onset":"2025-12-20","enrolmentID":"\#(enrolment)"}"#))
            #expect(!unlisted.expected && unlisted.expectedBasis == nil)
            try await Self.post(h, client, #"{"term":"Anxiety","grade":1,"onset":"2025-12-20","enrolmentID":"\#(enrolment)","expected":true}"#,
                                status: .unprocessableContent, field: "expected")
            // Serious but expected: no expedited clock.
            let seriousExpected = try #require(try await Self.post(
                h, client, #"{"term":"Depression","grade":3,"seriousness":["hospitalization"],"onset":"2025-12-20","enrolmentID":"\#(enrolment)"}"#))
            #expect(seriousExpected.expected && seriousExpected.reportDueOn == nil)
        }
    }

    @Test("the clock: 15 days, 7 days when life-threatening; submission stops it, follow-up restarts it; only an investigator submits")
    func clockAndSubmissions() async throws {
        try await WebHarness.with { h, client in
            let e15 = try #require(try await Self.post(
                h, client, #"{"term":"Anxiety","grade":3,"seriousness":["hospitalization"],"onset":"2025-12-20","sponsorAwareOn":"2025-12-28","relatedness":"probable"}"#,
                as: .investigator))
            #expect(e15.reportDueOn == "2026-01-12")
            #expect(e15.reportingClock?.days == 15 && e15.reportingClock?.daysLeft == 11 && e15.reportingClock?.kind == "initial")
            let e7 = try #require(try await Self.post(
                h, client, #"{"term":"Suicide attempt","grade":4,"seriousness":["life-threatening"],"onset":"2025-12-20","sponsorAwareOn":"2025-12-22"}"#))
            #expect(e7.reportDueOn == "2025-12-29", "7 calendar days across the year end")
            #expect(e7.reportingClock?.overdue == true && e7.reportingClock?.daysLeft == -3)

            try await client.execute(uri: "/api/v1/reporting-clocks", method: .get, headers: h.headers(.monitor)) { r in
                #expect(r.status == .ok)
                #expect(decoded([AEJSON].self, r.body)?.map(\.id) == [e7.id, e15.id], "earliest due (overdue) first")
            }
            struct TermJSON: Decodable { var meddraCode: String; var term: String; var grades: [Int]; var source: String }
            try await client.execute(uri: "/api/v1/ctcae-terms", method: .get, headers: h.headers(.monitor)) { r in
                #expect(r.status == .ok)
                let terms = try decode([TermJSON].self, r.body)
                #expect(terms.first { $0.term == "Dry skin" }?.grades == [1, 2, 3])
            }

            struct DraftJSON: Decodable {
                struct Field: Decodable { var label: String; var value: String }
                var reportType: String; var reportDueOn: String?; var fields: [Field]; var notKnown: [String]
            }
            try await client.execute(uri: "/api/v1/adverse-events/\(e15.id)/report-draft", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .ok)
                let draft = try decode(DraftJSON.self, r.body)
                #expect(draft.reportType == "initial" && draft.reportDueOn == "2026-01-12")
                #expect(draft.fields.contains { $0.label == "MedDRA code" && $0.value == "10002855" })
                #expect(!String(buffer: r.body).contains("Lopez") && !String(buffer: r.body).contains("A-001"), "no name, no MRN")
                #expect(!draft.notKnown.isEmpty)
            }

            let submissions = "/api/v1/adverse-events/\(e15.id)/submissions"
            let initial = #"{"kind":"initial","submittedOn":"2026-01-01","reference":"IND-123 SR-1"}"#
            try await client.execute(uri: submissions, method: .post, headers: h.headers(.coordinator, ifMatch: "\"1\""), body: ByteBuffer(json: initial)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: submissions, method: .post, headers: h.headers(.investigator), body: ByteBuffer(json: initial)) { r in
                #expect(r.status == .preconditionRequired)
            }
            try await client.execute(uri: submissions, method: .post, headers: h.headers(.investigator, ifMatch: "\"1\""),
                                     body: ByteBuffer(json: #"{"kind":"follow-up","submittedOn":"2026-01-01","reference":"x"}"#)) { r in
                #expect(r.status == .unprocessableContent)
                #expect(decoded(ErrorJSON.self, r.body)?.error.details["field"] == "kind")
            }
            try await client.execute(uri: submissions, method: .post, headers: h.headers(.investigator, ifMatch: "\"1\""),
                                     body: ByteBuffer(json: #"{"kind":"initial","submittedOn":"2026-01-05","reference":"x"}"#)) { r in
                #expect(r.status == .unprocessableContent)
                #expect(decoded(ErrorJSON.self, r.body)?.error.details["field"] == "submittedOn")
            }
            try await client.execute(uri: submissions, method: .post, headers: h.headers(.investigator, ifMatch: "\"1\""),
                                     body: ByteBuffer(json: #"{"kind":"initial","submittedOn":"2026-01-01","reference":"  "}"#)) { r in
                #expect(r.status == .unprocessableContent)
                #expect(decoded(ErrorJSON.self, r.body)?.error.details["field"] == "reference")
            }
            try await client.execute(uri: submissions, method: .post, headers: h.headers(.investigator, ifMatch: "\"1\""), body: ByteBuffer(json: initial)) { r in
                #expect(r.status == .ok)
                let body = try decode(AEJSON.self, r.body)
                #expect(body.reportDueOn == nil && body.reportingClock == nil && body.version == 2)
            }
            try await client.execute(uri: submissions, method: .post, headers: h.headers(.investigator, ifMatch: "\"1\""), body: ByteBuffer(json: initial)) { r in
                #expect(r.status == .unprocessableContent, "no clock is open any more")
            }
            let followUp = "/api/v1/adverse-events/\(e15.id)/follow-up-information"
            try await client.execute(uri: followUp, method: .post, headers: h.headers(.coordinator, ifMatch: "\"2\""),
                                     body: ByteBuffer(json: #"{"receivedOn":"2026-01-01"}"#)) { r in
                #expect(r.status == .ok)
                let body = try decode(AEJSON.self, r.body)
                #expect(body.reportDueOn == "2026-01-16" && body.reportingClock?.kind == "follow-up")
            }
            try await client.execute(uri: submissions, method: .post, headers: h.headers(.investigator, ifMatch: "\"3\""),
                                     body: ByteBuffer(json: #"{"kind":"follow-up","submittedOn":"2026-01-01","reference":"IND-123 SR-1 FU1"}"#)) { r in
                #expect(r.status == .ok)
                #expect(decoded(AEJSON.self, r.body)?.reportDueOn == nil)
            }
            // Every step is audited on the event: create, initial submission, follow-up received, follow-up submitted.
            struct Entry: Decodable { var action: String }
            try await client.execute(uri: "/api/v1/audit/adverse-events/\(e15.id)", method: .get, headers: h.headers(.auditor)) { r in
                #expect(r.status == .ok)
                let entries = try decode([Entry].self, r.body)
                #expect(entries.filter { $0.action == "update" }.count == 3)
            }
            // Another site's event is 404 to every route.
            let other = try await h.database.repositories.adverseEvents.create(
                AdverseEvent(id: "ae-b", participantID: "p-b", term: "Dry skin", grade: 1, relatedness: .possible,
                             onset: CalendarDate("2025-12-20")!, meddraCode: "10013786"),
                context: WebHarness.setup, idempotencyKey: nil)
            for (uri, method) in [("/api/v1/adverse-events/ae-b", HTTPRequest.Method.get), ("/api/v1/adverse-events/ae-b/report-draft", .get),
                                  ("/api/v1/adverse-events/ae-b/submissions", .post)] {
                try await client.execute(uri: uri, method: method, headers: h.headers(.investigator, ifMatch: "\"\(other.version)\""),
                                         body: ByteBuffer(json: initial)) { r in #expect(r.status == .notFound, "\(uri)") }
            }
        }
    }

    @Test("an event graded against the same term's graded laboratory value within ±3 days raises one data query when they disagree")
    func consistencyQuery() async throws {
        try await WebHarness.with { h, client in
            let enrolment = try await SafetyRulesAPITests.enrol(h, client)
            // 600 mg/dL on 2025-12-30 grades 3 (REFERENCE.md E1).
            try await client.execute(uri: "/api/v1/participants/p-a/observations", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: SafetyRulesAPITests.triglyceride(600))) { r in #expect(r.status == .created) }
            let agreeing = try #require(try await Self.post(
                h, client, #"{"term":"Hypertriglyceridemia","grade":3,"onset":"2026-01-01","enrolmentID":"\#(enrolment)"}"#))
            #expect(agreeing.consistencyQuery == nil)
            let far = try #require(try await Self.post(
                h, client, #"{"term":"Hypertriglyceridemia","grade":1,"onset":"2025-12-26","enrolmentID":"\#(enrolment)"}"#))
            #expect(far.consistencyQuery == nil, "4 days before the value: outside ±3 days")
            let disagreeing = try #require(try await Self.post(
                h, client, #"{"term":"Hypertriglyceridemia","grade":2,"onset":"2025-12-27","enrolmentID":"\#(enrolment)"}"#))
            let query = try #require(disagreeing.consistencyQuery)
            #expect(query.field == "grade" && query.status == "open" && query.recordID == disagreeing.id)
            let stored = try await h.database.repositories.queries.list(participant: "p-a").map(\.value)
            #expect(stored.count == 1)
            #expect(stored.first?.question.contains("grades 3 by CTCAE v5.0") == true)
            #expect(stored.first?.raisedBy.userID == "restora")
            // The site's coordinator hears of it like of any raised query (docs/notifications.md).
            let told = try await NotificationAPITests.inbox(h, client, .coordinator).items
            #expect(told.filter { $0.kind == "query-raised" }.count == 1, "\(told.map(\.kind))")
            // A correction that still disagrees while the query is open raises no second one.
            let corrected = #"{"term":"Hypertriglyceridemia","grade":1,"onset":"2025-12-27","enrolmentID":"\#(enrolment)","reason":"re-graded"}"#
            try await client.execute(uri: "/api/v1/adverse-events/\(disagreeing.id)", method: .put,
                                     headers: h.headers(.coordinator, ifMatch: "\"1\""), body: ByteBuffer(json: corrected)) { r in
                #expect(r.status == .ok)
            }
            #expect(try await h.database.repositories.queries.list(participant: "p-a").count == 1)
        }
    }
}
