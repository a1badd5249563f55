import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// Concomitant medications, reviewed sections, menopausal status, diagnoses and history through the JSON API
/// (issue #14 item 1): stored through `ScreeningInputsEntry` and read by screening; every refusal is a 422
/// naming the field (or 403/404) with nothing written.
@Suite("Screening inputs: JSON API")
struct ScreeningInputsAPITests {
    struct MedicationJSON: Decodable { var id: String; var drug: Coding; var drugClass: String?; var stop: String?; var adjunct: Bool }
    struct ReviewJSON: Decodable { var section: String; var reviewedBy: Actor }
    struct FullParticipantJSON: Decodable { var postmenopausal: Bool?; var diagnoses: [Diagnosis]; var history: [HistoryItem]; var version: Int }
    struct CriterionOutcomeJSON: Decodable { var id: String; var outcome: String }
    struct ScreenedJSON: Decodable { struct Report: Decodable { var criteria: [CriterionOutcomeJSON] }; var report: Report }

    static let tetracycline = #"{"drug":{"system":"rxnorm","code":"10395","display":"tetracycline"},"drugClass":"Tetracycline","dose":"250 mg qid","start":"2025-12-01"}"#

    /// Rows written by these endpoints for participant p-a (the counts the refusal tests compare).
    static func written(_ h: WebHarness) async throws -> [Int] {
        let repos = h.database.repositories
        return [try await repos.concomitantMedications.list(participant: "p-a").count,
                try await repos.sectionReviews.list(participant: "p-a").count,
                try await repos.participants.get("p-a").version,
                try await repos.observations.list(participant: "p-a").count]
    }

    @Test("recorded through the API, listed, and read by screening (a current tetracycline meets the exclusion; reviewed sections rule the rest out)")
    func recordAndScreen() async throws {
        try await WebHarness.with { h, client in
            try await client.execute(uri: "/api/v1/participants/p-a/concomitant-medications", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: Self.tetracycline)) { r in
                #expect(r.status == .created)
                let m = decoded(MedicationJSON.self, r.body)
                #expect(m?.drug.code == "10395")
                #expect(m?.drugClass == "tetracycline")
                #expect(m?.adjunct == false)
            }
            try await client.execute(uri: "/api/v1/participants/p-a/concomitant-medications", method: .get, headers: h.headers(.monitor)) { r in
                #expect(r.status == .ok)
                #expect(decoded([MedicationJSON].self, r.body)?.map(\.drug.code) == ["10395"])
            }
            try await client.execute(uri: "/api/v1/participants/p-a/reviewed-sections", method: .put, headers: h.headers(.investigator),
                                     body: ByteBuffer(json: #"{"sections":["medications","diagnoses","history","procedures"]}"#)) { r in
                #expect(r.status == .ok)
                let reviews = decoded([ReviewJSON].self, r.body)
                #expect(reviews?.map(\.section) == ["diagnoses", "history", "medications", "procedures"])
                #expect(reviews?.first?.reviewedBy.userID == "u-investigator")
            }
            try await client.execute(uri: "/api/v1/participants/p-a/menopausal-status", method: .put, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: #"{"postmenopausal":true}"#)) { r in
                #expect(r.status == .ok)
                #expect(decoded(FullParticipantJSON.self, r.body)?.postmenopausal == true)
            }
            try await client.execute(uri: "/api/v1/participants/p-a/diagnoses", method: .post, headers: h.headers(.coordinator, ifMatch: "\"2\""),
                                     body: ByteBuffer(json: #"{"code":{"system":"icd10-cm","code":"n46.01","display":"Organic azoospermia"},"onset":"2025-10-01"}"#)) { r in
                #expect(r.status == .ok)
                #expect(decoded(FullParticipantJSON.self, r.body)?.diagnoses.map(\.code.code) == ["N46.01"])
            }
            try await client.execute(uri: "/api/v1/participants/p-a/history", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: #"{"kind":"exposure","code":{"system":"restora","code":"illicit-drug-use"},"description":"cannabis weekly"}"#)) { r in
                #expect(r.status == .ok)
                #expect(decoded(FullParticipantJSON.self, r.body)?.history.map(\.description) == ["cannabis weekly"])
            }
            let enrolment = try await ScreeningAPITests.enrol(h, client)
            try await client.execute(uri: "/api/v1/enrolments/\(enrolment)/screenings", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: #"{"on":"2025-12-15"}"#)) { r in
                #expect(r.status == .created)
                let outcomes = Dictionary(uniqueKeysWithValues: (decoded(ScreenedJSON.self, r.body)?.report.criteria ?? []).map { ($0.id, $0.outcome) })
                #expect(outcomes["phenytoin-or-tetracycline"] == "met")
                #expect(outcomes["substance-use"] == "met")
                #expect(outcomes["male-infertility-diagnosis"] == "met")
                #expect(outcomes["anabolic-steroids"] == "not-met")
                #expect(outcomes["obstructive-azoospermia"] == "not-met")
            }
            // The history and diagnosis changes are audited with a reason describing them.
            let trail = try await h.database.repositories.audit.history(table: "participants", recordID: "p-a")
            #expect(trail.contains { $0.reason == "diagnosis N46.01 added" })
        }
    }

    @Test("refusals: bad RxNorm code, stop before start, unknown section, PHQ-9 outside 0–27, bad ICD-10-CM code, stale If-Match — nothing written",
          arguments: [
            ("/api/v1/participants/p-a/concomitant-medications", HTTPRequest.Method.post,
             #"{"drug":{"system":"rxnorm","code":"tetra-1"}}"#, 422, "drug.code"),
            ("/api/v1/participants/p-a/concomitant-medications", .post,
             #"{"drug":{"system":"snomed","code":"10395"}}"#, 422, "drug.system"),
            ("/api/v1/participants/p-a/concomitant-medications", .post,
             #"{"drug":{"system":"rxnorm","code":"10395"},"start":"2025-12-10","stop":"2025-12-01"}"#, 422, "stop"),
            ("/api/v1/participants/p-a/concomitant-medications", .post,
             #"{"drug":{"system":"rxnorm","code":"10395"},"start":"2026-03-01"}"#, 422, "start"),
            ("/api/v1/participants/p-a/reviewed-sections", .put, #"{"sections":["medications","labs"]}"#, 422, "sections[1]"),
            ("/api/v1/participants/p-a/observations", .post,
             #"{"code":{"system":"loinc","code":"44261-6"},"value":{"integer":30},"effective":"2025-12-01T09:00:00Z"}"#, 422, "value"),
            ("/api/v1/participants/p-a/observations", .post,
             #"{"code":{"system":"loinc","code":"44261-6"},"value":{"quantity":{"value":7.5,"unit":"{score}"}},"effective":"2025-12-01T09:00:00Z"}"#, 422, "value"),
            ("/api/v1/participants/p-a/diagnoses", .post, #"{"code":{"system":"icd10-cm","code":"azoospermia"}}"#, 422, "code"),
            ("/api/v1/participants/p-a/diagnoses", .post, #"{"code":{"system":"snomed","code":"N46.01"}}"#, 422, "code.system"),
            ("/api/v1/participants/p-a/history", .post, #"{"kind":"exposure","description":"  "}"#, 422, "description"),
          ])
    func refusals(uri: String, method: HTTPRequest.Method, body: String, status: Int, path: String) async throws {
        try await WebHarness.with { h, client in
            let before = try await Self.written(h)
            try await client.execute(uri: uri, method: method, headers: h.headers(.coordinator), body: ByteBuffer(json: body)) { r in
                #expect(r.status.code == status)
                #expect(decoded(ErrorJSON.self, r.body)?.error.details["path"] == path)
            }
            #expect(try await Self.written(h) == before)
        }
    }

    @Test("a stale If-Match is 412; another site's participant is 404; a monitor or auditor is 403 — nothing written")
    func accessRefusals() async throws {
        try await WebHarness.with { h, client in
            let before = try await Self.written(h)
            try await client.execute(uri: "/api/v1/participants/p-a/menopausal-status", method: .put, headers: h.headers(.coordinator, ifMatch: "\"9\""),
                                     body: ByteBuffer(json: #"{"postmenopausal":true}"#)) { r in
                #expect(r.status == .preconditionFailed)
            }
            for uri in ["/api/v1/participants/p-b/concomitant-medications", "/api/v1/participants/p-b/reviewed-sections"] {
                try await client.execute(uri: uri, method: .get, headers: h.headers(.coordinator)) { r in #expect(r.status == .notFound) }
            }
            try await client.execute(uri: "/api/v1/participants/p-b/concomitant-medications", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: Self.tetracycline)) { r in #expect(r.status == .notFound) }
            for role in [UserRole.monitor, .auditor] {
                try await client.execute(uri: "/api/v1/participants/p-a/concomitant-medications", method: .post, headers: h.headers(role),
                                         body: ByteBuffer(json: Self.tetracycline)) { r in #expect(r.status == .forbidden) }
                try await client.execute(uri: "/api/v1/participants/p-a/reviewed-sections", method: .put, headers: h.headers(role),
                                         body: ByteBuffer(json: #"{"sections":["medications"]}"#)) { r in #expect(r.status == .forbidden) }
                try await client.execute(uri: "/api/v1/participants/p-a/diagnoses", method: .post, headers: h.headers(role),
                                         body: ByteBuffer(json: #"{"code":{"system":"icd10-cm","code":"N46.01"}}"#)) { r in #expect(r.status == .forbidden) }
            }
            #expect(try await Self.written(h) == before)
            #expect(try await h.database.repositories.concomitantMedications.list(participant: "p-b").isEmpty)
        }
    }

    @Test("withdrawing a review: PUT with fewer sections leaves only those")
    func withdrawReview() async throws {
        try await WebHarness.with { h, client in
            for body in [#"{"sections":["medications","history"]}"#, #"{"sections":["history"],"reason":"medication list incomplete"}"#] {
                try await client.execute(uri: "/api/v1/participants/p-a/reviewed-sections", method: .put, headers: h.headers(.coordinator),
                                         body: ByteBuffer(json: body)) { r in #expect(r.status == .ok) }
            }
            try await client.execute(uri: "/api/v1/participants/p-a/reviewed-sections", method: .get, headers: h.headers(.auditor)) { r in
                #expect(decoded([ReviewJSON].self, r.body)?.map(\.section) == ["history"])
            }
        }
    }

    @Test("stopping a concomitant medication: the stop date is stored and audited, screening no longer reads it as current; a stop before the start is 422, another site 404, a monitor 403, nothing written")
    func stop() async throws {
        try await WebHarness.with { h, client in
            let id = try await client.execute(uri: "/api/v1/participants/p-a/concomitant-medications", method: .post, headers: h.headers(.coordinator),
                                              body: ByteBuffer(json: Self.tetracycline)) { r in try #require(decoded(MedicationJSON.self, r.body)).id }
            let uri = "/api/v1/concomitant-medications/\(id)/stop"
            try await client.execute(uri: uri, method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: #"{"stop":"2025-11-30"}"#)) { r in
                #expect(r.status == .unprocessableContent)
                #expect(decoded(ErrorJSON.self, r.body)?.error.details["path"] == "stop")
            }
            try await client.execute(uri: uri, method: .post, headers: h.headers(.monitor), body: ByteBuffer(json: #"{"stop":"2025-12-10"}"#)) { r in
                #expect(r.status == .forbidden)
            }
            #expect(try await h.database.repositories.concomitantMedications.get(Identifier(id)).version == 1)
            try await client.execute(uri: uri, method: .post, headers: h.headers(.coordinator, ifMatch: "\"1\""),
                                     body: ByteBuffer(json: #"{"stop":"2025-12-10"}"#)) { r in
                #expect(r.status == .ok)
                #expect(decoded(MedicationJSON.self, r.body)?.stop == "2025-12-10")
            }
            let trail = try await h.database.repositories.audit.history(table: "concomitant_medications", recordID: id)
            #expect(trail.last?.reason == "stopped on 2025-12-10")
            try await client.execute(uri: "/api/v1/participants/p-a/reviewed-sections", method: .put, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: #"{"sections":["medications"]}"#)) { r in #expect(r.status == .ok) }
            let enrolment = try await ScreeningAPITests.enrol(h, client)
            try await client.execute(uri: "/api/v1/enrolments/\(enrolment)/screenings", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: #"{"on":"2025-12-15"}"#)) { r in
                let outcomes = Dictionary(uniqueKeysWithValues: (decoded(ScreenedJSON.self, r.body)?.report.criteria ?? []).map { ($0.id, $0.outcome) })
                #expect(outcomes["phenytoin-or-tetracycline"] == "not-met")
            }
            // Another site's medication is not found.
            let other = ConcomitantMedicationRecord(id: "cm-b", participantID: "p-b", medication: ConcomitantMedication(drug: Coding(.rxnorm, "10395")))
            _ = try await h.database.repositories.concomitantMedications.create(other, context: WebHarness.setup, idempotencyKey: nil)
            try await client.execute(uri: "/api/v1/concomitant-medications/cm-b/stop", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: #"{"stop":"2025-12-10"}"#)) { r in #expect(r.status == .notFound) }
            #expect(try await h.database.repositories.concomitantMedications.get("cm-b").version == 1)
        }
    }
}
