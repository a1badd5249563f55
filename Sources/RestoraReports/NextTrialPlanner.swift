import RestoraStats

/// Planning the next trial from the observed response rate: the size of a two-arm randomized trial and a
/// Simon two-stage single-arm design. The comparison rates are assumptions (spontaneous appearance of
/// motile sperm in NOA without treatment is not in REFERENCE.md, U): defaults a planner should change.
public struct NextTrialPlanner: Codable, Sendable, Equatable {
    public struct Randomized: Codable, Sendable, Equatable {
        public var controlRate: Double
        public var treatmentRate: Double
        public var alpha: Double
        public var power: Double
        public var perGroup: Int
        public var perGroupContinuityCorrected: Int
        public var total: Int
        public var text: String
    }

    public struct Simon: Codable, Sendable, Equatable {
        public var p0: Double
        public var p1: Double
        public var alpha: Double
        public var power: Double
        public var optimal: SimonDesign
        public var minimax: SimonDesign
        public var text: String
    }

    public var observedRate: Double
    public var randomized: Randomized?
    public var simon: Simon?

    static let controlRate = 0.05
    static let uninterestingRate = 0.10

    static func compute(_ primary: PrimaryEndpoint?) -> ReportSection<NextTrialPlanner> {
        guard let primary else { return ReportSection(unavailable: "needs an observed response rate (see the primary endpoint)") }
        let rate = primary.proportion
        var notes = ["control rate \(ReportNumber.percent(controlRate, places: 0)) and uninteresting rate \(ReportNumber.percent(uninterestingRate, places: 0)) are assumptions (U), not data"]
        guard rate > uninterestingRate, rate < 1 else {
            return ReportSection(unavailable: "the observed rate \(ReportNumber.percent(rate)) is not above the \(ReportNumber.percent(uninterestingRate, places: 0)) a treatment must beat: no design to plan", notes: notes)
        }
        var planner = NextTrialPlanner(observedRate: rate, randomized: nil, simon: nil)
        if let plain = try? ProportionPower.sampleSize(p1: controlRate, p2: rate),
           let corrected = try? ProportionPower.sampleSize(p1: controlRate, p2: rate, continuityCorrection: true) {
            planner.randomized = Randomized(
                controlRate: controlRate, treatmentRate: rate, alpha: 0.05, power: 0.8, perGroup: plain.size,
                perGroupContinuityCorrected: corrected.size, total: 2 * corrected.size,
                text: "\(corrected.size) per arm (\(2 * corrected.size) in all, Fleiss continuity correction; \(plain.size) per arm without) to detect \(ReportNumber.percent(rate)) vs \(ReportNumber.percent(controlRate, places: 0)) with 80% power at two-sided α = 0.05")
        } else {
            notes.append("randomized sample size could not be computed")
        }
        if let design = try? SimonTwoStage.design(p0: uninterestingRate, p1: rate, alpha: 0.05, beta: 0.2) {
            let o = design.optimal
            planner.simon = Simon(
                p0: uninterestingRate, p1: rate, alpha: 0.05, power: 0.8, optimal: o, minimax: design.minimax,
                text: "optimal: treat \(o.n1); stop if ≤ \(o.r1) respond; otherwise treat \(o.n) in all and call it promising if > \(o.r) respond (expected size under p0 \(ReportNumber.fixed(o.expectedSizeNull, places: 1)))")
        } else {
            notes.append("no Simon design with at most 100 participants")
        }
        return ReportSection(planner, notes: notes)
    }
}
