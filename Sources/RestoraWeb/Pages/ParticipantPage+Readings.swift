import Foundation
import RestoraDomain
import RestoraReports

/// The clinical readings of the participant page (issue #14 item 8), each from the domain rule that the
/// API and the report use — never recomputed here:
/// - each semen analysis as a whole, classified by WHO 2021 (REFERENCE.md B1–B3: `SemenAnalysis.interpret`);
/// - each DXA scan: T-score per site (the scanner's, or computed from BMD with the NHANES III reference,
///   REFERENCE.md C2) and the WHO category of the lowest site (C1), or the Z-score wording when T-scores do not
///   apply (ISCD);
/// - the response per program, by the study report's own rule (`ResponseReading`).
enum ParticipantReadings {
    static func sections(_ m: ParticipantPageModel) -> Node {
        .fragment([
            Layout.section("response", "Response") { response(m) },
            Layout.section("semen-analyses", "Semen analyses (WHO 2021)") { semen(m) },
            Layout.section("bone-density", "Bone density (DXA)") { boneDensity(m) },
        ])
    }

    // MARK: Semen

    struct SemenRow {
        var date: CalendarDate
        var classification: String
        var motileSperm: String
        var totalCount: String
        var needs: [String]
    }

    /// One row per analysis: the observations of one panel (or, without a panel, of one day's semen specimen).
    static func semenRows(_ observations: [Observation]) -> [SemenRow] {
        let semen = observations.filter { $0.specimen?.type == "semen" || isSemenCode($0.code) }
        let panels = Dictionary(grouping: semen) { $0.panelID ?? "day:\($0.effectiveDate)" }
        return panels.values.compactMap { panel -> SemenRow? in
            guard let date = panel.map(\.effectiveDate).min() else { return nil }
            guard let analysis = try? SemenAnalysis(observations: panel), let reading = try? analysis.interpret() else {
                return SemenRow(date: date, classification: "cannot be classified: a value is out of range or in an unknown unit",
                                motileSperm: "", totalCount: "", needs: [])
            }
            let terms = reading.summary ?? (reading.terms.isEmpty ? "not classifiable" : reading.terms.map(\.rawValue).joined(separator: ", "))
            return SemenRow(
                date: date, classification: terms, motileSperm: motileText(reading.motileSpermInEjaculate),
                totalCount: reading.totalCountMillion.map { UnitText.quantity(ObservationReading.format($0), "10*6") } ?? "",
                needs: reading.cannotClassify)
        }.sorted { $0.date > $1.date }
    }

    static func isSemenCode(_ code: Coding) -> Bool {
        code.system == .loinc && SemenAnalysis.loincCodes.values.contains { $0.contains(code.code) }
    }

    static func motileText(_ finding: MotileSpermFinding) -> String {
        switch finding {
        case .present: "motile sperm in the ejaculate"
        case .absent: "no motile sperm in the ejaculate"
        case .cannotDetermine: "motile sperm: cannot tell"
        }
    }

    static func semen(_ m: ParticipantPageModel) -> Node {
        let rows = semenRows(m.record)
        guard !rows.isEmpty else { return Layout.empty("No semen analysis recorded.") }
        return el("table", ["id": "semen-analyses"]) {
            el("thead") { el("tr") { el("th") { "Date" }; el("th") { "WHO 2021 classification" }; el("th") { "Motile sperm" }; el("th", ["class": "num"]) { "Total sperm number" }; el("th") { "Cannot classify" } } }
            el("tbody") {
                rows.map { row in
                    el("tr", ["class": "semen-analysis-row"]) {
                        el("td") { row.date.description }
                        el("td", ["class": "semen-classification"]) { row.classification }
                        el("td") { row.motileSperm }
                        el("td", ["class": "num"]) { row.totalCount }
                        el("td") { row.needs.joined(separator: "; ") }
                    }
                }
            }
        }
    }

    // MARK: Bone density

    struct ScanRow {
        var date: CalendarDate
        var sites: [DXASiteResult]
        var verdict: String
    }

    /// One row per scan date: the BMD and T-score observations of that day, read as one DXA exam.
    static func scanRows(_ participant: Participant, observations: [Observation]) -> [ScanRow] {
        var byDate: [CalendarDate: [SkeletalSite: DXASiteMeasurement]] = [:]
        for site in SkeletalSite.allCases {
            let bmd = ClinicalCodes.dxaBMD(site), t = ClinicalCodes.dxaTScore(site)
            for o in observations {
                guard let value = o.value.number else { continue }
                if o.code.sameConcept(as: bmd) {
                    byDate[o.effectiveDate, default: [:]][site, default: DXASiteMeasurement(site: site)].bmdGPerCm2 = value
                } else if o.code.sameConcept(as: t) {
                    byDate[o.effectiveDate, default: [:]][site, default: DXASiteMeasurement(site: site)].reportedTScore = value
                }
            }
        }
        return byDate.map { date, sites in
            guard let patient = patient(participant, on: date) else {
                return ScanRow(date: date, sites: [], verdict: "cannot classify: needs the sex recorded as female or male (ISCD)")
            }
            let exam = DXAExam(patient: patient, date: date, sites: sites.values.sorted { $0.site < $1.site },
                               fragilityFracture: participant.history.contains { $0.kind == .fracture && ($0.date.map { $0 <= date } ?? true) } ? true : nil)
            guard let diagnosis = try? exam.diagnose() else {
                return ScanRow(date: date, sites: [], verdict: "cannot be read: a value is out of range")
            }
            return ScanRow(date: date, sites: diagnosis.sites, verdict: verdict(diagnosis))
        }.sorted { $0.date > $1.date }
    }

    /// The DXA patient on the scan date; nil for a sex other than female or male (no ISCD vocabulary).
    static func patient(_ p: Participant, on date: CalendarDate) -> DXAPatient? {
        let menopause: DXAPatient.MenopausalStatus? = p.postmenopausal.map { $0 ? .postmenopausal : .premenopausal }
        switch p.sex {
        case .female: return DXAPatient(sex: .female, ageYears: p.age(on: date), menopausalStatus: menopause)
        case .male: return DXAPatient(sex: .male, ageYears: p.age(on: date))
        case .other, .unknown: return nil
        }
    }

    static func verdict(_ d: DXADiagnosis) -> String {
        var parts: [String] = []
        if let category = d.category, let site = d.lowestSite, let score = d.lowestScore {
            parts.append("\(category.displayName) (lowest T-score \(ObservationReading.format(score)) at \(site.displayName); WHO 1994)")
        }
        if let wording = d.zScoreWording, let score = d.lowestScore { parts.append("\(wording.text) (lowest Z-score \(ObservationReading.format(score)))") }
        parts += d.cannotClassify + d.notes
        return parts.joined(separator: "; ")
    }

    static func boneDensity(_ m: ParticipantPageModel) -> Node {
        let rows = scanRows(m.participant.value, observations: m.record)
        guard !rows.isEmpty else { return Layout.empty("No DXA scan recorded.") }
        return el("table", ["id": "dxa-scans"]) {
            el("thead") { el("tr") { el("th") { "Date" }; el("th") { "Site: BMD, T-score" }; el("th") { "Reading" } } }
            el("tbody") {
                rows.map { row in
                    el("tr", ["class": "dxa-row"]) {
                        el("td") { row.date.description }
                        el("td") {
                            .fragment(row.sites.map { site in
                                let bmd = site.bmdGPerCm2.map { UnitText.quantity(ObservationReading.format($0), "g/cm2") } ?? "no BMD"
                                let t = site.tScore.map { "T \(ObservationReading.format(($0 * 10).rounded() / 10)) (\(site.tScoreSource ?? ""))" } ?? "no T-score"
                                let text = "\(FieldErrors.capitalized(site.site.displayName)): \(bmd), \(t)"
                                return el("div") { text }
                            })
                        }
                        el("td", ["class": "dxa-category"]) { row.verdict }
                    }
                }
            }
        }
    }

    // MARK: Response

    static func response(_ m: ParticipantPageModel) -> Node {
        let judged = m.enrolments.compactMap { view in
            view.definition.map { definition in
                (view.program, ResponseReading.evaluate(
                    record: m.participantRecord, enrolment: view.enrolment.value, visits: view.visits, definition: definition))
            }
        }
        guard !judged.isEmpty else { return Layout.empty("Not enrolled in any program.") }
        return el("ul", ["id": "response-list"]) {
            judged.map { program, response in
                let text = ": \(responseText(response)) "
                return el("li", ["class": "response"]) {
                    program.name
                    text
                    if m.reportablePrograms.contains(program.id) {
                        el("a", ["class": "report-link", "href": WebPath.report(program.id)]) { "(study report)" }
                    }
                }
            }
        }
    }

    static func responseText(_ r: ResponseReading) -> String {
        if let pending = r.pending { return pending }
        var parts: [String] = []
        if let s = r.semen {
            let counted = "motile sperm on \(s.positiveSamples) of \(s.samplesAfterDayZero) semen analyses after day 0 (the rule needs \(s.required))"
            if s.responder {
                parts.append("responder — \(counted)" + (s.monthsToResponse.map { ", first response at \(ObservationReading.format(($0 * 10).rounded() / 10)) months" } ?? ""))
            } else {
                parts.append("not a responder yet — \(counted)")
            }
        }
        for change in r.bone {
            let sign = change.changePercent >= 0 ? "+" : ""
            let verdict: String
            switch change.verdict {
            case .significantGain: verdict = "significant gain"
            case .significantLoss: verdict = "significant loss"
            case .noSignificantChange: verdict = "no significant change"
            }
            parts.append("\(change.site.displayName) \(sign)\(ObservationReading.format((change.changePercent * 10).rounded() / 10)) % since day 0: \(verdict) (LSC \(ObservationReading.format((change.leastSignificantChange * 100).rounded() / 100)) \(change.lscUnit.rawValue))")
        }
        if r.semen == nil && r.bone.isEmpty { parts.append("nothing to judge yet (no scan or analysis both before and after day 0)") }
        return parts.joined(separator: "; ")
    }
}
