import Foundation
import Testing
@testable import restora

/// `restora randomisation simulate` run as a user runs it (docs/randomisation.md "Validation"): the figures the
/// closing note quotes, repeatable with a seed, and clear errors for a protocol without randomisation or a bad count.
@Suite struct RandomisationSimulateCommandTests {
    typealias CLI = ProtocolCommandTests

    @Test func theExampleTrialSimulatesTenThousandParticipants() throws {
        let run = try CLI.run(["randomisation", "simulate", "--protocol", "isotretinoin-rct", "--protocols", "examples/protocols",
                               "--participants", "10000", "--seed", "2026"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("isotretinoin-rct v1.0: permuted blocks of 2, 4, 6, stratified by site; ratio 1:1 (isotretinoin:observation)"))
        #expect(run.stdout.contains("10000 simulated participants over 4 sites"))
        #expect(run.stdout.contains(" 0 not balanced to 1:1."))
        #expect(run.stdout.contains("(bound: half the largest block = 3)"))
        let again = try CLI.run(["randomisation", "simulate", "--protocol", "examples/protocols/isotretinoin-rct.yaml", "--seed", "2026"])
        #expect(again.stdout == run.stdout)
    }

    @Test func jsonCarriesTheSeedAndBothProcedures() throws {
        let run = try CLI.run(["randomisation", "simulate", "--protocol", "examples/protocols/isotretinoin-rct.yaml",
                               "--participants", "500", "--seed", "7", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["seed"] as? Int == 7)
        #expect(object["protocolID"] as? String == "isotretinoin-rct")
        let simulation = try #require(object["simulation"] as? [String: Any])
        #expect(simulation["participants"] as? Int == 500)
        let blocks = try #require(simulation["blocks"] as? [String: Any])
        #expect(blocks["unbalancedCompletedBlocks"] as? Int == 0)
        #expect((simulation["simple"] as? [String: Any])?["procedure"] as? String == "simple randomisation")
    }

    @Test func refusalsNameTheProblem() throws {
        let single = try CLI.run(["randomisation", "simulate", "--protocol", "isotretinoin-noa"])
        #expect(single.status == 1)
        #expect(single.stderr == "error: protocol 'isotretinoin-noa' has no randomisation: section (docs/randomisation.md)\n")
        let zero = try CLI.run(["randomisation", "simulate", "--protocol", "examples/protocols/isotretinoin-rct.yaml", "--participants", "0"])
        #expect(zero.status == 1)
        #expect(zero.stderr.contains("--participants: give a number from 1 to 1000000, got 0"))
        let broken = try CLI.temporaryFile("broken.yaml", "id: broken\n")
        let bad = try CLI.run(["randomisation", "simulate", "--protocol", broken])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("is not a valid protocol"))
        #expect(CLI.noCrash(bad) && CLI.noCrash(zero) && CLI.noCrash(single))
    }
}
