import Foundation
import RestoraDomain

/// E-consent in the demo clinic (issue #16 item 2, docs/consent.md): every demo program gets consent document v1
/// (plain text, issued by the demo investigator through `ConsentDocuments`) before any participant consents, and
/// each participant's signed consent is recorded through `ConsentEntry` just before the move to consented — so the
/// consent gate holds in the demo exactly as in production.
extension DemoSeeder {
    /// Issues v1 for each program, dated before the earliest history of the demo (the gate compares signing times
    /// with the version's issue time).
    func issueConsentDocuments(_ clinic: DemoClinic) async throws {
        let earliest = clinic.participants.flatMap { $0.enrolment.transitions.map(\.at) }.min() ?? clinic.today.startOfDayUTC
        // Scaled participants (DemoScaledClinic) start up to 1,095 days before today, screened before that.
        let scaledEarliest = clinic.today.adding(days: -1_300).startOfDayUTC
        let issuedAt = min(earliest, scaledEarliest).addingTimeInterval(-30 * 86_400)
        for program in clinic.programs {
            let text = """
                SYNTHETIC DEMO — participant information and informed consent, \(program.name).
                You are invited to take part in this program. Participation is voluntary; you may withdraw your consent
                to treatment, to follow-up or to the use of your data at any time, without giving a reason.
                """
            _ = try await ConsentDocuments(repositories: repositories).issue(
                .init(title: "Participant information and consent (\(program.name))", fileName: "\(program.id.rawValue)-consent-v1.txt",
                      content: Data(text.utf8), witnessRequired: false, note: "first version"),
                program: program.id, id: Identifier("demo-consent-\(program.id.rawValue)-v1"), at: issuedAt,
                context: AuditContext(actor: DemoEnrolmentPath.investigator, requestID: "demo-seed"))
        }
    }

    /// The participant signs v1 in person on the day of the move to consented.
    func recordConsent(_ demo: DemoParticipant, at: Date) async throws {
        let p = demo.participant
        let signer = [p.givenName, p.familyName].compactMap { $0 }.joined(separator: " ")
        _ = try await ConsentEntry(repositories: repositories).record(
            .init(signerName: signer.isEmpty ? "participant \(p.mrn)" : signer, signedAt: ISO8601DateFormatter().string(from: at), method: "in-person"),
            enrolment: demo.enrolment.id, id: Identifier("consent-\(demo.enrolment.id.rawValue)"), now: at,
            context: context("informed consent signed"), idempotencyKey: nil)
    }
}
