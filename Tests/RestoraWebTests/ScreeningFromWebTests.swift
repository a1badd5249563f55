import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// Issue #14 item 1: a candidate registered through the web forms, with every screening input entered through
/// the web forms, screens "eligible" for each of the three programs; without one input the verdict is
/// "incomplete" and names it. Only the programs themselves are set up directly (there is no program page).
@Suite("Screening from the web app concludes")
struct ScreeningFromWebTests {
    static let programs: [(id: Identifier<Program>, protocolID: String, name: String)] = [
        ("prog-1", "isotretinoin-noa", "Isotretinoin"), ("prog-asc", "asc-azoospermia", "ASC testis"),
        ("prog-msc", "msc-osteoporosis", "MSC osteoporosis"),
    ]

    struct Clinic {
        var browser: WebBrowser
        let h: WebHarness

        /// GETs the form at `uri`, posts `fields` with its `_csrf` and `_nonce`, expects the redirect to the participant.
        mutating func enter(_ uri: String, _ fields: [(String, String)], sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let (_, result) = try await browser.submit(uri, fields)
            #expect(result.status == .seeOther, "\(uri): \(Self.errors(result.html))", sourceLocation: sourceLocation)
        }

        static func errors(_ html: String) -> String {
            html.components(separatedBy: "class=\"field-error\">").dropFirst().map { $0.components(separatedBy: "<").first ?? "" }.joined(separator: " | ")
        }

        /// Registers through `form#participant-form` and enrols through the enrolment form; returns the ids.
        mutating func register(mrn: String, sex: String, birthDate: String, program: Identifier<Program>) async throws -> (String, Identifier<Enrolment>) {
            let (_, created) = try await browser.submit("/participants/new", [
                ("siteID", "site-a"), ("mrn", mrn), ("givenName", "Web"), ("familyName", "Candidate"), ("sex", sex), ("birthDate", birthDate),
            ])
            let location = try #require(created.location)
            let participant = String(location.dropFirst("/participants/".count))
            try await enter("/participants/\(participant)/enrolments/new", [("programID", program.rawValue)])
            let enrolment = try #require(try await h.database.repositories.enrolments.list(participant: Identifier(participant)).first?.value.id)
            return (participant, enrolment)
        }

        mutating func semen(_ p: String, on date: String) async throws {
            try await enter("/participants/\(p)/semen/new", [
                ("effective", date), ("volume", "2,5"), ("concentration", "0"), ("pelletExamined", "yes"), ("pelletFinding", "no-sperm"),
                ("centrifugationG", "3000"), ("centrifugationMinutes", "15"),
            ])
        }

        mutating func lab(_ p: String, _ test: String, _ value: String, _ unit: String, on date: String) async throws {
            try await enter("/participants/\(p)/labs/new", [("test", test), ("value", value), ("unit", unit), ("effective", date)])
        }

        mutating func reviewAll(_ p: String) async throws {
            try await enter("/participants/\(p)/reviewed-sections", ParticipantRecord.Section.allCases.map { ("section-\($0.rawValue)", "yes") })
        }

        /// Screens through the participant page's screening form; the stored verdict and report.
        mutating func screen(_ p: String, _ enrolment: Identifier<Enrolment>, on date: String) async throws -> ScreeningRecord {
            let page = try await browser.get("/participants/\(p)")
            let screened = try await browser.post("/enrolments/\(enrolment.rawValue)/screen", [
                ("_csrf", page.value("_csrf") ?? ""), ("_nonce", "screen-\(date)-\(UUID().uuidString)"), ("on", date),
            ])
            #expect(screened.status == .seeOther)
            let shown = try await browser.get("/participants/\(p)")
            let stored = try #require(try await h.database.repositories.screenings.list(participant: Identifier(p)).map(\.value).max { $0.screenedOn < $1.screenedOn })
            #expect(shown.html.contains(": \(stored.verdict.rawValue) on \(date)"))
            return stored
        }
    }

    static func clinic(_ h: WebHarness, _ client: any TestClientProtocol) async throws -> Clinic {
        for program in programs.dropFirst() {
            _ = try await h.database.repositories.programs.create(
                Program(id: program.id, protocolID: program.protocolID, protocolVersion: "1.0", name: program.name, siteIDs: ["site-a"]),
                context: WebHarness.setup, idempotencyKey: nil)
        }
        return Clinic(browser: try await WebBrowser.signedIn(h, client, as: .coordinator), h: h)
    }

    static func failed(_ screening: ScreeningRecord) -> String {
        screening.report.criteria.filter { $0.outcome != ($0.role == .inclusion ? .met : .notMet) }
            .map { "\($0.id): \($0.outcome.rawValue) \($0.missing)" }.joined(separator: "; ")
    }

    @Test("isotretinoin-noa: registered, diagnosis, two examined pellets, labs, PHQ-9 and alcohol, reviewed sections → eligible")
    func isotretinoin() async throws {
        try await WebHarness.with { h, client in
            var c = try await Self.clinic(h, client)
            let (p, enrolment) = try await c.register(mrn: "W-ISO-1", sex: "male", birthDate: "1990-05-04", program: "prog-1")
            let before = try await c.screen(p, enrolment, on: "2025-12-29")
            #expect(before.verdict == .incomplete)
            try await c.enter("/participants/\(p)/screening-facts", [("diagnosisCode", "N46.01"), ("diagnosisName", "Organic azoospermia")])
            try await c.semen(p, on: "2025-11-02")
            try await c.semen(p, on: "2025-12-01")
            try await c.lab(p, "triglycerides", "120", "mg/dL", on: "2025-12-20")
            try await c.lab(p, "alt", "30", "U/L", on: "2025-12-20")
            try await c.lab(p, "ast", "25", "U/L", on: "2025-12-20")
            try await c.enter("/participants/\(p)/screening-assessments/new", [("effective", "2025-12-20"), ("phq9", "5"), ("alcoholDrinksPerDay", "1,5")])
            try await c.reviewAll(p)
            let after = try await c.screen(p, enrolment, on: "2025-12-30")
            #expect(after.verdict == .eligible, "\(Self.failed(after))")
        }
    }

    @Test("asc-azoospermia: pellets, hormones, testicular volumes, normal karyotype, no Y microdeletion, reviewed sections → eligible")
    func ascAzoospermia() async throws {
        try await WebHarness.with { h, client in
            var c = try await Self.clinic(h, client)
            let (p, enrolment) = try await c.register(mrn: "W-ASC-1", sex: "male", birthDate: "1988-02-10", program: "prog-asc")
            try await c.semen(p, on: "2025-11-02")
            try await c.semen(p, on: "2025-12-01")
            try await c.lab(p, "fsh", "14,2", "[IU]/L", on: "2025-12-10")
            try await c.lab(p, "lh", "9", "[IU]/L", on: "2025-12-10")
            try await c.lab(p, "testosterone", "350", "ng/dL", on: "2025-12-10")
            try await c.lab(p, "inhibin-b", "40", "pg/mL", on: "2025-12-10")
            try await c.enter("/participants/\(p)/screening-assessments/new", [
                ("effective", "2025-12-10"), ("testicularVolumeLeft", "8"), ("testicularVolumeRight", "9"), ("karyotype", "normal"),
                ("yMicrodeletion", "not-detected"),
            ])
            try await c.reviewAll(p)
            let screening = try await c.screen(p, enrolment, on: "2025-12-30")
            #expect(screening.verdict == .eligible, "\(Self.failed(screening))")
        }
    }

    @Test("msc-osteoporosis: postmenopausal, DXA at three sites, an adjunct bisphosphonate, reviewed sections → eligible; without the menopausal status → incomplete naming it")
    func osteoporosis() async throws {
        try await WebHarness.with { h, client in
            var c = try await Self.clinic(h, client)
            let (p, enrolment) = try await c.register(mrn: "W-MSC-1", sex: "female", birthDate: "1958-09-01", program: "prog-msc")
            for (site, t) in [("lumbar-spine", "-2,8"), ("femoral-neck", "-2.1"), ("total-hip", "-1.9")] {
                try await c.enter("/participants/\(p)/dxa/new", [("site", site), ("tScore", t), ("effective", "2025-12-05")])
            }
            try await c.enter("/participants/\(p)/concomitant-medications/new", [
                ("drug", "46041"), ("dose", "70 mg once weekly"), ("start", "2024-01-10"), ("adjunct", "yes"),
            ])
            try await c.reviewAll(p)
            let incomplete = try await c.screen(p, enrolment, on: "2025-12-29")
            #expect(incomplete.verdict == .incomplete)
            #expect(incomplete.report.missing.contains { $0.contains("menopausal status") })
            try await c.enter("/participants/\(p)/screening-facts", [("postmenopausal", "yes")])
            let screening = try await c.screen(p, enrolment, on: "2025-12-30")
            #expect(screening.verdict == .eligible, "\(Self.failed(screening))")
            let stored = try await h.database.repositories.concomitantMedications.list(participant: Identifier(p)).map(\.value.medication)
            #expect(stored == [ConcomitantMedication(drug: Coding(.rxnorm, "46041", display: "alendronate"), drugClass: "bisphosphonate",
                                                     dose: "70 mg once weekly", start: CalendarDate("2024-01-10"), adjunct: true)])
        }
    }

    @Test("a pellet spun below 1,000 g for 15 min does not count: the analysis is stored, its classification is not azoospermia, screening stays incomplete")
    func weakSpin() async throws {
        try await WebHarness.with { h, client in
            var c = try await Self.clinic(h, client)
            let (p, enrolment) = try await c.register(mrn: "W-ISO-2", sex: "male", birthDate: "1990-05-04", program: "prog-1")
            for date in ["2025-11-02", "2025-12-01"] {
                try await c.enter("/participants/\(p)/semen/new", [
                    ("effective", date), ("volume", "2.5"), ("concentration", "0"), ("pelletExamined", "yes"), ("pelletFinding", "no-sperm"),
                    ("centrifugationG", "600"), ("centrifugationMinutes", "10"),
                ])
            }
            let stored = try await h.database.repositories.observations.list(participant: Identifier(p)).map(\.value)
            #expect(stored.filter { $0.code.sameConcept(as: ClinicalCodes.semenClassification) }.isEmpty)
            #expect(stored.allSatisfy { $0.specimen?.centrifugationG == 600 && $0.specimen?.pelletExamined == true })
            let screening = try await c.screen(p, enrolment, on: "2025-12-30")
            let criterion = screening.report.criteria.first { $0.id == "confirmed-azoospermia-or-cryptozoospermia" }
            #expect(criterion?.outcome == .unknown)
        }
    }

    @Test("refused web inputs come back next to their fields with nothing written: PHQ-9 31, RxNorm letters, stop before start, a bad ICD-10-CM code, a pellet without its spin; a monitor gets 403")
    func refusals() async throws {
        try await WebHarness.with { h, client in
            var c = try await Self.clinic(h, client)
            let repos = h.database.repositories
            let before = (try await repos.observations.list(participant: "p-a").count, try await repos.participants.get("p-a").version)
            let cases: [(String, [(String, String)], String)] = [
                ("/participants/p-a/screening-assessments/new", [("effective", "2025-12-20"), ("phq9", "31")], "phq9"),
                ("/participants/p-a/screening-assessments/new", [("effective", "2025-12-20"), ("phq9", "4.5")], "phq9"),
                ("/participants/p-a/concomitant-medications/new", [("drug", "other"), ("drugName", "x"), ("drugClass", "retinoid"), ("rxnormCode", "abc")], "rxnormCode"),
                ("/participants/p-a/concomitant-medications/new", [("drug", "10395"), ("start", "2025-12-10"), ("stop", "2025-12-01")], "stop"),
                ("/participants/p-a/screening-facts", [("diagnosisCode", "azoospermia")], "diagnosisCode"),
                ("/participants/p-a/semen/new", [("effective", "2025-12-01"), ("pelletExamined", "yes"), ("pelletFinding", "no-sperm"), ("concentration", "0")], "centrifugationG"),
            ]
            for (uri, fields, field) in cases {
                let (_, result) = try await c.browser.submit(uri, fields)
                #expect(result.status == .unprocessableContent, "\(uri) \(field)")
                #expect(result.fieldError(field) != nil, "\(uri): no message next to \(field) in \(Clinic.errors(result.html))")
                #expect(result.value(fields.last!.0) == fields.last!.1, "the typed value is kept")
            }
            #expect(try await repos.observations.list(participant: "p-a").count == before.0)
            #expect(try await repos.participants.get("p-a").version == before.1)
            #expect(try await repos.concomitantMedications.list(participant: "p-a").isEmpty)
            var monitor = try await WebBrowser.signedIn(h, client, as: .monitor)
            #expect(try await monitor.get("/participants/p-a/reviewed-sections").status == .forbidden)
            #expect(try await monitor.get("/participants/p-b/concomitant-medications/new").status == .forbidden)
            #expect(try await c.browser.get("/participants/p-b/screening-facts").status == .notFound)
        }
    }

    @Test("the same concomitant medication, reviewed sections and diagnosis through the web forms and through the API leave identical records")
    func webAndAPIAgree() async throws {
        try await WebHarness.with { h, client in
            var c = try await Self.clinic(h, client)
            let (web, _) = try await c.register(mrn: "W-SAME-1", sex: "male", birthDate: "1980-01-01", program: "prog-1")
            let (api, _) = try await c.register(mrn: "W-SAME-2", sex: "male", birthDate: "1980-01-01", program: "prog-1")
            try await c.enter("/participants/\(web)/concomitant-medications/new", [
                ("drug", "3640"), ("dose", "100 mg daily"), ("start", "2025-10-01"), ("stop", "2025-10-14"),
            ])
            try await c.reviewAll(web)
            try await c.enter("/participants/\(web)/screening-facts", [("diagnosisCode", "n46.01"), ("diagnosisName", "Organic azoospermia")])
            let headers = h.headers(.coordinator)
            for (uri, method, body) in [
                ("/api/v1/participants/\(api)/concomitant-medications", HTTPRequest.Method.post,
                 #"{"drug":{"system":"rxnorm","code":"3640","display":"doxycycline"},"drugClass":"tetracycline","dose":"100 mg daily","start":"2025-10-01","stop":"2025-10-14"}"#),
                ("/api/v1/participants/\(api)/reviewed-sections", .put, #"{"sections":["diagnoses","history","medications","procedures"]}"#),
                ("/api/v1/participants/\(api)/diagnoses", .post, #"{"code":{"system":"icd10-cm","code":"N46.01","display":"Organic azoospermia"}}"#),
            ] {
                try await client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(string: body)) { r in
                    #expect(r.status == .ok || r.status == .created, "\(uri)")
                }
            }
            let repos = h.database.repositories
            #expect(try await repos.concomitantMedications.list(participant: Identifier(web)).map(\.value.medication)
                    == repos.concomitantMedications.list(participant: Identifier(api)).map(\.value.medication))
            #expect(try await Set(repos.sectionReviews.list(participant: Identifier(web)).map(\.value.section))
                    == Set(repos.sectionReviews.list(participant: Identifier(api)).map(\.value.section)))
            #expect(try await repos.participants.get(Identifier(web)).value.diagnoses == repos.participants.get(Identifier(api)).value.diagnoses)
        }
    }

    @Test("a concomitant medication is stopped from the participant page: a stop before the start is refused next to the date, nothing written; a valid stop is stored with its reason")
    func stopFromTheWeb() async throws {
        try await WebHarness.with { h, client in
            var c = try await Self.clinic(h, client)
            try await c.enter("/participants/p-a/concomitant-medications/new", [("drug", "10395"), ("start", "2025-12-01")])
            let stored = try #require(try await h.database.repositories.concomitantMedications.list(participant: "p-a").first)
            let page = try await c.browser.get("/participants/p-a")
            let uri = "/participants/p-a/concomitant-medications/\(stored.value.id.rawValue)/stop"
            #expect(page.html.contains("href=\"\(uri)\""))
            let (_, refused) = try await c.browser.submit(uri, [("stop", "2025-11-20")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.fieldError("stop") != nil)
            #expect(try await h.database.repositories.concomitantMedications.get(stored.value.id).version == 1)
            try await c.enter(uri, [("stop", "2025-12-20"), ("reason", "course finished")])
            let stopped = try await h.database.repositories.concomitantMedications.get(stored.value.id)
            #expect(stopped.value.medication.stop == CalendarDate("2025-12-20"))
            let trail = try await h.database.repositories.audit.history(table: "concomitant_medications", recordID: stored.value.id.rawValue)
            #expect(trail.last?.reason == "course finished")
            #expect(!(try await c.browser.get("/participants/p-a")).html.contains("href=\"\(uri)\""))
        }
    }
}
