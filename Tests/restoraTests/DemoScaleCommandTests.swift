import Foundation
import Testing
@testable import restora

/// `restora demo --participants N --seed S`: a count below the default clinic's, a count or seed that is
/// not a whole number, and a seed without a count are refused with a message naming the option, before
/// anything is created on disk. (Seeding a scaled clinic is tested in RestoraReportsTests/ScaledDemoSeedTests.)
@Suite struct DemoScaleCommandTests {
    @Test(arguments: [
        (["--participants", "98"], "fewer than the default demo clinic's 119"),  // 99 + the randomised trial's 20
        (["--participants", "0"], "whole number"),
        (["--participants=-3"], "whole number"),
        (["--participants", "ten"], "not 'ten'"),
        (["--participants", "1e5"], "not '1e5'"),
        (["--participants", "200", "--seed", "x1"], "--seed must be a whole number"),
        (["--seed", "5"], "--seed only applies"),
    ])
    func refusedBeforeTouchingTheFolder(arguments: [String], message: String) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restora-demo-scale-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let command = try DemoCommand.parse(["--folder", folder.path, "--seed-only", "--protocols", DemoCommandTests.protocols] + arguments)
        do {
            try await command.execute()
            Issue.record("accepted \(arguments)")
        } catch let failure as CLIFailure {
            #expect(failure.message.contains(message), "\(failure.message)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }
}
