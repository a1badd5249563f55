import ArgumentParser

@main
struct Restora: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restora",
        abstract: "Restora: treatment programs and clinical trials in regenerative and reproductive medicine.",
        subcommands: [
            StatsCommand.self,
            BenchCommand.self,
            ProtocolCommand.self, RandomisationCommand.self,
            ScreenCommand.self,
            ScheduleCommand.self,
            InterpretCommand.self,
            GradeCommand.self,
            ReleaseCommand.self,
            ServeCommand.self, MigrateCommand.self, AuditCommand.self, BackupCommand.self, RestoreCommand.self, UserCommand.self, TokenCommand.self,
            SiteCommand.self, ProgramCommand.self,
            ReportCommand.self, ExportCommand.self, DemoCommand.self, ImportCommand.self,
        ]
    )
}
