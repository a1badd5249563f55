import ArgumentParser

/// `restora randomisation simulate`: validation of a protocol's randomisation by simulation (docs/randomisation.md).
struct RandomisationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "randomisation",
        abstract: "Check a protocol's randomisation scheme (docs/randomisation.md).",
        subcommands: [SimulateCommand.self]
    )
}
