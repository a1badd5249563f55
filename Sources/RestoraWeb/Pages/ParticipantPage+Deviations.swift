import Foundation
import RestoraDomain

/// The participant's protocol deviations (issue #14): what an investigator let through although the protocol
/// refuses it, with the rule, the reason and the signature (who and when — REFERENCE.md H1 11.50: a signed
/// record shows the signer, the time and the meaning).
extension ParticipantPage {
    static func deviations(_ m: ParticipantPageModel) -> Node {
        Layout.section("deviations", "Protocol deviations") { deviationTable(m.deviations, enrolments: m.enrolments) }
    }

    static func deviationTable(_ deviations: [ProtocolDeviation], enrolments: [ParticipantPageModel.EnrolmentView]) -> Node {
        guard !deviations.isEmpty else { return Layout.empty("No protocol deviations recorded.") }
        let programs = Dictionary(enrolments.map { ($0.enrolment.value.id, $0.program.name) }, uniquingKeysWith: { a, _ in a })
        return el("table", ["class": "deviations"]) {
            el("thead") {
                el("tr") {
                    el("th") { "Signed" }; el("th") { "Program" }; el("th") { "Category" }; el("th") { "Protocol rule" }
                    el("th") { "Reason" }; el("th") { "Signed by" }
                }
            }
            el("tbody") {
                deviations.sorted { $0.signedAt > $1.signedAt }.map { d in
                    el("tr", ["class": "deviation", "id": "deviation-\(d.id.rawValue)"]) {
                        el("td") { DeviationText.instant(d.signedAt) }
                        el("td") { programs[d.enrolmentID] ?? "protocol \(d.protocolID)" }
                        el("td") { d.category.label }
                        el("td") { "\(d.rule) (protocol \(d.protocolID) v\(d.protocolVersion))" }
                        el("td") { d.reason }
                        el("td") { ActorText.describe(d.signedBy) }
                    }
                }
            }
        }
    }
}

/// Deviation words for people.
enum DeviationText {
    /// Signature time to the minute, in UTC (said, so nobody reads it as local time).
    static func instant(_ date: Date) -> String {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return "\(CalendarDate(date)) " + String(format: "%02d:%02d UTC", c.hour ?? 0, c.minute ?? 0)
    }
}
