import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

@Suite("Cell-therapy pages: procedures, cell products, release testing and decision")
struct CellTherapyPagesTests {
    static let procedures = "/participants/p-a/procedures/new"
    static let products = "/participants/p-a/cell-products/new"

    static let harvest = [
        ("kind", "tissue-harvest"), ("performed", "2025-12-01"), ("anatomicalSite", "posterior iliac crest"), ("laterality", "left"),
        ("imagingGuidance", ""), ("anaesthesia", "local"), ("sourceTissue", "bone-marrow-aspirate"), ("volumeML", "60"),
        ("cellProductID", ""), ("outcome", "completed"), ("note", ""), ("enrolmentID", "e-cell"),
    ]

    /// ISCT 2006 results that meet every default criterion (REFERENCE.md D2).
    static let passingTests = [
        ("marker-CD73", "99"), ("marker-CD90", "98"), ("marker-CD105", "97"), ("marker-CD45", "0.5"), ("marker-CD34", "0.4"),
        ("marker-CD14", "0.3"), ("marker-CD11b", ""), ("marker-CD79a", ""), ("marker-CD19", "0.2"), ("marker-HLA-DR", "0.6"),
        ("viabilityPercent", "92"), ("sterility", "no-growth"), ("endotoxinValue", "1"), ("endotoxinUnit", "EU/kg"),
        ("mycoplasma", "negative"), ("doseCells", "1e8"), ("participantWeightKg", "70"), ("productVolumeML", "8"),
    ]

    static func injection(lot: String) -> [(String, String)] {
        // The day of the release decision (the harness clock's today): its `released` custody step comes first.
        // Within the osteoporosis protocol's image-guided injection: hip, fluoroscopy, local anaesthesia, ≤ 10 mL.
        [("kind", "injection"), ("performed", "2026-01-01"), ("anatomicalSite", "right hip"), ("imagingGuidance", "fluoroscopy"),
         ("anaesthesia", "local"), ("volumeML", "8"), ("cellProductID", lot), ("enrolmentID", "e-cell")]
    }

    static func product(_ h: WebHarness, lot: String) async throws -> CellProduct {
        try await h.database.repositories.cellProducts.get(lot: lot).value
    }

    /// Registers lot `lot` through the form and returns its id.
    static func register(_ browser: inout WebBrowser, _ h: WebHarness, lot: String) async throws -> String {
        let (_, result) = try await browser.submit(products, [("lot", lot), ("sourceTissue", "bone-marrow-aspirate"), ("totalCells", "1.2e8"),
                                                              ("viableCells", "1.1e8"), ("viabilityPercent", "92"), ("enrolmentID", "")])
        #expect(result.status == .seeOther)
        return try await product(h, lot: lot).id.rawValue
    }

    /// Enters `fields` on the release-tests form of `id` (with the form's `_version`).
    static func enterTests(_ browser: inout WebBrowser, _ id: String, _ fields: [(String, String)]) async throws -> WebBrowser.Page {
        let form = try await browser.get("/cell-products/\(id)/release-tests")
        let controls = ["_csrf", "_nonce", "_version"].compactMap { name in form.value(name).map { (name, $0) } }
        return try await browser.post("/cell-products/\(id)/release-tests", fields + controls)
    }

    @Test("a harvest is recorded with its tissue and site; a harvest without tissue, a negative volume or a future date is refused next to the field")
    func harvestProcedure() async throws {
        try await WebHarness.with { h, client in
            try await TreatmentLimitsAPITests.enrol(h, isotretinoin: nil)
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let (form, result) = try await browser.submit(Self.procedures, Self.harvest)
            #expect(form.html.contains("<form id=\"procedure-form\""))
            #expect(form.html.contains("Volume<span class=\"unit\"> (mL)</span>"))
            #expect(result.status == .seeOther)
            #expect(result.location == "/participants/p-a")
            let stored = try await h.database.repositories.procedures.list(participant: "p-a").map(\.value)
            #expect(stored.count == 1)
            #expect(stored.first?.kind == .tissueHarvest && stored.first?.sourceTissue == "bone-marrow-aspirate" && stored.first?.volumeML == 60)
            #expect(stored.first?.performer?.userID == "u-web-coordinator")
            let page = try await browser.get("/participants/p-a")
            #expect(page.html.contains("class=\"procedure-row\""))
            #expect(page.html.contains("/audit/procedures/\(stored[0].id.rawValue)"))

            var bad = Self.harvest.filter { !["sourceTissue", "volumeML", "performed"].contains($0.0) }
            bad += [("sourceTissue", ""), ("volumeML", "-5"), ("performed", "2027-01-01")]
            let (_, refused) = try await browser.submit(Self.procedures, bad)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.fieldError("sourceTissue") == "Choose the tissue harvested")
            #expect(refused.fieldError("volumeML") == "Must be more than 0 and at most 1000 mL; got -5")
            #expect(refused.fieldError("performed")?.contains("in the future") == true)
            #expect(refused.value("anatomicalSite") == "posterior iliac crest")
            #expect(try await h.database.repositories.procedures.list(participant: "p-a").count == 1)
        }
    }

    @Test("a lot is registered once: a duplicate lot or more viable than total cells is refused next to the field; a double submit stores one lot")
    func registerLot() async throws {
        try await WebHarness.with { h, client in
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let form = try await browser.get(Self.products)
            #expect(form.html.contains("<form id=\"cell-product-form\""))
            let fields = [("lot", "LOT-W1"), ("sourceTissue", "adipose-lipoaspirate"), ("totalCells", "2e8"), ("viableCells", "1.8e8"),
                          ("viabilityPercent", "90"), ("enrolmentID", ""), ("_csrf", form.value("_csrf") ?? ""), ("_nonce", form.value("_nonce") ?? "")]
            let first = try await browser.post(Self.products, fields)
            let second = try await browser.post(Self.products, fields)
            #expect(first.status == .seeOther)
            #expect(second.status == .seeOther)
            let lots = try await h.database.repositories.cellProducts.list(participant: "p-a").map(\.value)
            #expect(lots.count == 1)
            #expect(lots.first?.releaseStatus == .inProcess && lots.first?.totalCells == 2e8)

            let (_, duplicate) = try await browser.submit(Self.products, [("lot", "LOT-W1"), ("sourceTissue", "adipose-lipoaspirate")])
            #expect(duplicate.status == .unprocessableContent)
            #expect(duplicate.fieldError("lot")?.contains("already registered") == true)
            let (_, counts) = try await browser.submit(Self.products, [("lot", "LOT-W2"), ("sourceTissue", "adipose-lipoaspirate"),
                                                                      ("totalCells", "1e8"), ("viableCells", "2e8"), ("viabilityPercent", "101")])
            #expect(counts.fieldError("viableCells")?.contains("cannot be more than the total") == true)
            #expect(counts.fieldError("viabilityPercent")?.contains("got 101") == true)
            #expect(counts.value("lot") == "LOT-W2")
            #expect(try await h.database.repositories.cellProducts.list(participant: "p-a").count == 1)
        }
    }

    @Test("release tests: impossible values refused next to the field; passing results put the lot in quarantine and an investigator releases it (audited)")
    func releaseTestingAndDecision() async throws {
        try await WebHarness.with { h, client in
            var coordinator = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let id = try await Self.register(&coordinator, h, lot: "LOT-R1")
            let before = try await coordinator.get("/cell-products/\(id)")
            #expect(before.html.contains("If decided now: cannot decide: missing"))
            #expect(before.html.contains("id=\"enter-release-tests\""))

            var impossible = Self.passingTests.filter { !["marker-CD73", "endotoxinUnit"].contains($0.0) }
            impossible += [("marker-CD73", "120"), ("endotoxinUnit", "")]
            let refused = try await Self.enterTests(&coordinator, id, impossible)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.fieldError("marker-CD73") == "Must be 0–100 %; got 120")
            #expect(refused.fieldError("endotoxinUnit") == "Choose the unit the laboratory reported")
            #expect(refused.value("marker-CD90") == "98")
            #expect(try await Self.product(h, lot: "LOT-R1").releaseStatus == .inProcess)

            let saved = try await Self.enterTests(&coordinator, id, Self.passingTests)
            #expect(saved.status == .seeOther)
            #expect(saved.location == "/cell-products/\(id)")
            let quarantined = try await Self.product(h, lot: "LOT-R1")
            #expect(quarantined.releaseStatus == .quarantine)
            #expect(quarantined.releaseTests.markersPercent["CD73"] == 99)
            #expect(quarantined.releaseTests.endotoxin == Quantity(1, "EU/kg"))
            let page = try await coordinator.get("/cell-products/\(id)")
            #expect(page.html.contains("If decided now: released: all"))
            #expect(!page.html.contains("release-decision-form"))   // a coordinator does not decide

            // A coordinator posting the decision anyway gets the 403 page; the lot is unchanged.
            let forbidden = try await coordinator.post("/cell-products/\(id)/release-decision", [("_csrf", page.value("_csrf") ?? ""), ("_version", "2")])
            #expect(forbidden.status == .forbidden)
            #expect(try await Self.product(h, lot: "LOT-R1").releaseStatus == .quarantine)

            var investigator = try await WebBrowser.signedIn(h, client, as: .investigator)
            let decisionPage = try await investigator.get("/cell-products/\(id)")
            #expect(decisionPage.html.contains("id=\"release-decision-form\""))
            let fields = [("_csrf", decisionPage.value("_csrf") ?? ""), ("_version", decisionPage.value("_version") ?? "")]
            let decided = try await investigator.post("/cell-products/\(id)/release-decision", fields)
            let again = try await investigator.post("/cell-products/\(id)/release-decision", fields)   // double submit
            #expect(decided.status == .seeOther)
            #expect(again.status == .seeOther)
            let released = try await Self.product(h, lot: "LOT-R1")
            #expect(released.releaseStatus == .released)
            #expect(released.releaseDecision?.outcome == .released)
            let history = try await investigator.get("/audit/cell-products/\(id)")
            #expect(history.status == .ok)
            #expect(history.html.contains("release decision: released"))
            let after = try await investigator.get("/cell-products/\(id)")
            #expect(after.html.contains("Decided: released"))
            #expect(after.html.contains("id=\"record-injection\""))
            #expect(!after.html.contains("id=\"enter-release-tests\""))
            // Results of a decided lot can no longer change.
            let late = try await Self.enterTests(&coordinator, id, Self.passingTests)
            #expect(late.status == .unprocessableContent)
            #expect(late.html.contains("already decided"))
        }
    }

    @Test("a release decision entered afterwards carries its day: a future day is refused next to the field, an earlier day dates the custody step")
    func decisionDate() async throws {
        // Results entered on 2025-12-15 (the quarantined custody step, issue #19), the decision entered on 2026-01-01.
        let clock = ManualClock(WebHarness.now.addingTimeInterval(-17 * 86_400))
        try await WebHarness.with(clock: clock) { h, client in
            var coordinator = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let id = try await Self.register(&coordinator, h, lot: "LOT-D1")
            _ = try await Self.enterTests(&coordinator, id, Self.passingTests)
            let quarantined = try await Self.product(h, lot: "LOT-D1").custody
            #expect(quarantined.map(\.kind) == [.quarantined])
            #expect(quarantined.first.map { CalendarDate($0.at) } == CalendarDate("2025-12-15"))
            #expect(quarantined.first?.actor.role == "coordinator")
            clock.advance(17 * 86_400)
            var investigator = try await WebBrowser.signedIn(h, client, as: .investigator)
            let page = try await investigator.get("/cell-products/\(id)")
            #expect(page.value("decidedOn") == "2026-01-01")   // today by default (the harness clock)
            let base = [("_csrf", page.value("_csrf") ?? ""), ("_version", page.value("_version") ?? "")]
            let future = try await investigator.post("/cell-products/\(id)/release-decision", base + [("decidedOn", "2026-01-05")])
            #expect(future.status == .unprocessableContent)
            #expect(future.fieldError("decidedOn")?.contains("in the future") == true)
            // Custody stays in time order: not before the lot entered quarantine.
            let beforeQuarantine = try await investigator.post("/cell-products/\(id)/release-decision", base + [("decidedOn", "2025-12-10")])
            #expect(beforeQuarantine.status == .unprocessableContent)
            #expect(beforeQuarantine.fieldError("decidedOn")?.contains("quarantined on 2025-12-15") == true)
            #expect(try await Self.product(h, lot: "LOT-D1").releaseStatus == .quarantine)
            let earlier = try await investigator.post("/cell-products/\(id)/release-decision", base + [("decidedOn", "2025-12-20")])
            #expect(earlier.status == .seeOther)
            let released = try await Self.product(h, lot: "LOT-D1")
            #expect(released.releaseStatus == .released)
            #expect(released.custody.map(\.kind) == [.quarantined, .released])
            #expect(released.custody.last.map { CalendarDate($0.at) } == CalendarDate("2025-12-20"))
        }
    }

    @Test("changing results already entered needs a reason; a stale form shows the current results with a 409")
    func changingResults() async throws {
        try await WebHarness.with { h, client in
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let id = try await Self.register(&browser, h, lot: "LOT-C1")
            #expect(try await Self.enterTests(&browser, id, Self.passingTests).status == .seeOther)
            // The same results entered again change nothing: no new version, no audit entry.
            let version = try await h.database.repositories.cellProducts.get(Identifier(id)).version
            #expect(try await Self.enterTests(&browser, id, Self.passingTests).status == .seeOther)
            #expect(try await h.database.repositories.cellProducts.get(Identifier(id)).version == version)
            let stale = try await browser.get("/cell-products/\(id)/release-tests")
            #expect(stale.html.contains("id=\"reason\""))
            var changed = Self.passingTests.filter { $0.0 != "viabilityPercent" }
            changed.append(("viabilityPercent", "65"))
            let noReason = try await Self.enterTests(&browser, id, changed + [("reason", " ")])
            #expect(noReason.status == .unprocessableContent)
            #expect(noReason.fieldError("reason")?.contains("Say why") == true, "\(noReason.html)")
            #expect(try await Self.product(h, lot: "LOT-C1").releaseTests.viabilityPercent == 92)
            let withReason = try await Self.enterTests(&browser, id, changed + [("reason", "CoA transcription corrected")])
            #expect(withReason.status == .seeOther)
            #expect(try await Self.product(h, lot: "LOT-C1").releaseTests.viabilityPercent == 65)
            let history = try await browser.get("/audit/cell-products/\(id)")
            #expect(history.html.contains("CoA transcription corrected"))
            // The form opened before that change, now posted with other values: refused as stale.
            let controls = ["_csrf", "_nonce", "_version"].compactMap { name in stale.value(name).map { (name, $0) } }
            let conflict = try await browser.post("/cell-products/\(id)/release-tests", Self.passingTests + [("reason", "again")] + controls)
            #expect(conflict.status == .conflict)
            #expect(conflict.html.contains("changed since you opened this form"))
            #expect(conflict.value("viabilityPercent") == "65")
        }
    }

    @Test("only a released lot of this participant is injected, once: the injection marks it administered with its custody step")
    func injection() async throws {
        try await WebHarness.with { h, client in
            try await TreatmentLimitsAPITests.enrol(h, isotretinoin: nil, cellProtocol: "msc-osteoporosis")
            var browser = try await WebBrowser.signedIn(h, client, as: .investigator)
            let id = try await Self.register(&browser, h, lot: "LOT-I1")
            let (_, early) = try await browser.submit(Self.procedures, Self.injection(lot: id))
            #expect(early.status == .unprocessableContent)
            #expect(early.fieldError("cellProductID") == "Lot LOT-I1 is still in process, not released: it cannot be injected")
            #expect(try await h.database.repositories.procedures.list(participant: "p-a").isEmpty)

            #expect(try await Self.enterTests(&browser, id, Self.passingTests).status == .seeOther)
            let page = try await browser.get("/cell-products/\(id)")
            #expect(try await browser.post("/cell-products/\(id)/release-decision",
                                           [("_csrf", page.value("_csrf") ?? ""), ("_version", page.value("_version") ?? "")]).status == .seeOther)
            let form = try await browser.get(Self.procedures + "?kind=injection&cellProductID=\(id)")
            #expect(form.html.contains("<option value=\"injection\" selected"))
            let fields = Self.injection(lot: id) + [("_csrf", form.value("_csrf") ?? ""), ("_nonce", form.value("_nonce") ?? "")]
            #expect(try await browser.post(Self.procedures, fields).status == .seeOther)
            #expect(try await browser.post(Self.procedures, fields).status == .seeOther)   // double submit
            let procedures = try await h.database.repositories.procedures.list(participant: "p-a").map(\.value)
            #expect(procedures.count == 1)
            let administered = try await Self.product(h, lot: "LOT-I1")
            #expect(administered.releaseStatus == .administered)
            #expect(administered.custody.last?.kind == .administered)
            #expect(administered.custody.last?.location == "right hip")

            let (_, twice) = try await browser.submit(Self.procedures, Self.injection(lot: id).map { $0.0 == "performed" ? ($0.0, "2025-12-31") : $0 })
            #expect(twice.status == .unprocessableContent)
            #expect(twice.fieldError("cellProductID")?.contains("already administered") == true)
            #expect(try await h.database.repositories.procedures.list(participant: "p-a").count == 1)
            let participant = try await browser.get("/participants/p-a")
            #expect(participant.html.contains("LOT-I1"))
            #expect(participant.html.contains("administered"))
        }
    }

    @Test("another site's lot is a 404 page drawn for the signed-in user; the API refuses to inject a lot that is not released")
    func otherSiteAndAPI() async throws {
        try await WebHarness.with { h, client in
            _ = try await h.database.repositories.cellProducts.create(
                CellProduct(id: "cp-b", lot: "LOT-B", participantID: "p-b", sourceTissue: "bone-marrow-aspirate"),
                context: WebHarness.setup, idempotencyKey: nil)
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let page = try await browser.get("/cell-products/cp-b")
            #expect(page.status == .notFound)
            #expect(page.html.contains("id=\"sign-out-button\""))   // the error page knows who is signed in
            #expect(try await browser.get("/cell-products/cp-b/release-tests").status == .notFound)
            #expect(try await browser.get("/audit/cell-products/cp-b").status == .notFound)

            _ = try await h.database.repositories.cellProducts.create(
                CellProduct(id: "cp-a", lot: "LOT-A", participantID: "p-a", sourceTissue: "bone-marrow-aspirate"),
                context: WebHarness.setup, idempotencyKey: nil)
            let body = #"{"kind":"injection","performed":"2025-12-30T08:00:00Z","cellProductID":"cp-a","volumeML":8}"#
            try await client.execute(uri: "/api/v1/participants/p-a/procedures", method: .post, headers: h.headers(.investigator),
                                     body: ByteBuffer(string: body)) { r in
                #expect(r.status == .unprocessableContent)
                #expect(String(buffer: r.body).contains("not released"))
            }
            #expect(try await h.database.repositories.procedures.list(participant: "p-a").isEmpty)
        }
    }

    @Test("custody steps are appended in time order: a double submit stores one step, an earlier date is refused next to it, nothing follows a destruction")
    func custodySteps() async throws {
        try await WebHarness.with { h, client in
            var browser = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let id = try await Self.register(&browser, h, lot: "LOT-K1")
            let page = try await browser.get("/cell-products/\(id)")
            #expect(page.html.contains("<form id=\"custody-form\""))
            #expect(!page.html.contains("<option value=\"released\""))   // release comes from the decision only
            let fields = [("_csrf", page.value("_csrf") ?? ""), ("_version", page.value("_version") ?? ""), ("kind", "received"),
                          ("at", "2025-12-20"), ("location", "GMP cell laboratory"), ("note", "")]
            #expect(try await browser.post("/cell-products/\(id)/custody", fields).status == .seeOther)
            #expect(try await browser.post("/cell-products/\(id)/custody", fields).status == .seeOther)   // double submit
            var product = try await Self.product(h, lot: "LOT-K1")
            #expect(product.custody.map(\.kind) == [.received])
            #expect(product.custody.first?.actor.userID == "u-web-coordinator")

            let next = try await browser.get("/cell-products/\(id)")
            let early = try await browser.post("/cell-products/\(id)/custody", [
                ("_csrf", next.value("_csrf") ?? ""), ("_version", next.value("_version") ?? ""), ("kind", "processed"),
                ("at", "2025-12-10"), ("location", "lab")])
            #expect(early.status == .unprocessableContent)
            #expect(early.fieldError("at")?.contains("before the lot's last custody step") == true)
            #expect(early.value("location") == "lab")
            let destroyed = try await browser.post("/cell-products/\(id)/custody", [
                ("_csrf", next.value("_csrf") ?? ""), ("_version", next.value("_version") ?? ""), ("kind", "destroyed"),
                ("at", "2025-12-21"), ("location", "lab"), ("note", "bag damaged")])
            #expect(destroyed.status == .seeOther)
            product = try await Self.product(h, lot: "LOT-K1")
            #expect(product.custody.map(\.kind) == [.received, .destroyed])
            let after = try await browser.get("/cell-products/\(id)")
            #expect(!after.html.contains("<form id=\"custody-form\""))
            // Even a released lot is not injected once destroyed (the domain rule).
            #expect(throws: DomainError.self) {
                var released = product
                released.releaseStatus = .released
                try CellTherapyEntry.checkInjectable(released, on: WebHarness.now)
            }
        }
    }
}
