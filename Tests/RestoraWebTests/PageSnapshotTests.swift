import Foundation
import RestoraDomain
@testable import RestoraWeb
import Testing

/// Snapshots of the clinic's views: each page is drawn from its view model over fixed records (fixed ids, fixed
/// clinical dates, the harness's fixed clock) and compared, line by line, with the reviewed copy in
/// `Snapshots/`. What differs per run is masked: the anti-forgery token, the form nonce, server-minted ids
/// and the request reference. A snapshot that is missing or differs fails the test and the page as drawn is
/// written to the temporary directory; after reviewing it, `RESTORA_RECORD_SNAPSHOTS=1 swift test --filter
/// PageSnapshotTests` writes it into `Snapshots/` (never in CI).
@Suite("Page snapshots of the view models", .serialized)
struct PageSnapshotTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    /// A participant with a whole record on fixed dates: an enrolment on treatment, a semen analysis, lipids and
    /// liver enzymes with their reading, an adverse event, a harvest and a lot with its release tests and custody.
    static func seed(_ h: WebHarness) async throws {
        let r = h.database.repositories
        let setup = WebHarness.setup
        func day(_ text: String, hour: Double = 9) -> Date { CalendarDate(text)!.startOfDayUTC.addingTimeInterval(hour * 3600) }
        _ = try await r.enrolments.create(Enrolment(id: "e-a", participantID: "p-a", programID: "prog-1", siteID: "site-a"),
                                          context: setup, idempotencyKey: nil)
        var version = 1
        for (status, date) in [(EnrolmentStatus.screening, "2025-10-01"), (.eligible, "2025-10-08"), (.consented, "2025-10-09"),
                               (.enrolled, "2025-10-10"), (.onTreatment, "2025-10-15")] {
            var context = setup
            context.reason = "snapshot fixture"
            version = try await r.enrolments.transition("e-a", to: status, at: day(date), expectedVersion: version, context: context).version
        }
        let observations: [(String, Coding, Double, String, String, Double?)] = [
            ("o-vol", ClinicalCodes.semenVolume, 2.4, "mL", "2025-10-02", nil),
            ("o-conc", ClinicalCodes.spermConcentration, 0.4, "10*6/mL", "2025-10-02", nil),
            ("o-tg1", ClinicalCodes.triglyceride, 140, "mg/dL", "2025-10-02", nil),
            ("o-tg2", ClinicalCodes.triglyceride, 420, "mg/dL", "2025-12-10", nil),
            ("o-alt1", ClinicalCodes.alt, 30, "U/L", "2025-10-02", 40),
            ("o-alt2", ClinicalCodes.alt, 130, "U/L", "2025-12-10", 40),
        ]
        for (id, code, value, unit, date, uln) in observations {
            _ = try await r.observations.create(
                Observation(id: Identifier(id), participantID: "p-a", enrolmentID: "e-a", code: code, value: .quantity(Quantity(value, unit)),
                            effective: day(date), upperLimitOfNormal: uln),
                context: setup, idempotencyKey: nil)
            // Lists order records stored at the same instant by id: a store fast enough to write two observations
            // within one millisecond would reorder the rows the snapshots were recorded with (their write order).
            try await Task.sleep(for: .milliseconds(2))
        }
        _ = try await r.adverseEvents.create(
            AdverseEvent(id: "ae-a", participantID: "p-a", enrolmentID: "e-a", term: "Dry skin", grade: 1, relatedness: .probable,
                         onset: CalendarDate("2025-12-20")!),
            context: setup, idempotencyKey: nil)
        let surgeon = Actor(userID: "u-investigator", role: "investigator")
        _ = try await r.procedures.create(
            Procedure(id: "pr-h", participantID: "p-a", kind: .tissueHarvest, performed: day("2025-11-03"), performer: surgeon,
                      anatomicalSite: "posterior iliac crest", anaesthesia: .local, sourceTissue: "bone-marrow-aspirate", volumeML: 60),
            context: setup, idempotencyKey: nil)
        _ = try await r.cellProducts.create(
            CellProduct(id: "cp-a", lot: "LOT-SNAP-1", participantID: "p-a", sourceTissue: "bone-marrow-aspirate", harvestProcedureID: "pr-h",
                        totalCells: 1.2e8, viableCells: 1.1e8, viabilityPercent: 92,
                        releaseTests: ReleaseTestResults(markersPercent: ["CD73": 99, "CD90": 98, "CD105": 97, "CD45": 0.5, "CD34": 0.4,
                                                                          "CD14": 0.3, "CD19": 0.2, "HLA-DR": 0.6],
                                                         viabilityPercent: 92, sterilityNoGrowth: true, endotoxin: Quantity(1, "EU/kg")),
                        releaseStatus: .quarantine,
                        custody: [CustodyEvent(kind: .received, at: day("2025-11-03", hour: 12), actor: surgeon, location: "GMP cell laboratory")]),
            context: setup, idempotencyKey: nil)
    }

    /// The per-run parts masked: tokens, nonces, server-minted ids (UUIDs), the request reference.
    static func normalized(_ html: String) -> String {
        var text = html
        let masks: [(String, String)] = [
            (#"name="_csrf" value="[^"]*""#, #"name="_csrf" value="CSRF""#),
            (#"name="_nonce" value="[^"]*""#, #"name="_nonce" value="NONCE""#),
            (#"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"#, "UUID"),
            (#"· reference [A-Za-z0-9-]+"#, "· reference REQUEST"),
        ]
        for (pattern, replacement) in masks {
            text = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        // One element per line, so a difference names the element it is in.
        return text.replacingOccurrences(of: "><", with: ">\n<") + "\n"
    }

    static func check(_ name: String, _ page: WebBrowser.Page, status: Int = 200) throws {
        #expect(Int(page.status.code) == status, "\(name) answered \(page.status)")
        let actual = normalized(page.html)
        let file = folder.appendingPathComponent(name + ".html")
        if ProcessInfo.processInfo.environment["RESTORA_RECORD_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try actual.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try? String(contentsOf: file, encoding: .utf8)
        guard expected != actual else { return }
        let drawn = FileManager.default.temporaryDirectory.appendingPathComponent("restora-snapshot-\(name).html")
        try? actual.write(to: drawn, atomically: true, encoding: .utf8)
        guard let expected else {
            Issue.record("no snapshot \(file.path); the page as drawn is in \(drawn.path)")
            return
        }
        let old = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let new = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let line = (0..<min(old.count, new.count)).first { old[$0] != new[$0] } ?? min(old.count, new.count)
        let was = line < old.count ? String(old[line]) : "(end)"
        let now = line < new.count ? String(new[line]) : "(end)"
        Issue.record("\(name) differs from its snapshot at line \(line + 1):\n  snapshot: \(was)\n  drawn:    \(now)\nthe page as drawn is in \(drawn.path)")
    }

    @Test("the clinic's pages as an investigator sees them over a fixed record")
    func investigatorPages() async throws {
        try await WebHarness.with { h, client in
            try await Self.seed(h)
            var browser = try await WebBrowser.signedIn(h, client, as: .investigator)
            try Self.check("dashboard", try await browser.get("/dashboard"))
            try Self.check("participant", try await browser.get("/participants/p-a"))
            try Self.check("participant-list", try await browser.get("/participants?q=A-001"))
            try Self.check("cell-product", try await browser.get("/cell-products/cp-a"))
            try Self.check("release-tests-form", try await browser.get("/cell-products/cp-a/release-tests"))
            try Self.check("procedure-form", try await browser.get("/participants/p-a/procedures/new?kind=injection&cellProductID=cp-a"))
            try Self.check("lab-form", try await browser.get("/participants/p-a/labs/new?test=alt"))
            try Self.check("not-found", try await browser.get("/participants/nobody"), status: 404)
        }
    }

    @Test("refused forms as drawn: the messages next to the fields and the typed values")
    func refusedForms() async throws {
        try await WebHarness.with { h, client in
            try await Self.seed(h)
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let (_, semen) = try await browser.submit("/participants/p-a/semen/new", [
                ("effective", "2027-01-01"), ("volume", "-1"), ("concentration", "12"), ("totalMotility", "40"), ("progressiveMotility", "55"),
                ("enrolmentID", "")])
            try Self.check("semen-form-refused", semen, status: 422)
            let (_, injection) = try await browser.submit("/participants/p-a/procedures/new", [
                ("kind", "injection"), ("performed", "2025-12-30"), ("anatomicalSite", ""), ("volumeML", "0"), ("cellProductID", "cp-a")])
            try Self.check("procedure-form-refused", injection, status: 422)
        }
    }

    @Test("the public pre-screening questionnaire and the sign-in page")
    func publicPages() async throws {
        try await WebHarness.with { _, client in
            var browser = WebBrowser(client)
            try Self.check("sign-in", try await browser.get("/sign-in"))
            try Self.check("prescreen", try await browser.get("/prescreen"))
        }
    }
}
