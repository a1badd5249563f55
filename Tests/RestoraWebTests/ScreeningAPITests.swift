import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

struct CriterionJSON: Decodable { var id: String }
struct ReportJSON: Decodable { var date: String; var verdict: String; var criteria: [CriterionJSON] }
struct ScreeningJSON: Decodable { var id: String; var enrolmentID: String; var verdict: String; var screenedOn: String; var report: ReportJSON; var version: Int }

@Suite("Screening an enrolment against its protocol's eligibility criteria")
struct ScreeningAPITests {
    static func enrol(_ h: WebHarness, _ client: any TestClientProtocol, participant: String = "p-a", as role: UserRole = .coordinator) async throws -> String {
        try await client.execute(uri: "/api/v1/participants/\(participant)/enrolments", method: .post, headers: h.headers(role),
                                 body: ByteBuffer(json: #"{"programID":"prog-1"}"#)) { r in
            #expect(r.status == .created)
            return try decode(RecordJSON.self, r.body).id
        }
    }

    @Test("a coordinator screens on a date: 201, the verdict with every criterion, stored, listed and audited")
    func coordinatorScreens() async throws {
        try await WebHarness.with { h, client in
            let enrolment = try await Self.enrol(h, client)
            let screening = try await client.execute(uri: "/api/v1/enrolments/\(enrolment)/screenings", method: .post,
                                                     headers: h.headers(.coordinator), body: ByteBuffer(json: #"{"on":"2025-12-15"}"#)) { r in
                #expect(r.status == .created)
                #expect(r.headers[.eTag] == "\"1\"")
                return try decode(ScreeningJSON.self, r.body)
            }
            #expect(screening.enrolmentID == enrolment)
            #expect(screening.screenedOn == "2025-12-15")
            #expect(screening.report.criteria.isEmpty == false)
            #expect(["eligible", "ineligible", "incomplete"].contains(screening.verdict))
            #expect(screening.verdict == screening.report.verdict)
            try await client.execute(uri: "/api/v1/enrolments/\(enrolment)/screenings", method: .get, headers: h.headers(.monitor)) { r in
                #expect(r.status == .ok)
                #expect(decoded([ScreeningJSON].self, r.body)?.map(\.id) == [screening.id])
            }
            try await client.execute(uri: "/api/v1/audit/screenings/\(screening.id)", method: .get, headers: h.headers(.auditor)) { r in
                #expect(r.status == .ok)
                #expect(r.body.readableBytes > 2)
            }
        }
    }

    @Test("an investigator screens without a body: the date is today from the injected clock")
    func investigatorScreensToday() async throws {
        try await WebHarness.with { h, client in
            let enrolment = try await Self.enrol(h, client)
            try await client.execute(uri: "/api/v1/enrolments/\(enrolment)/screenings", method: .post, headers: h.headers(.investigator)) { r in
                #expect(r.status == .created)
                #expect(decoded(ScreeningJSON.self, r.body)?.screenedOn == "2026-01-01")
            }
        }
    }

    @Test("a monitor and an auditor cannot screen (403), another site's enrolment is 404, and nothing is stored")
    func refused() async throws {
        try await WebHarness.with { h, client in
            let enrolment = try await Self.enrol(h, client)
            for role in [UserRole.monitor, .auditor] {
                try await client.execute(uri: "/api/v1/enrolments/\(enrolment)/screenings", method: .post, headers: h.headers(role),
                                         body: ByteBuffer(json: #"{"on":"2025-12-15"}"#)) { r in
                    #expect(r.status == .forbidden)
                }
            }
            let other = try await Self.enrol(h, client, participant: "p-b", as: .admin)
            try await client.execute(uri: "/api/v1/enrolments/\(other)/screenings", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: #"{"on":"2025-12-15"}"#)) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(uri: "/api/v1/enrolments/\(other)/screenings", method: .post, headers: h.headers(.monitor),
                                     body: ByteBuffer(json: #"{"on":"2025-12-15"}"#)) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(uri: "/api/v1/enrolments/nope/screenings", method: .post, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .notFound)
            }
            #expect(try await h.database.repositories.screenings.list(participant: "p-a").isEmpty)
            #expect(try await h.database.repositories.screenings.list(participant: "p-b").isEmpty)
        }
    }

    @Test("an impossible date or a wrong type is 400 naming 'on', and nothing is stored")
    func badDate() async throws {
        try await WebHarness.with { h, client in
            let enrolment = try await Self.enrol(h, client)
            for body in [#"{"on":"2025-02-30"}"#, #"{"on":20251215}"#, #"{"on":"#] {
                try await client.execute(uri: "/api/v1/enrolments/\(enrolment)/screenings", method: .post, headers: h.headers(.coordinator),
                                         body: ByteBuffer(json: body)) { r in
                    #expect(r.status == .badRequest)
                }
            }
            #expect(try await h.database.repositories.screenings.list(participant: "p-a").isEmpty)
        }
    }
}
