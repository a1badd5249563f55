import ArgumentParser

/// `restora protocol list|show|validate`: the protocol files of `protocols/` (docs/protocol-format.md).
struct ProtocolCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "protocol",
        abstract: "List, show and validate protocol definitions (protocols/*.yaml).",
        subcommands: [ProtocolListCommand.self, ProtocolShowCommand.self, ProtocolValidateCommand.self]
    )
}
