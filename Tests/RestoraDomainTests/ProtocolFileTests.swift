import Foundation
import Testing
@testable import RestoraDomain

/// The shipped protocol files load and validate, and carry what issue 2 and REFERENCE.md say they must.
@Suite struct ProtocolFileTests {
    typealias F = ProtocolFixture

    @Test func everyProtocolFileLoadsAndValidates() throws {
        let catalog = try ProtocolCatalog.load(directory: F.protocolsDirectory)
        #expect(catalog.ids == ["asc-azoospermia", "isotretinoin-noa", "isotretinoin-rct", "msc-osteoporosis"])
        for definition in catalog.protocols {
            #expect(ProtocolValidator.issues(in: definition).isEmpty)
            #expect(!definition.endpoints.primary.isEmpty)
            #expect(!definition.defaults.isEmpty, "values REFERENCE.md does not confirm are labelled")
        }
    }

    @Test func isotretinoinRegimenIs20mgTwiceDailyFor26Weeks() throws {
        let definition = try F.definition("isotretinoin-noa")
        #expect(definition.kind == .drugCourse)
        guard case let .drug(regimen)? = definition.interventions.first?.detail else {
            Issue.record("the first intervention is the drug course")
            return
        }
        #expect(regimen.drug == Coding(.rxnorm, "6064", display: "isotretinoin"))
        #expect(regimen.dose == Quantity(20, "mg"))
        #expect(regimen.route == "oral")
        #expect(regimen.timesPerDay == 2)
        #expect(regimen.durationWeeks == 26)
        let counselling = Set(definition.counselling.map(\.id))
        #expect(counselling.isSuperset(of: ["no-blood-donation", "never-share-capsules", "no-vitamin-a"]))
        let monthly = definition.schedule.filter { $0.key.hasPrefix("month-") || $0.key == "end-of-treatment" }
        for visit in monthly {
            #expect(Set(visit.collect).isSuperset(of: ["semen-analysis", "lipid-panel", "liver-enzymes", "side-effect-review", "phq9"]))
        }
    }

    @Test func cellTherapyProtocolsHaveTheFourStepsAndARelease() throws {
        for id in ["asc-azoospermia", "msc-osteoporosis"] {
            let definition = try F.definition(id)
            #expect(definition.kind == .cellTherapy)
            let steps = definition.interventions.compactMap { intervention -> ProcedureStep.Step? in
                if case let .procedure(step) = intervention.detail { return step.step }
                return nil
            }
            #expect(steps == [.harvest, .processing, .release, .injection])
            #expect(definition.release?.identity == MarkerRequirement.isct2006)
        }
        let asc = try F.definition("asc-azoospermia")
        #expect(["month-1", "month-3", "month-6", "month-12"].allSatisfy { asc.visit(key: $0) != nil })
        let msc = try F.definition("msc-osteoporosis")
        guard case let .procedure(injection)? = msc.interventions.last?.detail else {
            Issue.record("the last intervention is the injection")
            return
        }
        #expect(injection.imagingGuidance == [.ultrasound, .fluoroscopy])
        #expect(injection.anatomicalSites == ["hip", "lumbar spine", "wrist"])
        #expect(msc.visit(key: "month-6")?.collect.contains("dxa") == true)
        #expect(msc.visit(key: "month-12")?.collect.contains("dxa") == true)
    }

    @Test func unknownProtocolIdListsTheKnownOnes() throws {
        let catalog = try ProtocolCatalog.load(directory: F.protocolsDirectory)
        #expect {
            try catalog.definition(id: "isotretinoin")
        } throws: { error in
            let text = String(describing: error)
            return text.contains("'isotretinoin'") && text.contains("asc-azoospermia, isotretinoin-noa, isotretinoin-rct, msc-osteoporosis")
        }
    }

    @Test func aProtocolSurvivesAJSONRoundTrip() throws {
        let definition = try F.definition("isotretinoin-noa")
        let data = try JSONEncoder().encode(definition)
        #expect(try JSONDecoder().decode(ProtocolDefinition.self, from: data) == definition)
    }
}
