import Foundation
import Testing
@testable import RestoraDomain

/// The protocol file's `randomisation:` section: the example trial loads, and every mistake is refused with a
/// problem naming its path (REFERENCE.md I; docs/randomisation.md).
@Suite struct RandomisationProtocolTests {
    static let base = ProtocolErrorTests.valid.replacingOccurrences(
        of: "  - { id: a, title: A, interventions: [drug] }",
        with: "  - { id: a, title: A, interventions: [drug] }\n  - { id: b, title: B, interventions: [] }")

    static func problems(_ randomisation: String) -> [String] {
        ProtocolErrorTests.problems(base + "\nrandomisation:\n" + randomisation).map { "\($0.path): \($0.message)" }
    }

    static let blocks = """
      arms: [a, b]
      ratio: [1, 1]
      method: permuted-blocks
      blocks: { sizes: [2, 4, 6], strata: [site] }
    """

    @Test func theExampleTrialLoadsWithItsRandomisation() throws {
        let path = ProtocolFixture.repositoryRoot.appendingPathComponent("examples/protocols/isotretinoin-rct.yaml").path
        let definition = try ProtocolCatalog.loadFile(path)
        #expect(definition.id == "isotretinoin-rct")
        #expect(definition.arms.map(\.id) == ["isotretinoin", "observation"])
        let scheme = try #require(definition.randomisation)
        #expect(scheme.arms == ["isotretinoin", "observation"])
        #expect(scheme.ratio == [1, 1])
        #expect(scheme.method == .permutedBlocks)
        #expect(scheme.blocks == BlockSettings(sizes: [2, 4, 6], strata: ["site"]))
        #expect(scheme.blinding == .open)
        // The rest of the trial is the single-arm program's: same eligibility and schedule.
        let program = try ProtocolFixture.definition("isotretinoin-noa")
        #expect(definition.inclusion == program.inclusion && definition.exclusion == program.exclusion)
        #expect(definition.schedule == program.schedule)
        #expect(program.randomisation == nil)
    }

    @Test func aValidSchemeHasNoProblems() {
        #expect(Self.problems(Self.blocks) == [])
        #expect(Self.problems("""
          arms: [a, b]
          method: minimisation
          minimisation: { imbalance: variance, probability: 0.9, siteWeight: 1 }
          factors:
            - { id: fsh, label: FSH, levels: [normal, raised], weight: 2 }
          blinding: { mode: blinded, blindedRoles: [investigator, coordinator], kitCodePattern: "RCT-@@####" }
        """) == [])
    }

    @Test func anArmWithoutInterventionsIsOnlyAllowedAsARandomisedControl() {
        let unrandomised = ProtocolErrorTests.problems(Self.base).map(\.message)
        #expect(unrandomised.contains { $0.hasPrefix("an arm needs at least one intervention") })
    }

    @Test func unknownArmsAndWrongRatiosAreRefused() {
        let problems = Self.problems(Self.blocks.replacingOccurrences(of: "arms: [a, b]", with: "arms: [a, placebo]")
            .replacingOccurrences(of: "ratio: [1, 1]", with: "ratio: [1, 0, 1]"))
        #expect(problems.contains("randomisation.arms[1]: unknown arm 'placebo'; the protocol's arms: a, b"))
        #expect(problems.contains("randomisation.ratio: give one ratio number per arm (2 arms), got 3"))
        #expect(problems.contains("randomisation.ratio[1]: a ratio number must be a whole number of at least 1, got 0"))
        #expect(Self.problems(Self.blocks.replacingOccurrences(of: "arms: [a, b]", with: "arms: [a]")
            .replacingOccurrences(of: "ratio: [1, 1]", with: "ratio: [1]")).contains("randomisation.arms: randomisation needs at least two arms, got 1"))
    }

    @Test func blockSizesMustBeMultiplesOfTheRatioSum() {
        let problems = Self.problems(Self.blocks.replacingOccurrences(of: "ratio: [1, 1]", with: "ratio: [2, 1]"))
        #expect(problems == [
            "randomisation.blocks.sizes[0]: block size 2 is not a multiple of the ratio sum 3 (ratio 2:1)",
            "randomisation.blocks.sizes[1]: block size 4 is not a multiple of the ratio sum 3 (ratio 2:1)",
        ])
        #expect(Self.problems(Self.blocks.replacingOccurrences(of: "sizes: [2, 4, 6]", with: "sizes: []"))
            == ["randomisation.blocks.sizes: give at least one block size"])
        #expect(Self.problems(Self.blocks.replacingOccurrences(of: "blocks: { sizes: [2, 4, 6], strata: [site] }", with: ""))
            .first?.hasPrefix("randomisation: method permuted-blocks needs a 'blocks' section") == true)
    }

    @Test func strataMustBeTheSiteOrAFactor() {
        let problems = Self.problems(Self.blocks.replacingOccurrences(of: "strata: [site]", with: "strata: [site, fsh]"))
        #expect(problems == ["randomisation.blocks.strata[1]: unknown stratification factor 'fsh'; use site or a factor id: site"])
    }

    @Test func theMinimisationProbabilityMustLieAboveOneHalfUpToOne() {
        for p in ["0.5", "1.2", "0"] {
            let problems = Self.problems("""
              arms: [a, b]
              method: minimisation
              minimisation: { probability: \(p) }
              factors: [{ id: fsh, levels: [normal, raised] }]
            """)
            #expect(problems.count == 1)
            #expect(problems.first?.hasPrefix("randomisation.minimisation.probability: the probability of assigning the least-imbalanced arm must lie in (0.5, 1], got \(p == "0.5" ? "0.5" : p)") == true, "\(problems)")
        }
    }

    @Test func minimisationDefaultsAndItsOwnMistakes() throws {
        let yaml = Self.base + "\nrandomisation:\n  arms: [a, b]\n  method: minimisation\n  factors: [{ id: fsh, levels: [normal, raised] }]\n"
        let definition = try ProtocolDocument.parse(yaml: yaml, file: "tiny.yaml")
        let scheme = try #require(definition.randomisation)
        #expect(scheme.minimisation == MinimisationSettings(imbalance: .range, probability: 0.8, siteWeight: 0))
        #expect(scheme.ratio == [1, 1])
        #expect(scheme.factors.first?.label == "fsh" && scheme.factors.first?.weight == 1)
        let problems = Self.problems("""
          arms: [a, b]
          method: minimisation
          blocks: { sizes: [2] }
          factors:
            - { id: site, levels: [x, y] }
            - { id: fsh, levels: [normal], weight: 0 }
        """)
        #expect(problems.contains("randomisation.blocks: blocks apply only to method permuted-blocks; this scheme uses minimisation"))
        #expect(problems.contains { $0.hasPrefix("randomisation.factors[0].id: 'site' is reserved") })
        #expect(problems.contains("randomisation.factors[1].levels: a factor needs at least two levels, got 1"))
        #expect(problems.contains("randomisation.factors[1].weight: a factor weight must be greater than 0, got 0"))
        #expect(Self.problems("  arms: [a, b]\n  method: minimisation\n") == ["randomisation.factors: minimisation needs at least one factor (or minimisation.siteWeight above 0)"])
    }

    @Test func blindingNeedsKnownRolesAndARandomKitCode() {
        let problems = Self.problems(Self.blocks + "\n  blinding: { mode: blinded, blindedRoles: [investigator, nurse], kitCodePattern: KIT-12#, unblindedContacts: [investigator] }")
        #expect(problems.contains("randomisation.blinding.blindedRoles[1]: unknown role 'nurse'; roles: admin, investigator, coordinator, monitor, auditor, data-manager"))
        #expect(problems.contains("randomisation.blinding.kitCodePattern: a kit-code pattern needs at least 4 random characters (# digit, @ letter), got 1 in 'KIT-12#'"))
        #expect(problems.contains("randomisation.blinding.unblindedContacts[0]: role 'investigator' is blinded and cannot be an unblinded contact"))
        #expect(Self.problems(Self.blocks + "\n  blinding: { mode: blinded }") == ["randomisation.blinding.blindedRoles: a blinded trial names the roles that stay blinded, e.g. [investigator, coordinator]"])
        #expect(Self.problems(Self.blocks + "\n  blinding: { mode: open, blindedRoles: [monitor] }").first?.hasPrefix("randomisation.blinding.blindedRoles: an open-label trial has no blinded roles") == true)
    }

    @Test func misspeltKeysAndMethodsAreRefused() {
        let key = ProtocolErrorTests.problems(Self.base + "\nrandomisation:\n" + Self.blocks + "\n  minimization: { probability: 0.8 }")
        #expect(key.first?.message.hasPrefix("unknown key 'minimization'") == true)
        let method = ProtocolErrorTests.problems(Self.base + "\nrandomisation:\n" + Self.blocks.replacingOccurrences(of: "permuted-blocks", with: "blocks"))
        #expect(method.first?.path == "randomisation.method")
        #expect(method.first?.message.contains("permuted-blocks") == true)
    }

    @Test func kitCodesFollowThePattern() {
        var rng = SeededGenerator(seed: 5)
        let blinding = Blinding(mode: .blinded, blindedRoles: ["investigator"], kitCodePattern: "RCT-@@####")
        let code = blinding.kitCode(using: &rng)
        #expect(code.count == 10 && code.hasPrefix("RCT-"))
        #expect(code.dropFirst(4).prefix(2).allSatisfy { $0.isLetter && $0 != "I" && $0 != "O" })
        #expect(code.suffix(4).allSatisfy { $0.isNumber })
        #expect(blinding.hides(armFrom: .investigator) && !blinding.hides(armFrom: .admin))
        #expect(!Blinding.open.hides(armFrom: .investigator))
    }

    @Test func factorLevelsAreCheckedAtRandomisation() {
        let scheme = RandomisationFixture.minimisation()
        let complete = ["fsh": "raised", "age-group": "21-34", "histology": "sco"]
        #expect(throws: Never.self) { try scheme.validateLevels(complete) }
        var missing = complete
        missing["fsh"] = nil
        #expect(throws: DomainError.invalidValue(field: "factors.fsh", message: "FSH is required for randomisation; one of: normal, raised")) {
            try scheme.validateLevels(missing)
        }
        var wrong = complete
        wrong["histology"] = "other"
        #expect(throws: DomainError.invalidValue(field: "factors.histology", message: "'other' is not a level of Histology; one of: sco, ma, hs")) {
            try scheme.validateLevels(wrong)
        }
        var extra = complete
        extra["site"] = "S1"
        #expect(throws: DomainError.invalidValue(field: "factors.site", message: "unknown randomisation factor 'site'; known factors: fsh, age-group, histology")) {
            try scheme.validateLevels(extra)
        }
        #expect(throws: DomainError.self) { try RandomisationFixture.blocks().validateLevels(["fsh": "raised"]) }
        #expect(throws: Never.self) { try RandomisationFixture.blocks().validateLevels([:]) }
    }
}

extension RandomisationProtocolTests {
    /// The demo embeds the trial as a built-in protocol (protocols/); it must stay the example file, byte for byte.
    @Test func theBuiltInCopyOfTheTrialIsTheExampleFile() throws {
        let root = ProtocolFixture.repositoryRoot
        let builtIn = root.appendingPathComponent("protocols/isotretinoin-rct.yaml").path
        guard FileManager.default.fileExists(atPath: builtIn) else { return }
        let example = try String(contentsOfFile: root.appendingPathComponent("examples/protocols/isotretinoin-rct.yaml").path, encoding: .utf8)
        #expect(try String(contentsOfFile: builtIn, encoding: .utf8) == example)
    }
}

extension RandomisationProtocolTests {
    /// An amendment that changes the allocation scheme lists it, naming the fields that differ.
    @Test func anAmendmentListsAChangedScheme() throws {
        let before = try ProtocolDocument.parse(yaml: Self.base + "\nrandomisation:\n" + Self.blocks, file: "tiny.yaml")
        var after = before
        after.version = "2"
        after.randomisation?.blocks?.sizes = [4]
        let changes = ProtocolChanges(from: before, to: after).changes.filter { $0.area == "randomisation" }
        #expect(changes == [.init(area: "randomisation", kind: .changed, id: "scheme", detail: "permuted-blocks, arms a, b: blocks")])
        var removed = after
        removed.randomisation = nil
        #expect(ProtocolChanges(from: before, to: removed).changes.map(\.kind) == [.removed])
        #expect(ProtocolChanges(from: before, to: before).isEmpty)
    }
}
