import Foundation
import RestoraDomain

/// The participant page's SDV table (docs/sdv.md): one row per source-verifiable record with its state
/// ("verified", "changed since verified", "not verified"), who verified it and when, the fields verified on
/// their own; for a monitor, a data manager or an admin the forms that verify the record, one of its fields, or
/// (on a visit's row) the whole visit.
enum SDVTable {
    static func view(_ sdv: ParticipantSDV, participant: Identifier<Participant>, mayVerify: Bool, context: AppRequestContext) -> Node {
        guard !sdv.records.isEmpty else { return Layout.empty("No records to verify.") }
        return el("table", ["id": "sdv-records"]) {
            el("thead") { el("tr") {
                el("th") { "Record" }; el("th") { "State" }; el("th") { "Verified" }; el("th") { "Fields verified" }
                if mayVerify { el("th") { "Verify" } }
            } }
            el("tbody") {
                sdv.records.map { r in
                    el("tr", ["class": "sdv-row sdv-\(r.state.rawValue)", "data-record": "\(r.record.kind)/\(r.record.id)"]) {
                        el("td") { "\(r.record.label) (\(r.record.kind))" }
                        el("td", ["class": "sdv-state"]) {
                            SDVText.state(r.state)
                            if r.record.kind == "visits", let visit = r.record.visitID {
                                el("span", ["class": "sdv-visit-state"]) { " · whole visit: \(SDVText.state(sdv.visitState(visit)))" }
                            }
                        }
                        el("td") {
                            r.latest.map { "\(SDVText.when($0.verifiedAt)) by \(ActorText.describe($0.verifiedBy)) at version \($0.recordVersion)" } ?? ""
                        }
                        el("td", ["class": "sdv-fields"]) {
                            r.fields.map { "\($0.field): \(SDVText.state($0.state))" }.joined(separator: "; ")
                        }
                        if mayVerify { el("td") { forms(r, participant: participant, context: context) } }
                    }
                }
            }
        }
    }

    static func forms(_ r: RecordVerification, participant: Identifier<Participant>, context: AppRequestContext) -> Node {
        let action = PageRoute.verifySourcePage.path(participant.rawValue)
        func hidden(_ name: String, _ value: String) -> Node { el("input", ["type": "hidden", "name": name, "value": value]) }
        let fieldID = "sdv-field-\(r.record.kind)-\(r.record.id)"
        return .fragment([
            el("form", ["class": "verify-record-form inline", "method": "post", "action": action]) {
                Forms.csrf(context); hidden("recordKind", r.record.kind); hidden("recordID", r.record.id)
                el("button", ["type": "submit", "class": "verify-record secondary"]) { "Verify record" }
            },
            el("form", ["class": "verify-field-form inline", "method": "post", "action": action]) {
                Forms.csrf(context); hidden("recordKind", r.record.kind); hidden("recordID", r.record.id)
                el("label", ["for": fieldID, "class": "visually-hidden"]) { "Field" }
                el("select", ["id": fieldID, "name": "field", "class": "verify-field-name"]) {
                    r.record.fields.map { name in el("option", ["value": name]) { name } }
                }
                el("button", ["type": "submit", "class": "verify-field secondary"]) { "Verify field" }
            },
            r.record.kind == "visits" ? el("form", ["class": "verify-visit-form inline", "method": "post", "action": action]) {
                Forms.csrf(context); hidden("visitID", r.record.id)
                el("button", ["type": "submit", "class": "verify-visit secondary"]) { "Verify whole visit" }
            } : .fragment([]),
        ])
    }
}
