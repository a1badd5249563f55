@testable import RestoraReports
import RestoraStats
import Testing

/// The subgroup sections test response by group with Fisher's exact test; a table too large to enumerate (a
/// 10⁵-participant program) gets Pearson's chi-square test instead of stopping the whole report.
@Suite("Subgroup analysis: exact test, or chi-square when the table is too large")
struct SubgroupTestChoiceTests {
    @Test("a small table gets Fisher's exact test (r×2 and 2×2)")
    func smallTableIsExact() throws {
        let table = try ContingencyTable([[4, 6], [1, 9], [7, 3]])
        let outcome = try SubgroupAnalysis.responseTest(table)
        #expect(outcome.exact)
        #expect(outcome.test == "Fisher's exact test (3×2, two-sided)")
        #expect(outcome.pValue == (try FisherExact.testRxC(table)).pValue)

        let twoByTwo = try SubgroupAnalysis.responseTest(try ContingencyTable([[11, 19], [3, 27]]))
        #expect(twoByTwo.exact && twoByTwo.test == "Fisher's exact test (2×2, two-sided)" && twoByTwo.oddsRatio != nil)
    }

    @Test("a table too large to enumerate gets Pearson's chi-square test, as scipy's chi2_contingency computes it")
    func largeTableFallsBackToChiSquare() throws {
        let table = try ContingencyTable([[3000, 3000], [2900, 3100], [2800, 3200], [3100, 2900]])
        // The enumeration budget is made small here so the refusal comes at once (the default refuses after ~3 s).
        let outcome = try SubgroupAnalysis.responseTest(table, nodeLimit: 1_000)
        #expect(!outcome.exact)
        #expect(outcome.test == "Pearson's chi-square test (4×2, 3 df)")
        #expect(outcome.oddsRatio == nil)
        // scipy.stats.chi2_contingency(table, correction=False): statistic 33.3425951653237, p 2.7269135757613226e-07.
        #expect(abs(outcome.pValue - 2.7269135757613226e-07) < 1e-15)
        #expect(abs(try PearsonChiSquare.test(table).statistic - 33.3425951653237) < 1e-9)
    }

    @Test("the choice follows what can be enumerated: the same table is exact within the budget, chi-square beyond it")
    func choiceFollowsTheBudget() throws {
        let table = try ContingencyTable([[30, 30], [29, 31], [28, 32], [31, 29]])
        let within = try SubgroupAnalysis.responseTest(table)
        let exactP = try FisherExact.testRxC(table).pValue
        #expect(within.exact && within.pValue == exactP)
        let beyond = try SubgroupAnalysis.responseTest(table, nodeLimit: 10)
        let chiSquareP = try PearsonChiSquare.test(table).pValue
        #expect(!beyond.exact && beyond.pValue == chiSquareP)
    }
}
