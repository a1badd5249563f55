@testable import restora
import Testing

@Suite("Configuration")
struct ConfigTests {
    @Test("precedence: flag over environment over .env over default")
    func precedence() throws {
        let env = ["RESTORA_DATABASE_URL": "postgres://env@127.0.0.1/db", "RESTORA_PORT": "9000"]
        let dotEnv = ["RESTORA_DATABASE_URL": "sqlite://dotenv.sqlite", "RESTORA_PORT": "9100", "RESTORA_HOST": "0.0.0.0"]
        let flagged = try RestoraConfig.resolve(flags: .init(databaseURL: "sqlite::memory:"), environment: env, dotEnv: dotEnv)
        #expect(flagged.databaseURL == "sqlite::memory:")
        #expect(flagged.port == 9000)
        #expect(flagged.host == "0.0.0.0")
        #expect(flagged.logLevel == RestoraConfig.defaults.logLevel)
        let fromDotEnv = try RestoraConfig.resolve(flags: .init(), environment: [:], dotEnv: dotEnv)
        #expect(fromDotEnv.databaseURL == "sqlite://dotenv.sqlite")
        #expect(try RestoraConfig.resolve(flags: .init(), environment: [:], dotEnv: [:]) == RestoraConfig.defaults)
    }

    @Test("a port that is not a number is refused, not defaulted")
    func badPort() {
        #expect(throws: ConfigError.self) {
            try RestoraConfig.resolve(flags: .init(), environment: ["RESTORA_PORT": "eighty"], dotEnv: [:])
        }
    }

    @Test(".env lines: comments, blanks, export and quotes")
    func dotEnv() {
        let parsed = DotEnv.parse("""
            # a comment

            RESTORA_PORT=8081
            export RESTORA_HOST = 127.0.0.1
            RESTORA_DATABASE_URL="postgres://u:p@127.0.0.1/db"
            NOT A LINE
            """)
        #expect(parsed == ["RESTORA_PORT": "8081", "RESTORA_HOST": "127.0.0.1", "RESTORA_DATABASE_URL": "postgres://u:p@127.0.0.1/db"])
    }
}

@Suite("Database connections setting")
struct DatabaseConnectionsConfigTests {
    @Test("RESTORA_DATABASE_CONNECTIONS: default nil, a number from 1 to 64, anything else refused by name")
    func connections() throws {
        let flags = RestoraConfig.Flags()
        #expect(try RestoraConfig.resolve(flags: flags, environment: [:], dotEnv: [:]).databaseConnections == nil)
        #expect(try RestoraConfig.resolve(flags: flags, environment: ["RESTORA_DATABASE_CONNECTIONS": "12"], dotEnv: [:]).databaseConnections == 12)
        for bad in ["0", "65", "-1", "many"] {
            #expect(throws: (any Error).self) {
                try RestoraConfig.resolve(flags: flags, environment: ["RESTORA_DATABASE_CONNECTIONS": bad], dotEnv: [:])
            }
        }
        do {
            _ = try RestoraConfig.resolve(flags: flags, environment: ["RESTORA_DATABASE_CONNECTIONS": "0"], dotEnv: [:])
        } catch {
            #expect("\(error)".contains("RESTORA_DATABASE_CONNECTIONS"))
        }
    }
}
