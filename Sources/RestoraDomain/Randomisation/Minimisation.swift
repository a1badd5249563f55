/// Pocock–Simon minimisation (REFERENCE.md I; Pocock & Simon 1975, Biometrics 31:103–115).
///
/// For each arm k the procedure imagines assigning the new participant to k and measures, for every factor f,
/// the imbalance d_f(k) of the arm counts within the participant's level of f (range or variance, the counts
/// divided by the arm's ratio weight so a 2:1 design is "balanced" at 2:1). G(k) = Σ w_f · d_f(k).
/// The arms with the least G are the least-imbalanced; one of them is picked at random (ties at random, S/U),
/// and assigned with probability p; otherwise one of the other arms is picked at random. When every arm ties,
/// the pick is plain random by ratio. p < 1 keeps the next assignment unpredictable (REFERENCE.md I, S).
public enum Minimisation {
    /// The next allocation. `levels` is the participant's level per factor (`site` included when
    /// `minimisation.siteWeight` > 0, see `RandomisationScheme.minimisationLevels`); `counts[factorID][level][armID]`
    /// are the earlier allocations of the whole trial. Only the participant's own levels are read; missing = 0.
    public static func next(
        levels: [String: String], counts: [String: [String: [String: Int]]], scheme: RandomisationScheme,
        using rng: inout some RandomNumberGenerator
    ) -> Allocation {
        let scores = imbalanceScores(levels: levels, counts: counts, scheme: scheme)
        let best = scores.values.min() ?? 0
        // Floating-point sums of equal terms may differ in the last bit; treat near-equal scores as ties.
        let tolerance = 1e-9
        let least = scheme.arms.filter { (scores[$0] ?? 0) <= best + tolerance }
        let others = scheme.arms.filter { !least.contains($0) }
        let settings = scheme.minimisation ?? MinimisationSettings()
        let arm: String
        if others.isEmpty {
            arm = weightedPick(least, scheme: scheme, using: &rng)
        } else if Double.random(in: 0..<1, using: &rng) < settings.probability {
            arm = weightedPick(least, scheme: scheme, using: &rng)
        } else {
            arm = weightedPick(others, scheme: scheme, using: &rng)
        }
        return Allocation(armID: arm)
    }

    /// G(k) for every arm k: the weighted total imbalance if the participant were assigned to k.
    public static func imbalanceScores(
        levels: [String: String], counts: [String: [String: [String: Int]]], scheme: RandomisationScheme
    ) -> [String: Double] {
        let settings = scheme.minimisation ?? MinimisationSettings()
        let weights = scheme.minimisationWeights
        var scores: [String: Double] = [:]
        for candidate in scheme.arms {
            var total = 0.0
            for (factor, weight) in weights {
                guard let level = levels[factor] else { continue }
                let existing = counts[factor]?[level] ?? [:]
                let adjusted = scheme.arms.map { arm -> Double in
                    let n = (existing[arm] ?? 0) + (arm == candidate ? 1 : 0)
                    return Double(n) / Double(max(1, scheme.weight(of: arm)))
                }
                total += weight * Imbalance.measure(adjusted, settings.imbalance)
            }
            scores[candidate] = total
        }
        return scores
    }

    /// One of `arms`, with probability proportional to its ratio weight.
    static func weightedPick(_ arms: [String], scheme: RandomisationScheme, using rng: inout some RandomNumberGenerator) -> String {
        let total = arms.reduce(0) { $0 + max(1, scheme.weight(of: $1)) }
        var draw = Int.random(in: 0..<max(1, total), using: &rng)
        for arm in arms {
            draw -= max(1, scheme.weight(of: arm))
            if draw < 0 { return arm }
        }
        return arms[arms.count - 1]
    }
}

/// The imbalance measures of REFERENCE.md I (range, or variance), over ratio-adjusted counts.
public enum Imbalance {
    public static func measure(_ values: [Double], _ kind: MinimisationSettings.Imbalance) -> Double {
        guard let low = values.min(), let high = values.max() else { return 0 }
        switch kind {
        case .range:
            return high - low
        case .variance:
            let mean = values.reduce(0, +) / Double(values.count)
            return values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        }
    }
}
