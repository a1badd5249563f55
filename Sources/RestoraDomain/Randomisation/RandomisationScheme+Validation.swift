import Foundation

/// Semantic checks of a protocol's `randomisation:` section (REFERENCE.md I). Each problem names its path in the
/// file, e.g. `randomisation.blocks.sizes[1]`, and says what to write instead.
extension RandomisationScheme {
    public func problems(protocolArms: [String]) -> [ProtocolIssue] {
        let root: DocumentPath = ["randomisation"]
        var issues: [ProtocolIssue] = []
        checkArms(protocolArms: protocolArms, at: root, &issues)
        checkFactors(at: root.key("factors"), &issues)
        switch method {
        case .permutedBlocks: checkBlocks(at: root, &issues)
        case .minimisation: checkMinimisation(at: root, &issues)
        }
        checkBlinding(at: root.key("blinding"), &issues)
        return issues
    }

    private func checkArms(protocolArms: [String], at root: DocumentPath, _ issues: inout [ProtocolIssue]) {
        if arms.count < 2 { issues.append(.init(root.key("arms"), "randomisation needs at least two arms, got \(arms.count)")) }
        for (i, arm) in arms.enumerated() where !protocolArms.contains(arm) {
            issues.append(.init(root.key("arms").index(i), "unknown arm '\(arm)'; the protocol's arms: \(protocolArms.joined(separator: ", "))"))
        }
        for arm in ProtocolValidator.duplicates(arms) {
            issues.append(.init(root.key("arms"), "arm '\(arm)' is listed more than once"))
        }
        if ratio.count != arms.count {
            issues.append(.init(root.key("ratio"), "give one ratio number per arm (\(arms.count) arms), got \(ratio.count)"))
        }
        for (i, weight) in ratio.enumerated() where weight < 1 {
            issues.append(.init(root.key("ratio").index(i), "a ratio number must be a whole number of at least 1, got \(weight)"))
        }
    }

    private func checkFactors(at path: DocumentPath, _ issues: inout [ProtocolIssue]) {
        ProtocolValidator.checkUnique(factors.map(\.id), what: "randomisation factor", at: path, &issues)
        for (i, factor) in factors.enumerated() {
            let here = path.index(i)
            if factor.id == Self.siteFactorID {
                issues.append(.init(here.key("id"), "'site' is reserved for the participant's site; stratify by it with blocks.strata or weigh it with minimisation.siteWeight"))
            }
            if factor.levels.count < 2 {
                issues.append(.init(here.key("levels"), "a factor needs at least two levels, got \(factor.levels.count)"))
            }
            for (j, level) in factor.levels.enumerated() where ProtocolValidator.isBlank(level) {
                issues.append(.init(here.key("levels").index(j), "a level must not be empty"))
            }
            for level in ProtocolValidator.duplicates(factor.levels) {
                issues.append(.init(here.key("levels"), "level '\(level)' is listed more than once"))
            }
            if !(factor.weight > 0) || !factor.weight.isFinite {
                issues.append(.init(here.key("weight"), "a factor weight must be greater than 0, got \(NumberText.plain(factor.weight))"))
            }
        }
    }

    private func checkBlocks(at root: DocumentPath, _ issues: inout [ProtocolIssue]) {
        if minimisation != nil {
            issues.append(.init(root.key("minimisation"), "minimisation settings apply only to method minimisation; this scheme uses permuted-blocks"))
        }
        guard let blocks else {
            issues.append(.init(root, "method permuted-blocks needs a 'blocks' section with the block sizes, e.g. blocks: { sizes: [2, 4, 6], strata: [site] }"))
            return
        }
        let path = root.key("blocks")
        if blocks.sizes.isEmpty { issues.append(.init(path.key("sizes"), "give at least one block size")) }
        let sum = ratioSum
        for (i, size) in blocks.sizes.enumerated() where size < 1 || (sum > 0 && size % sum != 0) {
            issues.append(.init(path.key("sizes").index(i), "block size \(size) is not a multiple of the ratio sum \(sum) (ratio \(ratio.map(String.init).joined(separator: ":")))"))
        }
        for size in ProtocolValidator.duplicates(blocks.sizes.map(String.init)) {
            issues.append(.init(path.key("sizes"), "block size \(size) is listed more than once"))
        }
        let known = [Self.siteFactorID] + factors.map(\.id)
        for (i, stratum) in blocks.strata.enumerated() where !known.contains(stratum) {
            issues.append(.init(path.key("strata").index(i), "unknown stratification factor '\(stratum)'; use site or a factor id: \(known.joined(separator: ", "))"))
        }
        for stratum in ProtocolValidator.duplicates(blocks.strata) {
            issues.append(.init(path.key("strata"), "'\(stratum)' is listed more than once"))
        }
    }

    private func checkMinimisation(at root: DocumentPath, _ issues: inout [ProtocolIssue]) {
        if blocks != nil {
            issues.append(.init(root.key("blocks"), "blocks apply only to method permuted-blocks; this scheme uses minimisation"))
        }
        let settings = minimisation ?? MinimisationSettings()
        let path = root.key("minimisation")
        if !(settings.probability > 0.5 && settings.probability <= 1) {
            issues.append(.init(path.key("probability"), "the probability of assigning the least-imbalanced arm must lie in (0.5, 1], got \(NumberText.plain(settings.probability)) (0.8 is a common default, REFERENCE.md I)"))
        }
        if !(settings.siteWeight >= 0) || !settings.siteWeight.isFinite {
            issues.append(.init(path.key("siteWeight"), "siteWeight must be 0 (site not used) or more, got \(NumberText.plain(settings.siteWeight))"))
        }
        if factors.isEmpty && !(settings.siteWeight > 0) {
            issues.append(.init(root.key("factors"), "minimisation needs at least one factor (or minimisation.siteWeight above 0)"))
        }
    }

    private func checkBlinding(at path: DocumentPath, _ issues: inout [ProtocolIssue]) {
        let roles = UserRole.allCases.map(\.rawValue)
        let list = roles.joined(separator: ", ")
        for (i, role) in blinding.blindedRoles.enumerated() where !roles.contains(role) {
            issues.append(.init(path.key("blindedRoles").index(i), "unknown role '\(role)'; roles: \(list)"))
        }
        for (i, role) in blinding.unblindedContacts.enumerated() where !roles.contains(role) {
            issues.append(.init(path.key("unblindedContacts").index(i), "unknown role '\(role)'; roles: \(list)"))
        }
        for (i, role) in blinding.unblindedContacts.enumerated() where blinding.isBlinded && blinding.blindedRoles.contains(role) {
            issues.append(.init(path.key("unblindedContacts").index(i), "role '\(role)' is blinded and cannot be an unblinded contact"))
        }
        switch blinding.mode {
        case .open:
            if !blinding.blindedRoles.isEmpty {
                issues.append(.init(path.key("blindedRoles"), "an open-label trial has no blinded roles; set mode: blinded or remove blindedRoles"))
            }
        case .blinded:
            if blinding.blindedRoles.isEmpty {
                issues.append(.init(path.key("blindedRoles"), "a blinded trial names the roles that stay blinded, e.g. [investigator, coordinator]"))
            }
            let random = blinding.kitCodePattern.filter { $0 == "#" || $0 == "@" }.count
            if random < 4 {
                issues.append(.init(path.key("kitCodePattern"), "a kit-code pattern needs at least 4 random characters (# digit, @ letter), got \(random) in '\(blinding.kitCodePattern)'"))
            }
        }
    }
}
