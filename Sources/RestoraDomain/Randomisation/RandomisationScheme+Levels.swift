extension RandomisationScheme {
    /// The key of the allocation sequence a participant belongs to: the row that holds the block state and that
    /// storage locks while allocating. Permuted blocks: the stratum, e.g. `site=NOA1;fsh=raised` (the scheme's
    /// strata in their file order). Minimisation: `*` — every allocation depends on all earlier ones of the trial,
    /// so the whole trial is one sequence (REFERENCE.md I).
    public func stratumKey(siteCode: String, levels: [String: String]) -> String {
        guard method == .permutedBlocks else { return "*" }
        let strata = blocks?.strata ?? []
        guard !strata.isEmpty else { return "*" }
        return strata.map { id in
            let value = id == Self.siteFactorID ? siteCode : (levels[id] ?? "")
            return "\(id)=\(value)"
        }.joined(separator: ";")
    }

    /// Checks the factor levels entered at randomisation: every protocol factor has one of its levels, and no
    /// other key is given (`site` comes from the enrolment, not the form). Throws `DomainError.invalidValue`
    /// with field `factors.<id>`; nothing is allocated.
    public func validateLevels(_ levels: [String: String]) throws {
        for key in levels.keys.sorted() where factor(id: key) == nil {
            let known = factors.map(\.id)
            let list = known.isEmpty ? "this protocol has no randomisation factors" : "known factors: " + known.joined(separator: ", ")
            throw DomainError.invalidValue(field: "factors.\(key)", message: "unknown randomisation factor '\(key)'; \(list)")
        }
        for factor in factors {
            guard let level = levels[factor.id], !level.isEmpty else {
                throw DomainError.invalidValue(
                    field: "factors.\(factor.id)",
                    message: "\(factor.label) is required for randomisation; one of: \(factor.levels.joined(separator: ", "))")
            }
            guard factor.levels.contains(level) else {
                throw DomainError.invalidValue(
                    field: "factors.\(factor.id)",
                    message: "'\(level)' is not a level of \(factor.label); one of: \(factor.levels.joined(separator: ", "))")
            }
        }
    }

    /// The levels minimisation balances: the protocol factors plus, when `siteWeight` > 0, `site` = the site code.
    public func minimisationLevels(siteCode: String, levels: [String: String]) -> [String: String] {
        var all = levels
        if (minimisation?.siteWeight ?? 0) > 0 { all[Self.siteFactorID] = siteCode }
        return all
    }

    /// The factors minimisation balances with their weights (site included when weighted), in file order.
    public var minimisationWeights: [(factor: String, weight: Double)] {
        var weights = factors.map { (factor: $0.id, weight: $0.weight) }
        if let site = minimisation?.siteWeight, site > 0 { weights.append((Self.siteFactorID, site)) }
        return weights
    }
}
