import Foundation
import RestoraStats

/// Output shared by `wilcoxon` and `mannwhitney`.
struct StatsRankReport: Encodable {
    let analysis: String
    let statistic: Double
    let pValue: Double
    let alternative: String
    let method: String
    let hodgesLehmann: JSONNumber?
    let interval: JSONInterval?
    let count: Int

    init(analysis: String, statisticName: String, _ r: RankTestResult) {
        self.analysis = analysis
        statistic = r.statistic
        pValue = r.pValue
        alternative = r.alternative.rawValue
        method = r.exact ? "exact" : (r.continuityCorrection ? "normal approximation with continuity correction" : "normal approximation")
        hodgesLehmann = r.hodgesLehmann.map(JSONNumber.init)
        interval = r.interval.map(JSONInterval.init)
        count = r.count
        self.statisticName = statisticName
    }

    private let statisticName: String
    enum CodingKeys: String, CodingKey { case analysis, statistic, pValue, alternative, method, hodgesLehmann, interval, count }

    var text: String {
        let f: (Double) -> String = { StatsCoreCLI.format($0) }
        var lines = ["\(analysis) (\(alternative), \(method)): \(statisticName) = \(f(statistic)), p = \(StatsCoreCLI.p(pValue)), n = \(count)"]
        if let hl = hodgesLehmann, let ci = interval {
            lines.append("  Hodges–Lehmann estimate \(f(hl.value)), \(f(ci.level * 100))% CI \(f(ci.lower.value)) to \(f(ci.upper.value))")
        }
        return lines.joined(separator: "\n")
    }
}
