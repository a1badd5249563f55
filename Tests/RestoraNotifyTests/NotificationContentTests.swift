import Foundation
import RestoraDomain
@testable import RestoraNotify
import Testing

/// Minimum necessary (issue #15 item 6): a message carries the site, the participant's study identifier and a
/// link — never the MRN, a name or a clinical value.
@Suite("Notifications: message content")
struct NotificationContentTests {
    static func row(_ kind: NotificationKind, delivery: EmailDelivery = .immediate, onDate: CalendarDate? = nil) -> UserNotification {
        UserNotification(
            id: "n-1", userID: "u-inv-a", siteID: "site-a", siteCode: "PAR1", participantID: "p-1", kind: kind,
            linkPath: "/participants/p-1", eventKey: "k", onDate: onDate, createdAt: Date(timeIntervalSince1970: 0), delivery: delivery,
            emailStatus: .pending, emailAddress: "inv-a@clinic.example", nextAttemptAt: Date(timeIntervalSince1970: 0),
            messageID: "<n-1@restora.notifications>")
    }

    @Test("an e-mail names the site, the study identifier and the link from the configured base URL")
    func content() throws {
        let message = try #require(NotificationMessage.make([Self.row(.safetyAlert)], baseURL: "https://restora.clinic.example/"))
        #expect(message.subject == "[Restora] New safety alert - site PAR1, participant p-1")
        #expect(message.body.contains("https://restora.clinic.example/participants/p-1"))
        #expect(message.to == "inv-a@clinic.example" && message.messageID == "<n-1@restora.notifications>")
        let due = try #require(NotificationMessage.make([Self.row(.reportOverdue, onDate: CalendarDate("2026-12-07"))], baseURL: "http://x"))
        #expect(due.body.contains("due 2026-12-07"))
    }

    @Test("what enqueue stores and the worker sends holds no MRN, name or value of the participant", arguments: NotifyDB.urls)
    func noPatientData(url: String) async throws {
        try await NotifyDB.with(url) { db in
            let repos = try await NotifyFixture.seed(db)
            try await NotifyFixture.enqueueAlerts(repos, ["alert-1"], at: NotifyFixture.t0)
            let transport = RecordingTransport()
            _ = try await DeliveryWorker.make(repos, transport: transport, clock: TestClock(NotifyFixture.t0)).deliver()
            let message = try #require(transport.sent.first)
            let text = message.subject + "\n" + message.body
            for secret in [NotifyFixture.mrn, NotifyFixture.given, NotifyFixture.family, "1990-05-17"] {
                #expect(!text.contains(secret), "\(secret)")
            }
            #expect(text.contains("PAR1") && text.contains("p-1") && text.contains("https://restora.clinic.example/participants/p-1"))
        }
    }

    @Test("SMTP DATA: headers with the Message-ID, CRLF line ends, dot-stuffing, the end mark")
    func smtpData() {
        let message = NotificationMessage(to: "a@b.example", subject: "Sujet é", body: "line\n.dot\nend", messageID: "<m@r>")
        let data = SMTPSession.data(message, from: "Restora <r@b.example>", date: Date(timeIntervalSince1970: 0))
        #expect(data.contains("Message-ID: <m@r>\r\n"))
        #expect(data.contains("Subject: =?UTF-8?B?"))
        #expect(data.contains("\r\n..dot\r\n"))
        #expect(data.hasSuffix("end\r\n.\r\n"))
        #expect(SMTPSession.address("Restora <r@b.example>") == "r@b.example")
    }

    @Test("e-mail addresses are checked; empty means none")
    func addresses() throws {
        #expect(try NotificationPreferences.checkedAddress("  a@b.example ") == "a@b.example")
        #expect(try NotificationPreferences.checkedAddress("") == nil)
        for bad in ["a", "a@b", "a b@c.d", "a@b.c>\r\nRCPT TO:<x@y.z"] {
            #expect(throws: DomainError.self) { try NotificationPreferences.checkedAddress(bad) }
        }
    }
}
