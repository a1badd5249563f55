import Foundation
import Testing
@testable import RestoraDomain

/// Cell-product release against ISCT 2006 and the D2 defaults (REFERENCE.md D2).
@Suite("Cell-product release (D2)")
struct ReleaseDecisionTests {
    /// A lot that meets every default criterion.
    static let passing = ReleaseTestResults(
        markersPercent: ["CD73": 98, "CD90": 97, "CD105": 96, "CD45": 1, "CD34": 0.5, "CD14": 0.8,
                         "CD79a": 0.3, "HLA-DR": 1.2],
        viabilityPercent: 85, sterilityNoGrowth: true, endotoxin: Quantity(1.0, "EU/kg"), mycoplasmaNegative: true)

    @Test func allCriteriaMetIsReleased() throws {
        let decision = try ReleaseSpecification.isct2006Default.evaluate(Self.passing)
        #expect(decision.outcome == .released)
        #expect(decision.failed.isEmpty && decision.missing.isEmpty)
        #expect(decision.criteria.count == 8 + 4)  // 8 identity lines + viability, sterility, endotoxin, mycoplasma
    }

    /// Each criterion failing alone, exactly at and just past its limit (≥95 %, ≤2 %, ≥70 %, ≤5 EU/kg).
    @Test(arguments: [
        ("CD73", 95.0, true), ("CD73", 94.9, false), ("CD90", 94.9, false), ("CD105", 94.9, false),
        ("CD45", 2.0, true), ("CD45", 2.1, false), ("CD34", 2.1, false), ("CD14", 2.1, false),
        ("CD79a", 2.1, false), ("HLA-DR", 2.0, true), ("HLA-DR", 2.1, false),
    ])
    func identityMarkerBoundaries(marker: String, percent: Double, passes: Bool) throws {
        var results = Self.passing
        results.markersPercent[marker] = percent
        let decision = try ReleaseSpecification.isct2006Default.evaluate(results)
        #expect(decision.outcome == (passes ? .released : .rejected))
        if !passes { #expect(decision.failed.count == 1 && decision.failed[0].criterion.contains(marker)) }
    }

    @Test(arguments: [(70.0, true), (69.9, false), (70.1, true)])
    func viabilityBoundary(viability: Double, passes: Bool) throws {
        var results = Self.passing
        results.viabilityPercent = viability
        let decision = try ReleaseSpecification.isct2006Default.evaluate(results)
        #expect(decision.outcome == (passes ? .released : .rejected))
        if !passes { #expect(decision.failed.map(\.criterion) == ["viability"]) }
    }

    @Test(arguments: [(5.0, true), (5.01, false), (4.99, true)])
    func endotoxinBoundary(eu: Double, passes: Bool) throws {
        var results = Self.passing
        results.endotoxin = Quantity(eu, "EU/kg")
        let decision = try ReleaseSpecification.isct2006Default.evaluate(results)
        #expect(decision.outcome == (passes ? .released : .rejected))
        if !passes { #expect(decision.failed.map(\.criterion) == ["endotoxin"]) }
    }

    @Test func sterilityGrowthRejects() throws {
        var results = Self.passing
        results.sterilityNoGrowth = false
        #expect(try ReleaseSpecification.isct2006Default.evaluate(results).failed.map(\.criterion) == ["sterility"])
    }

    @Test func mycoplasmaPositiveRejects() throws {
        var results = Self.passing
        results.mycoplasmaNegative = false
        #expect(try ReleaseSpecification.isct2006Default.evaluate(results).failed.map(\.criterion) == ["mycoplasma"])
    }

    @Test func severalFailuresAreAllNamed() throws {
        var results = Self.passing
        results.markersPercent["CD90"] = 80
        results.markersPercent["HLA-DR"] = 5
        results.viabilityPercent = 60
        results.sterilityNoGrowth = false
        let decision = try ReleaseSpecification.isct2006Default.evaluate(results)
        #expect(decision.outcome == .rejected)
        #expect(decision.failed.map(\.criterion) == ["identity CD90", "identity HLA-DR", "viability", "sterility"])
        #expect(decision.summary == "rejected: identity CD90; identity HLA-DR; viability; sterility")
    }

    @Test func missingResultsMeanCannotDecide() throws {
        var results = Self.passing
        results.mycoplasmaNegative = nil
        results.markersPercent["CD105"] = nil
        let decision = try ReleaseSpecification.isct2006Default.evaluate(results)
        #expect(decision.outcome == .cannotDecide)
        #expect(decision.summary == "cannot decide: missing identity CD105; mycoplasma")
    }

    @Test func failureWinsOverMissing() throws {
        var results = Self.passing
        results.mycoplasmaNegative = nil
        results.viabilityPercent = 50
        let decision = try ReleaseSpecification.isct2006Default.evaluate(results)
        #expect(decision.outcome == .rejected)
        #expect(decision.missing.map(\.criterion) == ["mycoplasma"])
    }

    /// "CD14 or CD11b": either may be reported; every reported alternative must be within the limit.
    @Test func alternativeMarkers() throws {
        var results = Self.passing
        results.markersPercent["CD14"] = nil
        results.markersPercent["CD11b"] = 1
        #expect(try ReleaseSpecification.isct2006Default.evaluate(results).outcome == .released)
        results.markersPercent["CD14"] = 0.5
        results.markersPercent["CD11b"] = 3
        #expect(try ReleaseSpecification.isct2006Default.evaluate(results).failed.map(\.criterion) == ["identity CD14 or CD11b"])
        results.markersPercent["CD79a"] = nil
        results.markersPercent["CD19"] = 0.1
        results.markersPercent["hla dr"] = results.markersPercent.removeValue(forKey: "HLA-DR")
        #expect(try ReleaseSpecification.isct2006Default.evaluate(results).failed.count == 1)
    }

    @Test(arguments: [
        (75e6, true), (74.9e6, false), (150e6, true), (150.1e6, false),
    ])
    func absoluteDoseWindow(cells: Double, passes: Bool) throws {
        var spec = ReleaseSpecification.isct2006Default
        spec.dose = DoseRange(minimumCells: 75e6, maximumCells: 150e6, basis: .absolute)
        var results = Self.passing
        results.doseCells = cells
        #expect(try spec.evaluate(results).outcome == (passes ? .released : .rejected))
    }

    @Test func perKilogramDoseNeedsWeight() throws {
        var spec = ReleaseSpecification.isct2006Default
        spec.dose = DoseRange(minimumCells: 2e6, maximumCells: 5e6, basis: .perKilogram)
        var results = Self.passing
        results.doseCells = 140e6
        #expect(try spec.evaluate(results).outcome == .cannotDecide)
        results.participantWeightKg = 70   // 2.0e6 /kg: on the minimum
        #expect(try spec.evaluate(results).outcome == .released)
        results.participantWeightKg = 71   // 1.97e6 /kg
        #expect(try spec.evaluate(results).outcome == .rejected)
    }

    @Test func endotoxinUnitsConvertOnlyWhenPossible() throws {
        var results = Self.passing
        results.endotoxin = Quantity(350, "EU")          // total per dose
        results.participantWeightKg = 70                 // 5 EU/kg: on the limit
        #expect(try ReleaseSpecification.isct2006Default.evaluate(results).outcome == .released)
        results.endotoxin = Quantity(0.2, "EU/mL")       // needs product volume
        #expect(try ReleaseSpecification.isct2006Default.evaluate(results).outcome == .cannotDecide)
        results.productVolumeML = 5                      // 0.2 × 5 mL = 1 EU; / 70 kg = 0.014 EU/kg
        #expect(try ReleaseSpecification.isct2006Default.evaluate(results).outcome == .released)
        results.endotoxin = Quantity(70, "EU/mL")        // 70 × 5 / 70 = 5 EU/kg: on the limit
        #expect(try ReleaseSpecification.isct2006Default.evaluate(results).outcome == .released)
        results.endotoxin = Quantity(70.1, "EU/mL")      // 5.007 EU/kg: over
        #expect(try ReleaseSpecification.isct2006Default.evaluate(results).outcome == .rejected)
        results.participantWeightKg = nil
        #expect(try ReleaseSpecification.isct2006Default.evaluate(results).outcome == .cannotDecide)
        results.endotoxin = Quantity(1, "ng/mL")
        #expect(throws: DomainError.self) { try ReleaseSpecification.isct2006Default.evaluate(results) }
    }

    static func altered(_ change: (inout ReleaseTestResults) -> Void) -> ReleaseTestResults {
        var results = passing
        change(&results)
        return results
    }

    static let impossible: [(String, ReleaseTestResults)] = [
        ("markersPercent.CD73", altered { $0.markersPercent["CD73"] = 101 }),
        ("viabilityPercent", altered { $0.viabilityPercent = -1 }),
        ("viabilityPercent", altered { $0.viabilityPercent = .nan }),
        ("endotoxin", altered { $0.endotoxin = Quantity(-1, "EU/kg") }),
        ("participantWeightKg", altered { $0.participantWeightKg = 0 }),
        ("productVolumeML", altered { $0.productVolumeML = 0 }),
    ]

    @Test(arguments: impossible)
    func refusesImpossibleResults(field: String, results: ReleaseTestResults) {
        do {
            _ = try ReleaseSpecification.isct2006Default.evaluate(results)
            Issue.record("expected refusal")
        } catch let DomainError.invalidValue(f, _) {
            #expect(f == field)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func specificationRoundTripsThroughJSON() throws {
        var spec = ReleaseSpecification.isct2006Default
        spec.dose = DoseRange(minimumCells: 3e6, maximumCells: 5e6, basis: .absolute)
        let data = try JSONEncoder().encode(spec)
        #expect(try JSONDecoder().decode(ReleaseSpecification.self, from: data) == spec)
    }

    @Test func cellProductUsesItsOwnViabilityWhenPanelLacksIt() throws {
        var tests = Self.passing
        tests.viabilityPercent = nil
        let product = CellProduct(id: Identifier("p1"), lot: "L1", participantID: Identifier("x"),
                                  sourceTissue: "bone-marrow-aspirate", viabilityPercent: 90, releaseTests: tests)
        #expect(try product.evaluateRelease().outcome == .released)
    }
}
