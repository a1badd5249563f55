import Foundation
import Testing
@testable import RestoraDomain

/// The real protocol files' safety rules and release specifications run through the clinical rules.
@Suite("Protocol safety rules and release specs end to end")
struct ProtocolSafetyRuleTests {
    static func triglyceride(_ mgPerDL: Double) -> Observation {
        Observation(id: "tg", participantID: "p1", code: Coding(.loinc, "2571-8"),
                    value: .quantity(Quantity(mgPerDL, "mg/dL")), effective: Date(timeIntervalSince1970: 0))
    }

    /// Grade 3 is >500–1000 mg/dL, grade 4 >1000 (REFERENCE.md E1).
    @Test(arguments: [(500.0, SafetyAction?.none), (500.1, .some(.holdDrug)), (1000, .some(.holdDrug)), (1000.1, .some(.stopTreatment))])
    func isotretinoinTriglycerideRules(value: Double, action: SafetyAction?) throws {
        let rules = try ProtocolFixture.definition("isotretinoin-noa").safetyRules
        #expect(rules.evaluate(Self.triglyceride(value)).strongestAction == action)
    }

    @Test func aminotransferaseRuleNeedsULNAndBaseline() throws {
        let rules = try ProtocolFixture.definition("isotretinoin-noa").safetyRules
        let alt = Observation(id: "alt", participantID: "p1", code: Coding(.loinc, "1742-6"),
                              value: .quantity(Quantity(210, "U/L")), effective: Date(timeIntervalSince1970: 0))
        let open = rules.evaluate(alt)
        #expect(open.fired.isEmpty)
        #expect(open.notEvaluated.contains { $0.hasPrefix("alt-grade3-hold") })
        // 210 / 40 = 5.25 × ULN with a normal baseline: grade 3 → hold.
        #expect(rules.evaluate(alt, lab: LabGradingContext(upperLimitOfNormal: 40, baseline: .normal)).strongestAction == .holdDrug)
    }

    @Test(arguments: ["asc-azoospermia", "msc-osteoporosis"])
    func cellProtocolsCarryAnISCTReleaseSpecification(id: String) throws {
        let release = try #require(try ProtocolFixture.definition(id).release)
        #expect(release.identity == MarkerRequirement.isct2006)
        #expect(release.minimumViabilityPercent == 70)
    }
}
