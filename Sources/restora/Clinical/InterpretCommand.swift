import ArgumentParser

/// `restora interpret <semen|dxa>`: measurement interpretation (docs/clinical-rules.md).
struct InterpretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interpret",
        abstract: "Interpret a semen analysis (WHO) or a DXA scan (WHO/ISCD).",
        subcommands: [InterpretSemenCommand.self, InterpretDXACommand.self]
    )
}
