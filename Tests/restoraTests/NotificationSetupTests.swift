import Foundation
import RestoraNotify
@testable import restora
import Testing

/// `restora serve`'s SMTP settings (docs/notifications.md): the exact RESTORA_SMTP_* names, flags over the
/// environment over `.env`, no host → e-mail off, half a credential refused.
@Suite("Notifications: SMTP configuration")
struct NotificationSetupTests {
    static func refusal(_ options: SMTPOptions?, _ environment: [String: String]) -> String? {
        do { _ = try NotificationSetup.resolve(options, environment: environment, dotEnv: [:]); return nil } catch { return "\(error)" }
    }

    @Test("no host: e-mail off; the RESTORA_SMTP_* names fill the client's configuration")
    func fromEnvironment() throws {
        #expect(try NotificationSetup.resolve(nil, environment: [:], dotEnv: [:]).smtp == nil)
        let setup = try NotificationSetup.resolve(nil, environment: [
            "RESTORA_SMTP_HOST": "smtp.clinic.example", "RESTORA_SMTP_PORT": "2525", "RESTORA_SMTP_FROM": "Restora <r@clinic.example>",
            "RESTORA_SMTP_USER": "restora", "RESTORA_SMTP_PASSWORD": "s3cret", "RESTORA_SMTP_STARTTLS": "required",
        ], dotEnv: [:])
        #expect(setup.smtp == SMTPConfiguration(host: "smtp.clinic.example", port: 2525, from: "Restora <r@clinic.example>",
                                                username: "restora", password: "s3cret", startTLS: .required))
        let local = try NotificationSetup.resolve(nil, environment: ["RESTORA_SMTP_HOST": "127.0.0.1"], dotEnv: [:])
        #expect(local.smtp?.port == 587 && local.smtp?.startTLS == .opportunistic && local.smtp?.username == nil)
        let fromDotEnv = try NotificationSetup.resolve(nil, environment: [:], dotEnv: ["RESTORA_SMTP_HOST": "relay", "RESTORA_SMTP_STARTTLS": "off"])
        #expect(fromDotEnv.smtp?.host == "relay" && fromDotEnv.smtp?.port == 25)
    }

    @Test("flags win over the environment; bad values are refused naming the setting")
    func flagsAndRefusals() throws {
        var options = try SMTPOptions.parse(["--smtp-host", "flag.example", "--smtp-port", "465", "--smtp-starttls", "off"])
        let setup = try NotificationSetup.resolve(options, environment: ["RESTORA_SMTP_HOST": "env.example", "RESTORA_SMTP_PORT": "25"], dotEnv: [:])
        #expect(setup.smtp?.host == "flag.example" && setup.smtp?.port == 465 && setup.smtp?.startTLS == .off)
        #expect(Self.refusal(nil, ["RESTORA_SMTP_HOST": "h", "RESTORA_SMTP_USER": "u"])?.contains("RESTORA_SMTP_PASSWORD") == true)
        #expect(Self.refusal(nil, ["RESTORA_SMTP_HOST": "h", "RESTORA_SMTP_PORT": "x"])?.contains("RESTORA_SMTP_PORT") == true)
        #expect(Self.refusal(nil, ["RESTORA_SMTP_HOST": "h", "RESTORA_SMTP_PORT": "70000"])?.contains("SMTP port") == true)
        #expect(Self.refusal(nil, ["RESTORA_SMTP_HOST": "h", "RESTORA_SMTP_STARTTLS": "maybe"])?.contains("RESTORA_SMTP_STARTTLS") == true)
        #expect(Self.refusal(nil, ["RESTORA_NOTIFY_INTERVAL_SECONDS": "-1"])?.contains("RESTORA_NOTIFY_INTERVAL_SECONDS") == true)
        options = try SMTPOptions.parse([])
        #expect(try NotificationSetup.resolve(options, environment: [:], dotEnv: [:]).smtp == nil)
    }
}
