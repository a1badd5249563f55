import Testing
@testable import RestoraDomain

/// Lower reference limits at, just below and just above each boundary (REFERENCE.md B1). "Below the LRL"
/// is strict: a value equal to the limit is within the reference range (WHO 2010 nomenclature, B2).
@Suite("WHO lower reference limits (B1)")
struct SemenReferenceLimitTests {
    typealias P = SemenParameterAssessment.Parameter

    // (edition, parameter, value, expected belowLimit). Every LRL of both editions, on / −0.1 / +0.1.
    static let cases: [(WHOEdition, P, Double, Bool)] = [
        (.sixth2021, .volume, 1.4, false), (.sixth2021, .volume, 1.3, true), (.sixth2021, .volume, 1.5, false),
        (.sixth2021, .concentration, 16, false), (.sixth2021, .concentration, 15.9, true), (.sixth2021, .concentration, 16.1, false),
        (.sixth2021, .totalMotility, 42, false), (.sixth2021, .totalMotility, 41.9, true), (.sixth2021, .totalMotility, 42.1, false),
        (.sixth2021, .progressiveMotility, 30, false), (.sixth2021, .progressiveMotility, 29.9, true), (.sixth2021, .progressiveMotility, 30.1, false),
        (.sixth2021, .vitality, 54, false), (.sixth2021, .vitality, 53.9, true), (.sixth2021, .vitality, 54.1, false),
        (.sixth2021, .normalForms, 4, false), (.sixth2021, .normalForms, 3.9, true), (.sixth2021, .normalForms, 4.1, false),
        (.fifth2010, .volume, 1.5, false), (.fifth2010, .volume, 1.4, true), (.fifth2010, .volume, 1.6, false),
        (.fifth2010, .concentration, 15, false), (.fifth2010, .concentration, 14.9, true), (.fifth2010, .concentration, 15.1, false),
        (.fifth2010, .totalMotility, 40, false), (.fifth2010, .totalMotility, 39.9, true), (.fifth2010, .totalMotility, 40.1, false),
        (.fifth2010, .progressiveMotility, 32, false), (.fifth2010, .progressiveMotility, 31.9, true), (.fifth2010, .progressiveMotility, 32.1, false),
        (.fifth2010, .vitality, 58, false), (.fifth2010, .vitality, 57.9, true), (.fifth2010, .vitality, 58.1, false),
        (.fifth2010, .normalForms, 4, false), (.fifth2010, .normalForms, 3.9, true), (.fifth2010, .normalForms, 4.1, false),
    ]

    @Test(arguments: cases)
    func parameterAgainstLimit(edition: WHOEdition, parameter: P, value: Double, below: Bool) throws {
        // given a sample with only this parameter set (motility totals kept consistent)
        var sample = SemenAnalysis(volumeML: 3, concentrationMillionPerML: 50)
        switch parameter {
        case .volume: sample.volumeML = value
        case .concentration: sample.concentrationMillionPerML = value
        case .totalCount: sample.totalCountMillion = value
        case .totalMotility: sample.totalMotilityPercent = value
        case .progressiveMotility: sample.progressiveMotilityPercent = value; sample.totalMotilityPercent = 100
        case .vitality: sample.vitalityPercent = value
        case .normalForms: sample.normalFormsPercent = value
        }
        // when
        let result = try sample.interpret(edition: edition)
        // then
        let assessment = try #require(result.parameters.first { $0.parameter == parameter })
        #expect(assessment.belowLimit == below)
        #expect(result.edition == edition)
    }

    // Total sperm number LRL is 39 × 10^6 in both editions (B1). Given directly and computed (vol × conc).
    static let totalCases: [(WHOEdition, Double?, Double?, Double?, Bool)] = [
        (.sixth2021, nil, nil, 39, false), (.sixth2021, nil, nil, 38.9, true), (.sixth2021, nil, nil, 39.1, false),
        (.fifth2010, nil, nil, 39, false), (.fifth2010, nil, nil, 38.9, true), (.fifth2010, nil, nil, 39.1, false),
        (.sixth2021, 3, 13, nil, false),   // 3 mL × 13 = 39: on the limit
        (.sixth2021, 1.3, 30, nil, false), // 1.3 × 30 = 39 (not exact in binary; judged on the limit)
        (.sixth2021, 2, 19.4, nil, true),  // 38.8
    ]

    @Test(arguments: totalCases)
    func totalCountAgainstLimit(edition: WHOEdition, volume: Double?, concentration: Double?, total: Double?, below: Bool) throws {
        let sample = SemenAnalysis(volumeML: volume, concentrationMillionPerML: concentration ?? 20, totalCountMillion: total)
        let result = try sample.interpret(edition: edition)
        let assessment = try #require(result.parameters.first { $0.parameter == .totalCount })
        #expect(assessment.belowLimit == below)
        #expect(result.terms.contains(.oligozoospermia) == below)
    }

    @Test func limitsAreTheTabulatedValues() {
        #expect(SemenReferenceLimits.who2021 == SemenReferenceLimits(
            volumeML: 1.4, concentrationMillionPerML: 16, totalNumberMillion: 39, totalMotilityPercent: 42,
            progressiveMotilityPercent: 30, vitalityPercent: 54, normalFormsPercent: 4))
        #expect(SemenReferenceLimits.who2010 == SemenReferenceLimits(
            volumeML: 1.5, concentrationMillionPerML: 15, totalNumberMillion: 39, totalMotilityPercent: 40,
            progressiveMotilityPercent: 32, vitalityPercent: 58, normalFormsPercent: 4))
        #expect(WHOEdition.default == .sixth2021)
    }
}
