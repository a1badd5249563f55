import Foundation
import RestoraDomain

/// What the participant page knows about electronic signatures (issue #16 item 3, docs/signatures.md): every
/// signature on the participant's records with its status as of now (REFERENCE.md H1, 11.50(b): the printed
/// name, date and time and meaning appear wherever the signed record is shown).
struct ParticipantSignatures: Sendable {
    var signatures: [Versioned<ElectronicSignature>] = []
    var maySign = false

    static func load(_ id: Identifier<Participant>, user: UserAccount, repositories: Repositories) async throws -> ParticipantSignatures {
        ParticipantSignatures(signatures: try await repositories.signatures.list(participant: id), maySign: user.role == .investigator)
    }

    func of(_ target: SignatureTarget) -> [Versioned<ElectronicSignature>] { signatures.filter { $0.value.target == target } }
}

/// The "Electronic signatures" section: per casebook, its visits, its latest screening, and the participant's
/// cell products — the signatures with their status and a link to sign (investigators).
enum ParticipantSignatureSection {
    static func section(_ m: ParticipantPageModel) -> Node {
        let s = m.signatures
        var rows: [(SignatureTarget, String)] = []
        for view in m.enrolments {
            rows.append((SignatureTarget(kind: .casebook, id: view.enrolment.value.id.rawValue), "Casebook: \(view.program.name)"))
            if let screening = view.latestScreening {
                rows.append((SignatureTarget(kind: .eligibility, id: screening.id.rawValue),
                             "Eligibility decision (\(view.program.name), screened \(screening.screenedOn): \(screening.verdict.rawValue))"))
            }
            for visit in view.visits {
                rows.append((SignatureTarget(kind: .visit, id: visit.id.rawValue), "Visit \(visit.visitKey) (\(view.program.name))"))
            }
        }
        for lot in m.cellProducts {
            rows.append((SignatureTarget(kind: .release, id: lot.value.id.rawValue), "Release decision: lot \(lot.value.lot) (\(lot.value.releaseStatus.rawValue))"))
        }
        let labels = Dictionary(rows.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        return Layout.section("signatures", "Electronic signatures") {
            if rows.isEmpty { Layout.empty("Nothing to sign yet: no casebook, visit, screening or cell product.") }
            el("table", ["class": "signable-records"]) {
                el("thead") { el("tr") { el("th") { "Record" }; el("th") { "Signatures" }; el("th") { "" } } }
                el("tbody") {
                    rows.map { target, label in
                        let signed = s.of(target)
                        let needsNew = !signed.isEmpty && !signed.contains { $0.value.status == .valid }
                        return el("tr", ["class": "signable", "id": "signable-\(target.kind.rawValue)-\(target.id)"]) {
                            el("td") { label }
                            el("td") {
                                if signed.isEmpty { "not signed" }
                                else { signed.map { summary($0.value) }.joined(separator: "; ") }
                                if needsNew { el("strong", ["class": "signature-needed"]) { " A new signature is needed." } }
                            }
                            el("td") {
                                el("a", ["class": "sign-link", "href": PageRoute.signRecord.path(target.kind.rawValue, target.id)]) {
                                    s.maySign ? "Sign" : "Signatures"
                                }
                            }
                        }
                    }
                }
            }
            if !s.signatures.isEmpty {
                el("h3") { "Every signature" }
                SignatureWords.table(s.signatures, showRecord: true) { labels[$0] ?? SignatureWords.record($0) }
            }
        }
    }

    /// "Dr Ines Varga, approval, 2026-01-01 10:00 UTC — valid".
    static func summary(_ s: ElectronicSignature) -> String {
        "\(s.printedName), \(s.meaning.rawValue), \(DeviationText.instant(s.signedAt)): \(SignatureWords.status(s))"
    }
}
