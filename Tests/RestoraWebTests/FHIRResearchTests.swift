import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// FHIR ResearchStudy, ResearchSubject and Consent through the real application (`WebHarness`), with an
/// enrolment per site (e-a of p-a at site A, in screening with arm isotretinoin; e-b of p-b at site B,
/// prescreened) and a signed consent of e-a on the program's document version 1.
@Suite("FHIR ResearchStudy, ResearchSubject, Consent")
struct FHIRResearchTests {
    static func json(_ buffer: ByteBuffer) -> FHIRJSON { (try? FHIRJSON.parse(buffer.readableBytesView)) ?? .null }

    static func ids(_ bundle: FHIRJSON, mode: String = "match") -> [String] {
        (bundle["entry"]?.arrayValue ?? []).filter { $0["search"]?["mode"]?.stringValue == mode }
            .compactMap { $0["resource"]?["id"]?.stringValue }
    }

    static let now = Date(timeIntervalSince1970: 1_767_225_600)

    /// Enrolments e-a and e-b, the consent document and p-a's consent c-a.
    static func seed(_ h: WebHarness) async throws {
        let repos = h.database.repositories
        var audit = WebHarness.setup
        audit.reason = "screening started"
        _ = try await repos.enrolments.create(
            Enrolment(id: "e-a", participantID: "p-a", programID: "prog-1", siteID: "site-a", armID: "isotretinoin", protocolVersion: "1.0"),
            context: audit, idempotencyKey: nil)
        _ = try await repos.enrolments.transition("e-a", to: .screening, at: now, expectedVersion: 1, context: audit)
        _ = try await repos.enrolments.create(
            Enrolment(id: "e-b", participantID: "p-b", programID: "prog-1", siteID: "site-b", protocolVersion: "1.0"),
            context: audit, idempotencyKey: nil)
        let document = try await repos.consents.issue(
            ConsentDocument(id: "doc-1", programID: "prog-1", title: "Participant information and consent", mediaType: .text,
                            fileName: "consent.txt", witnessRequired: false, issuedBy: WebHarness.setup.actor, issuedAt: now),
            content: Data("I agree to take part.".utf8), context: WebHarness.setup)
        for (id, participant, enrolment) in [("c-a", "p-a", "e-a"), ("c-b", "p-b", "e-b")] {
            _ = try await repos.consents.record(
                ConsentRecord(id: Identifier(id), participantID: Identifier(participant), enrolmentID: Identifier(enrolment), programID: "prog-1",
                              documentID: "doc-1", documentVersion: 1, documentSHA256: document.value.sha256, signerName: "Ana Lopez",
                              signedAt: now, method: .inPerson, recordedBy: WebHarness.setup.actor, recordedAt: now),
                context: WebHarness.setup, idempotencyKey: nil)
        }
    }

    @Test("ResearchStudy: read with the protocol id and version and the protocol's arms; search by identifier and title; unknown 404")
    func researchStudy() async throws {
        try await WebHarness.with { h, client in
            try await client.execute(uri: "/fhir/ResearchStudy/prog-1", method: .get, headers: h.headers(.monitor)) { r in
                #expect(r.status == .ok)
                let study = Self.json(r.body)
                #expect(study["resourceType"]?.stringValue == "ResearchStudy")
                #expect(study["status"]?.stringValue == "active")
                #expect(study["identifier"]?.arrayValue?.first?["value"]?.stringValue == "isotretinoin-noa")
                #expect(study["extension"]?.arrayValue?.first?["valueString"]?.stringValue == "1.0")
                #expect(study["arm"]?.arrayValue?.first?["name"]?.stringValue == "isotretinoin")
            }
            for (query, expected) in [("identifier=isotretinoin-noa", ["prog-1"]), ("identifier=urn:restora:protocol%7Cisotretinoin-noa", ["prog-1"]),
                                      ("identifier=urn:restora:program%7Cprog-1", ["prog-1"]), ("identifier=other", []),
                                      ("title=iso", ["prog-1"]), ("title:exact=iso", []), ("status=active", ["prog-1"]),
                                      ("status=withdrawn", []), ("_id=prog-1", ["prog-1"])] {
                try await client.execute(uri: "/fhir/ResearchStudy?\(query)", method: .get, headers: h.headers(.coordinator)) { r in
                    #expect(r.status == .ok, "\(query)")
                    #expect(Self.ids(Self.json(r.body)) == expected, "\(query)")
                }
            }
            try await client.execute(uri: "/fhir/ResearchStudy/nope", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .notFound)
                #expect(Self.json(r.body)["resourceType"]?.stringValue == "OperationOutcome")
            }
        }
    }

    @Test("ResearchSubject: read maps status, study, individual, arm and consent; another site's 404; search study, patient, status; refusals 400")
    func researchSubject() async throws {
        try await WebHarness.with { h, client in
            try await Self.seed(h)
            try await client.execute(uri: "/fhir/ResearchSubject/e-a", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .ok)
                let subject = Self.json(r.body)
                #expect(subject["status"]?.stringValue == "screening")
                #expect(subject["study"]?["reference"]?.stringValue == "ResearchStudy/prog-1")
                #expect(subject["individual"]?["reference"]?.stringValue == "Patient/p-a")
                #expect(subject["assignedArm"]?.stringValue == "isotretinoin")
                #expect(subject["consent"]?["reference"]?.stringValue == "Consent/c-a")
                #expect(subject["meta"]?["versionId"]?.stringValue == "2")
                #expect(subject["extension"]?.arrayValue?.first?["valueCode"]?.stringValue == "screening")
            }
            try await client.execute(uri: "/fhir/ResearchSubject/e-b", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .notFound)
            }
            let cases: [(UserRole, String, [String])] = [
                (.coordinator, "study=ResearchStudy/prog-1", ["e-a"]),
                (.admin, "study=ResearchStudy/prog-1", ["e-a", "e-b"]),
                (.admin, "study=prog-1", ["e-a", "e-b"]),
                (.admin, "study=ResearchStudy/other", []),
                (.admin, "patient=Patient/p-b", ["e-b"]),
                (.admin, "individual=p-a", ["e-a"]),
                (.coordinator, "patient=Patient/p-b", []),
                (.admin, "status=screening", ["e-a"]),
                (.admin, "status=potential-candidate,screening", ["e-a", "e-b"]),
                (.admin, "status=http://hl7.org/fhir/research-subject-status%7Cpotential-candidate", ["e-b"]),
                (.admin, "status:not=screening", ["e-b"]),
                (.admin, "status=on-study", []),
                (.admin, "study=ResearchStudy/prog-1&status=screening", ["e-a"]),
            ]
            for (role, query, expected) in cases {
                try await client.execute(uri: "/fhir/ResearchSubject?\(query)", method: .get, headers: h.headers(role)) { r in
                    #expect(r.status == .ok, "\(query)")
                    #expect(Self.ids(Self.json(r.body)).sorted() == expected, "\(role) \(query)")
                }
            }
            for query in ["status=bogus", "study:Patient=p-a", "_sort=status"] {
                try await client.execute(uri: "/fhir/ResearchSubject?\(query)", method: .get, headers: h.headers(.admin)) { r in
                    #expect(r.status == .badRequest, "\(query)")
                }
            }
            // Paging one at a time by -_lastUpdated visits both, once each.
            var url: String? = "/fhir/ResearchSubject?_count=1&_sort=-_lastUpdated"
            var seen: [String] = []
            while let next = url, seen.count < 5 {
                let bundle = try await client.execute(uri: next, method: .get, headers: h.headers(.admin)) { r in Self.json(r.body) }
                seen += Self.ids(bundle)
                url = bundle["link"]?.arrayValue?.first { $0["relation"]?.stringValue == "next" }?["url"]?.stringValue
                    .flatMap { URL(string: $0) }.map { $0.path + ($0.query.map { "?" + $0 } ?? "") }
            }
            #expect(seen.sorted() == ["e-a", "e-b"])
            // _include of the study and _revinclude from the study.
            try await client.execute(uri: "/fhir/ResearchSubject?patient=p-a&_include=ResearchSubject:study", method: .get, headers: h.headers(.coordinator)) { r in
                let bundle = Self.json(r.body)
                #expect(Self.ids(bundle) == ["e-a"])
                #expect(Self.ids(bundle, mode: "include") == ["prog-1"])
            }
            try await client.execute(uri: "/fhir/ResearchStudy?_id=prog-1&_revinclude=ResearchSubject:study", method: .get, headers: h.headers(.coordinator)) { r in
                let bundle = Self.json(r.body)
                #expect(Self.ids(bundle) == ["prog-1"])
                #expect(Self.ids(bundle, mode: "include") == ["e-a"])
            }
        }
    }

    @Test("ResearchSubject of a blinded role: the pure mapping shows the kit code, never the arm")
    func blindedMapping() throws {
        let enrolment = Enrolment(id: "e-1", participantID: "p-1", programID: "prog-1", siteID: "site-a", armID: "placebo")
        let hidden = FHIRResearchSubjectHandler.resource(enrolment, createdAt: Self.now,
                                                        arm: .init(arm: nil, kitCode: "KIT-123"), consentID: nil)
        #expect(hidden["assignedArm"] == nil)
        #expect(hidden["actualArm"] == nil)
        #expect(hidden.encodedData().range(of: Data("placebo".utf8)) == nil)
        #expect(hidden["extension"]?.arrayValue?.contains { $0["valueString"]?.stringValue == "KIT-123" } == true)
        #expect(hidden["status"]?.stringValue == "potential-candidate")
        #expect(FHIRResearchSubjectHandler.resource(enrolment, createdAt: Self.now, arm: .hidden, consentID: nil)["assignedArm"] == nil)
        for status in EnrolmentStatus.allCases {
            #expect(FHIRResearchSubjectHandler.knownStatusCodes.contains(FHIRResearchSubjectHandler.status(status)))
        }
    }

    @Test("Consent: active with the signed document; a withdrawal of follow-up makes it inactive with a deny provision; search patient; another site's 404")
    func consent() async throws {
        try await WebHarness.with { h, client in
            try await Self.seed(h)
            try await client.execute(uri: "/fhir/Consent/c-a", method: .get, headers: h.headers(.monitor)) { r in
                #expect(r.status == .ok)
                let consent = Self.json(r.body)
                #expect(consent["status"]?.stringValue == "active")
                #expect(consent["scope"]?["coding"]?.arrayValue?.first?["code"]?.stringValue == "research")
                #expect(consent["patient"]?["reference"]?.stringValue == "Patient/p-a")
                #expect(consent["sourceReference"]?["identifier"]?["value"]?.stringValue == "doc-1")
                #expect(consent["provision"]?["type"]?.stringValue == "permit")
                #expect(consent["provision"]?["provision"] == nil)
                #expect(consent["policy"] != nil)
            }
            _ = try await h.database.repositories.consents.withdraw(
                ConsentWithdrawal(id: "w-1", participantID: "p-a", enrolmentID: "e-a", scope: .followUp,
                                  withdrawnAt: Self.now.addingTimeInterval(86_400), reason: "moving away",
                                  recordedBy: WebHarness.setup.actor, recordedAt: Self.now.addingTimeInterval(86_400)),
                context: WebHarness.setup)
            try await client.execute(uri: "/fhir/Consent/c-a", method: .get, headers: h.headers(.monitor)) { r in
                let consent = Self.json(r.body)
                #expect(consent["status"]?.stringValue == "inactive")
                let deny = consent["provision"]?["provision"]?.arrayValue?.first
                #expect(deny?["type"]?.stringValue == "deny")
                #expect(deny?["action"]?.arrayValue?.first?["coding"]?.arrayValue?.first?["code"]?.stringValue == "follow-up")
                #expect(consent["provision"]?["period"]?["end"]?.stringValue == "2026-01-02T00:00:00.000Z")
            }
            try await client.execute(uri: "/fhir/Consent/c-b", method: .get, headers: h.headers(.coordinator)) { r in
                #expect(r.status == .notFound)
            }
            for (role, query, expected) in [(UserRole.coordinator, "patient=Patient/p-a", ["c-a"]), (.coordinator, "patient=p-b", []),
                                            (.admin, "patient=p-b", ["c-b"]), (.coordinator, "", ["c-a"]), (.admin, "_id=c-a,c-b", ["c-a", "c-b"])] {
                try await client.execute(uri: "/fhir/Consent?\(query)", method: .get, headers: h.headers(role)) { r in
                    #expect(r.status == .ok, "\(query)")
                    #expect(Self.ids(Self.json(r.body)).sorted() == expected, "\(role) \(query)")
                }
            }
            try await client.execute(uri: "/fhir/Consent?status=active", method: .get, headers: h.headers(.admin)) { r in
                #expect(r.status == .badRequest)
            }
            try await client.execute(uri: "/fhir/Consent", method: .post, headers: h.headers(.admin), body: ByteBuffer(string: #"{"resourceType":"Consent"}"#)) { r in
                #expect(r.status == .methodNotAllowed)
            }
        }
    }
}
