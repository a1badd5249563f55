import ArgumentParser
import RestoraDomain

/// `restora protocol validate <file>`: reads and checks one protocol file; every problem is printed with
/// file, line and path, and the exit status is 1 when there is any.
struct ProtocolValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "validate", abstract: "Check a protocol YAML file.")

    @Argument(help: "The protocol YAML file.")
    var file: String

    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
        let file: String
        let valid: Bool
        let id: String?
        let version: String?
        let problems: [DocumentProblem]
    }

    mutating func run() async throws {
        let file = self.file, json = output.json
        try await runReportingErrors {
            let definition: ProtocolDefinition
            do {
                definition = try ProtocolCatalog.loadFile(file)
            } catch let error as DocumentProblems {
                if json {
                    try CLIOutput.printJSON(Result(file: file, valid: false, id: nil, version: nil, problems: error.problems))
                    throw ExitCode(1)
                }
                let count = error.problems.count
                throw CLIFailure("\(file) is not a valid protocol (\(count) problem\(count == 1 ? "" : "s")):\n\(error.description)")
            }
            if json {
                try CLIOutput.printJSON(Result(file: file, valid: true, id: definition.id, version: definition.version, problems: []))
            } else {
                print("\(file): valid — \(definition.id) v\(definition.version): \(definition.inclusion.count) inclusion, "
                      + "\(definition.exclusion.count) exclusion criteria, \(definition.schedule.count) visits")
            }
        }
    }
}
