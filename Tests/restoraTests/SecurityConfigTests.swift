import Foundation
@testable import restora
import Testing

/// Issue 12 items 4 and 7: sign-in throttling, the forwarded-for trust and the metrics token are configurable.
@Suite("Security settings")
struct SecurityConfigTests {
    @Test("throttle limits, X-Forwarded-For trust and the metrics token come from the environment or .env")
    func fromEnvironment() throws {
        let config = try RestoraConfig.resolve(flags: .init(), environment: [
            "RESTORA_SIGNIN_MAX_FAILURES": "3", "RESTORA_SIGNIN_WINDOW_SECONDS": "600", "RESTORA_TRUST_FORWARDED_FOR": "1",
            "RESTORA_METRICS_TOKEN": "t0ken",
        ], dotEnv: ["RESTORA_SIGNIN_LOCKOUT_SECONDS": "30", "RESTORA_SIGNIN_MAX_FAILURES_PER_CLIENT": "9"])
        #expect(config.signInMaxFailures == 3)
        #expect(config.signInWindowSeconds == 600)
        #expect(config.signInLockoutSeconds == 30)
        #expect(config.signInMaxFailuresPerClient == 9)
        #expect(config.trustForwardedFor)
        #expect(config.metricsToken == "t0ken")
    }

    @Test("unset means the defaults: no forwarded-for trust, no metrics token (loopback only)")
    func defaults() throws {
        let config = try RestoraConfig.resolve(flags: .init(), environment: [:], dotEnv: [:])
        #expect(config.signInMaxFailures == nil)
        #expect(!config.trustForwardedFor)
        #expect(config.metricsToken == nil)
    }

    @Test("a limit that is not a number is refused by name")
    func notANumber() {
        #expect(throws: ConfigError.self) {
            try RestoraConfig.resolve(flags: .init(), environment: ["RESTORA_SIGNIN_MAX_FAILURES": "five"], dotEnv: [:])
        }
    }
}
