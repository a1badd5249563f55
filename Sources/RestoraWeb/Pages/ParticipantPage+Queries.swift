import Foundation
import RestoraDomain

/// What the participant page's "Data queries and source verification" section shows (issue #16 item 5,
/// docs/sdv.md): the participant's queries with their threads, every source-verifiable record with its SDV
/// state, the progress, and which forms this user gets (monitors raise, close, re-open and verify; the site answers).
struct ParticipantQueriesSDV: Sendable {
    var queries: [Versioned<DataQuery>] = []
    var threads: [Identifier<DataQuery>: [DataQueryMessage]] = [:]
    var sdv = ParticipantSDV(records: [], marks: [])
    var mayRaise = false
    var mayAnswer = false
    var mayVerify = false

    static func load(_ id: Identifier<Participant>, user: UserAccount, repositories r: Repositories) async throws -> ParticipantQueriesSDV {
        async let queries = r.queries.list(participant: id)
        async let sdv = SourceVerification(repositories: r).status(participant: id)
        let list = try await queries
        return ParticipantQueriesSDV(
            queries: list.sorted { $0.value.raisedAt > $1.value.raisedAt },
            threads: try await r.queryThreads.messages(of: list.map(\.value.id)), sdv: try await sdv,
            mayRaise: DataQueryActions.mayRaise(user.actor), mayAnswer: DataQueryActions.mayAnswer(user.actor),
            mayVerify: SourceVerification.allowed(user.actor))
    }
}

/// The section itself: `#queries` (the raise form, then each query with its thread and the forms its state
/// allows) and `#sdv` (progress, then a row per record with its state and, for monitors, the verify forms).
enum ParticipantQueriesSection {
    static func sections(_ m: ParticipantPageModel, context: AppRequestContext) -> Node {
        let q = m.queriesSDV
        let id = m.participant.value.id
        return .fragment([
            Layout.section("queries", "Data queries") {
                if q.mayRaise { QueryForms.raise(id, records: q.sdv.records.map(\.record), state: FormState(), context: context) }
                queries(q, context: context)
            },
            Layout.section("sdv", "Source data verification") {
                el("p", ["id": "sdv-progress", "class": "sdv-progress"]) { SDVText.progress(q.sdv.progress) }
                SDVTable.view(q.sdv, participant: id, mayVerify: q.mayVerify, context: context)
            },
        ])
    }

    static func queries(_ q: ParticipantQueriesSDV, context: AppRequestContext) -> Node {
        guard !q.queries.isEmpty else { return Layout.empty("No data queries.") }
        return el("div", ["id": "data-queries"]) {
            q.queries.map { stored in
                let query = stored.value
                // A query answered or closed before threads were kept (0046) reads from its own fields until its next step.
                let thread = q.threads[query.id] ?? DataQueryActions.carriedOver(query)
                return el("article", ["class": "query query-\(query.status.rawValue)", "data-query-id": query.id.rawValue]) {
                    el("h3") {
                        el("span", ["class": "query-status"]) { query.status.rawValue }
                        " · " + SDVText.about(query, label: q.sdv.verification(kind: query.recordKind ?? "", id: query.recordID ?? "")?.record.label)
                    }
                    el("ol", ["class": "query-thread"]) {
                        SDVText.step("raised", by: query.raisedBy, at: query.raisedAt, text: query.question, css: "query-raised")
                        thread.map { step in
                            SDVText.step(SDVText.verb(step.kind), by: step.by, at: step.at, text: step.text, css: "query-\(step.kind.rawValue)")
                        }
                    }
                    QueryForms.actions(stored, mayRaise: q.mayRaise, mayAnswer: q.mayAnswer, context: context)
                }
            }
        }
    }
}

/// Words for the SDV and query sections.
enum SDVText {
    static func progress(_ p: SDVProgress) -> String {
        guard p.total > 0 else { return "No records to verify yet." }
        return "\(p.verified) of \(p.total) records source-verified (\(p.percent) %)" + (p.changed > 0 ? "; \(p.changed) changed since verified" : "")
    }

    static func state(_ s: SDVState) -> String {
        switch s {
        case .verified: return "verified"
        case .changedSinceVerified: return "changed since verified"
        case .notVerified: return "not verified"
        }
    }

    static func verb(_ kind: DataQueryMessage.Kind) -> String {
        switch kind {
        case .answered: return "answered"
        case .closed: return "closed"
        case .reopened: return "re-opened"
        }
    }

    /// What a query is about: its record (by `label` when known, else kind and id) and field, or the participant.
    static func about(_ q: DataQuery, label: String? = nil) -> String {
        let record = label.map { [$0] } ?? [q.recordKind, q.recordID].compactMap { $0 }
        let words = (record + [q.field].compactMap { $0 }).joined(separator: " · ")
        return words.isEmpty ? "the participant" : words
    }

    /// One step of a thread: "answered by u-7 (coordinator) on 2026-01-01: mg/dL" and its UTC time to the minute
    /// (REFERENCE.md H1 11.10(e): time-stamped entries). An answer from before threads were kept has no time.
    static func step(_ verb: String, by: Actor, at: Date?, text: String?, css: String) -> Node {
        el("li", ["class": "query-step \(css)"]) {
            "\(verb) by \(ActorText.describe(by))" + (at.map { " on \(CalendarDate($0))" } ?? "") + (text.map { ": \($0)" } ?? "")
            el("span", ["class": "step-time muted"]) { at.map { " · " + when($0) } ?? " · before threads were kept (migration 0046)" }
        }
    }

    /// An instant as date and UTC time to the minute (REFERENCE.md H1: time-stamped entries).
    static func when(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return String(f.string(from: date).prefix(16)).replacingOccurrences(of: "T", with: " ") + " UTC"
    }
}
