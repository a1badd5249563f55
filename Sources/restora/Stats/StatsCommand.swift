import ArgumentParser

/// `restora stats <analysis>`: every analysis of RestoraStats from the command line (docs/statistics.md).
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Statistical analyses (proportions, tables, survival, regression, design).",
        subcommands: [
            // Add analysis subcommands here, one line each.
            StatsKMCommand.self,
            StatsLogRankCommand.self,
            StatsCoxCommand.self,
            StatsLogisticCommand.self,
            StatsLinearCommand.self,
            StatsProportionCommand.self,
            StatsFisherCommand.self,
            StatsChisqCommand.self,
            StatsTTestCommand.self,
            StatsWilcoxonCommand.self,
            StatsMannWhitneyCommand.self,
            StatsPowerCommand.self,
            StatsSimonCommand.self,
        ]
    )
}
