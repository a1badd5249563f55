import Foundation

/// The fields of a CIOMS I / FDA 3500A report that Restora knows for one adverse event (docs/safety.md):
/// a draft the investigator completes and sends; what is unknown is listed in `notKnown`, never guessed.
/// Minimum necessary: the subject is the study participant id, sex and age; no name, no MRN.
public struct AdverseEventReportDraft: Sendable, Codable, Equatable {
    public struct Field: Sendable, Codable, Equatable {
        /// The CIOMS I box and the FDA 3500A item, e.g. "CIOMS 7+13 / 3500A B5".
        public var form: String
        public var label: String
        public var value: String
    }

    public struct SuspectProduct: Sendable, Codable, Equatable {
        public var name: String
        public var dose: String?
        public var route: String?
        public var start: CalendarDate?
        public var stop: CalendarDate?

        public init(name: String, dose: String?, route: String?, start: CalendarDate?, stop: CalendarDate?) {
            self.name = name
            self.dose = dose
            self.route = route
            self.start = start
            self.stop = stop
        }
    }

    public var adverseEventID: String
    /// "initial" or "follow-up": the report the open clock asks for, else the last one submitted.
    public var reportType: String
    public var reportLabel: String?
    public var reportDueOn: CalendarDate?
    public var fields: [Field]
    public var suspectProducts: [SuspectProduct]
    public var submissions: [ReportSubmission]
    /// CIOMS I / 3500A items the system does not hold (the reporter fills them in).
    public var notKnown: [String]

    public static let notKnownItems = [
        "CIOMS 1a / 3500A A: country of the reaction (the site's country is not recorded)",
        "CIOMS 13 / 3500A B5: narrative (describe the event, its course and treatment)",
        "CIOMS 17 / 3500A C: indication for each suspect product as worded for the regulator",
        "CIOMS 20-21 / 3500A C: dechallenge and rechallenge results",
        "CIOMS 22 / 3500A D: concomitant products with dates of administration",
        "CIOMS 23 / 3500A B7: other relevant history (pre-existing conditions as free text)",
        "CIOMS 24a / 3500A G: the sponsor's name and address",
    ]

    /// Builds the draft. `age` is computed at onset; `protocol` names the program; `products` are the suspect
    /// products the participant received (medication courses, cell products administered).
    public static func make(
        event: Versioned<AdverseEvent>, participant: Participant, protocolTitle: String?, products: [SuspectProduct]
    ) -> AdverseEventReportDraft {
        let e = event.value
        let clock = e.openReportingClock
        let criteria = AdverseEvent.Seriousness.allCases.map { criterion in
            "\(criterion.rawValue): \(e.seriousness.contains(criterion) ? "yes" : "no")"
        }.joined(separator: "; ")
        var fields: [Field] = [
            Field(form: "CIOMS 1 / 3500A A1", label: "Subject (study participant id)", value: participant.id.rawValue),
            Field(form: "CIOMS 2a / 3500A A2", label: "Age at onset", value: "\(participant.birthDate.age(on: e.onset)) years"),
            Field(form: "CIOMS 3 / 3500A A3", label: "Sex", value: participant.sex.rawValue),
            Field(form: "CIOMS 4-6 / 3500A B3", label: "Reaction onset", value: e.onset.description),
            Field(form: "CIOMS 7+13 / 3500A B5", label: "Reaction (CTCAE v5.0 term)", value: e.termText),
            Field(form: "CIOMS 7 / 3500A B5", label: "MedDRA code", value: e.meddraCode ?? "uncoded (free text recorded before coding)"),
            Field(form: "CIOMS 7 / 3500A B5", label: "System organ class", value: e.systemOrganClass ?? "—"),
            Field(form: "CIOMS 7 / 3500A B5", label: "CTCAE grade", value: "\(e.grade)"),
            Field(form: "CIOMS 8-12 / 3500A B2", label: "Seriousness criteria (ICH E2A)", value: e.isSerious ? criteria : "not serious"),
            Field(form: "CIOMS 8-12 / 3500A B2", label: "Outcome", value: e.outcome.rawValue),
            Field(form: "3500A B2", label: "Resolved on", value: e.resolution?.description ?? "not resolved"),
            Field(form: "CIOMS 20 / 3500A C", label: "Action taken with the study treatment", value: e.actionTaken.rawValue),
            Field(form: "3500A C (causality)", label: "Investigator's causality assessment",
                  value: e.causalityAssessedBy == nil ? "\(e.relatedness.rawValue) (not yet assessed by an investigator)"
                      : "\(e.relatedness.rawValue) (assessed by \(e.causalityAssessedBy!))"),
            Field(form: "ICH E2A expectedness", label: "Expected per the reference safety information",
                  value: e.expected ? "expected: \(e.expectedBasis ?? "")" : "unexpected"),
            Field(form: "CIOMS 24c / 3500A G4", label: "Date received (day 0 of the clock)", value: e.sponsorAwareOn?.description ?? "not recorded"),
            Field(form: "CIOMS 24d / 3500A G3", label: "Report source", value: "study" + (protocolTitle.map { ": \($0)" } ?? "")),
        ]
        if let note = e.note, !note.isEmpty {
            fields.append(Field(form: "CIOMS 13 / 3500A B5", label: "Note recorded with the event", value: note))
        }
        var submissions: [ReportSubmission] = []
        if let initial = e.initialReport { submissions.append(initial) }
        if let followUp = e.followUpReport { submissions.append(followUp) }
        let type: String
        if let clock { type = clock.kind == .initial ? "initial" : "follow-up" } else { type = submissions.last?.kind.rawValue ?? "initial" }
        return AdverseEventReportDraft(
            adverseEventID: e.id.rawValue, reportType: type, reportLabel: clock?.label, reportDueOn: clock?.dueOn,
            fields: fields, suspectProducts: products, submissions: submissions, notKnown: notKnownItems)
    }
}
