import ArgumentParser
import Foundation
import RestoraDemo
import RestoraDomain

/// `restora randomisation simulate --protocol <id|file> [--participants N] [--seed S] [--json]`: allocates N
/// simulated participants with the protocol's scheme and with simple randomisation, and prints the balance
/// figures (docs/randomisation.md "Validation"). The simulation uses a seeded generator so figures can be
/// repeated; the system itself allocates with the operating system's secure generator.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate allocations with a protocol's randomisation and print the balance figures.")

    @Option(name: .customLong("protocol"), help: "The protocol id, or a protocol YAML file.")
    var protocolRef: String

    @Option(help: "How many participants to simulate (1 to 1,000,000).")
    var participants = 10_000

    @Option(help: "Seed of the simulation (a whole number; default: drawn and printed, so a run can be repeated).")
    var seed: UInt64?

    @OptionGroup var source: ProtocolSource
    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
        var protocolID: String
        var version: String
        var seed: UInt64
        var simulation: RandomisationSimulation
    }

    mutating func run() async throws {
        let source = self.source, json = output.json, reference = protocolRef, count = participants
        let seed = self.seed ?? UInt64.random(in: 1...UInt64(UInt32.max))
        try await runReportingErrors {
            guard (1...1_000_000).contains(count) else {
                throw CLIFailure("--participants: give a number from 1 to 1000000, got \(count)")
            }
            let definition = try Self.definition(reference, source: source)
            guard let scheme = definition.randomisation else {
                throw CLIFailure("protocol '\(definition.id)' has no randomisation: section (docs/randomisation.md)")
            }
            var rng = SplitMix64(seed: seed)
            let simulation = RandomisationSimulation(scheme: scheme, participants: count, sites: definition.sites, using: &rng)
            let result = Result(protocolID: definition.id, version: definition.version, seed: seed, simulation: simulation)
            if json {
                try CLIOutput.printJSON(result)
            } else {
                print(SimulateText.render(result, scheme: scheme))
            }
        }
    }

    /// A file path (ends in .yaml/.yml or exists) is read as a file, anything else is a protocol id.
    static func definition(_ reference: String, source: ProtocolSource) throws -> ProtocolDefinition {
        let isFile = reference.hasSuffix(".yaml") || reference.hasSuffix(".yml") || FileManager.default.fileExists(atPath: reference)
        guard isFile else { return try source.definition(id: reference) }
        do {
            return try ProtocolCatalog.loadFile(reference)
        } catch {
            throw CLIFailure("\(reference) is not a valid protocol (\(error.problems.count) problem\(error.problems.count == 1 ? "" : "s")):\n\(error.description)")
        }
    }
}
