/// The report as a renderer-neutral list of sections, each with paragraphs, tables and figures, so the
/// Markdown and HTML renderings say exactly the same things.
enum ReportText {
    enum Figure { case flow, incidence }

    enum Block {
        case paragraph(String)
        case table(header: [String], rows: [[String]])
        case list([String])
        case figure(Figure)
    }

    struct Section {
        var id: String
        var title: String
        var unavailable: String?
        var blocks: [Block]
        var notes: [String]
    }

    static func sections(_ r: StudyReport) -> [Section] {
        var list = [
            section("flow", "Participant flow", r.flow) { f in
                [.figure(.flow), .table(header: ["Step", "n"], rows: [
                    ["Pre-screened", "\(f.prescreened)"], ["Screened", "\(f.screened)"],
                    ["Screen failed", "\(f.screenFailed)"], ["Eligible", "\(f.eligible)"], ["Enrolled", "\(f.enrolled)"],
                    ["Enrolled with a protocol deviation", "\(f.enrolledWithDeviation)"],
                    ["Started treatment", "\(f.treated)"], ["Completed", "\(f.completed)"], ["Ongoing", "\(f.ongoing)"],
                    ["Withdrawn", "\(f.withdrawn)"], ["Lost to follow-up", "\(f.lostToFollowUp)"],
                    ["Analysed (\(f.analysisPopulation))", "\(f.analysed)"],
                ])] + (f.withdrawalReasons.isEmpty ? [] : [.list(f.withdrawalReasons.map { "Withdrawn — \($0)" })])
            },
            section("deviations", "Protocol deviations", r.flow) { f in
                f.deviations.isEmpty ? [.paragraph("No protocol deviations recorded.")]
                    : [.table(header: ["Category", "Deviations", "Participants"],
                              rows: f.deviations.map { [$0.label, "\($0.deviations)", "\($0.participants)"] }
                                  + [["All categories", "\(f.totalDeviations)", "\(f.participantsWithDeviation)"]]),
                       .paragraph("Enrolled with a protocol deviation: \(f.enrolledWithDeviation) of \(f.enrolled).")]
            },
            section("baseline", "Baseline characteristics", r.baseline) { b in
                [.table(header: ["Characteristic (n = \(b.population))", "Value", "Recorded in"],
                        rows: b.rows.map { [$0.label, $0.value, "\($0.n)"] })]
            },
            section("primary", "Primary endpoint", r.primaryEndpoint) { p in
                [.paragraph("**\(p.title)**: \(p.text)."),
                 .table(header: ["Responders", "Analysed", "Proportion", "Clopper–Pearson 95% CI", "Wilson 95% CI"],
                        rows: [["\(p.responders)", "\(p.analysed)", ReportNumber.percent(p.proportion), p.clopperPearson.text, p.wilson.text]]),
                 .paragraph("Responder: \(p.rule).")]
            },
            section("time", "Time to first response", r.timeToResponse) { t in
                [.figure(.incidence),
                 .paragraph("\(t.respondersByMonth3Text) responded by month 3. Cumulative incidence: "
                            + t.landmarks.map(\.text).joined(separator: "; ") + "."),
                 .table(header: ["Month"] + t.numbersAtRisk.map { "\($0.months)" },
                        rows: [["At risk"] + t.numbersAtRisk.map { "\($0.atRisk)" }])]
            },
        ]
        for (index, subgroup) in r.subgroups.enumerated() {
            list.append(section("subgroup-\(index + 1)", "Response by \(subgroup.factor)", subgroup.result) { s in
                [.table(header: ["Group", "Responders / n"], rows: (s.groups + s.untested).map { [$0.label, $0.text] }),
                 .paragraph(s.text)]
            })
        }
        list += [
            section("safety", "Safety: adverse events by CTCAE v5.0 term", r.safety) { s in
                [.paragraph("Safety population: \(s.population) participants who started treatment; \(s.participantsWithAnyEvent) had at least one adverse event, \(s.seriousEvents) serious events, \(s.discontinuedForAdverseEvent) stopped the treatment for an adverse event."),
                 .table(header: ["Term", "Participants", "Worst grade 1", "2", "3", "4", "5", "Serious"],
                        rows: s.rows.map { [$0.term, $0.text] + $0.worstGrade.map(String.init) + ["\($0.serious)"] })]
            },
            section("bone", "Bone mineral density change", r.boneDensity) { b in
                [.table(header: ["Site", "n", "Mean change (95% CI)", "Gains ≥ LSC", "Losses ≥ LSC", "No significant change", "LSC"],
                        rows: b.sites.map { s in
                            let ci = s.lowerPercent.flatMap { l in s.upperPercent.map { "\(ReportNumber.fixed(l, places: 1)) to \(ReportNumber.fixed($0, places: 1))" } } ?? "not estimable"
                            return [s.site, "\(s.n)", "\(ReportNumber.fixed(s.meanChangePercent, places: 1))% (\(ci))", "\(s.significantGains)",
                                    "\(s.significantLosses)", "\(s.noSignificantChange)", "\(ReportNumber.fixed(s.leastSignificantChangePercent, places: 1))%"]
                        }),
                 .paragraph("New fractures after day 0: \(b.participantsWithNewFracture) participants. On adjunct therapy: \(b.participantsOnAdjunctTherapy)."),
                 .list(Array(Set(b.sites.map(\.precisionSource))).sorted().map { "Precision: \($0)" })]
            },
            section("predictors", "Predictors of response", r.predictors) { p in
                [.paragraph("\(p.method); \(p.n) participants, \(p.events) responders."),
                 .table(header: ["Predictor", "Odds ratio (95% CI), p"], rows: p.predictors.map { [$0.name, $0.text] }),
                 .paragraph("**Caution:** \(p.caution)")]
            },
            section("next-trial", "Planning the next trial", r.nextTrial) { t in
                [.list([t.randomized.map { "Randomized trial: \($0.text)." }, t.simon.map { "Simon two-stage (p0 \(ReportNumber.percent($0.p0, places: 0)), p1 \(ReportNumber.percent($0.p1))): \($0.text)." }].compactMap { $0 })]
            },
        ]
        if let heads = r.auditHeads {
            list.append(Section(id: "audit-anchor", title: "Audit chain heads", unavailable: nil, blocks: [
                .paragraph("The last entry of each audit chain when this report was made. Kept with the report, outside the database, they let `restora audit verify --anchor` show later that no chain was rewritten since (docs/audit-integrity.md)."),
                .table(header: ["Chain", "Last entry", "Hash"], rows: heads.map { [$0.chain, "\($0.sequence)", $0.hash] }),
            ], notes: []))
        }
        return list
    }

    static func section<T>(_ id: String, _ title: String, _ s: ReportSection<T>, _ blocks: (T) -> [Block]) -> Section {
        Section(id: id, title: title, unavailable: s.unavailable, blocks: s.content.map(blocks) ?? [], notes: s.notes)
    }
}
