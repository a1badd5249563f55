import RestoraDomain

/// What every program builder needs: the protocol, the program and site it runs in, "today" and the
/// generator's random stream.
struct DemoContext {
    var definition: ProtocolDefinition
    var program: Program
    var today: CalendarDate
    var rng: SplitMix64

    /// A synthetic person: MRN prefixed `DEMO-`, names that say what they are.
    mutating func participant(
        code: String, number: Int, site: Identifier<Site>, sex: Sex, age: Int, on date: CalendarDate,
        postmenopausal: Bool? = nil, diagnoses: [Diagnosis] = [], history: [HistoryItem] = []
    ) -> Participant {
        let tag = "\(code)-\(String(number).leftPad(3))"
        let birthYear = date.year - age - 1
        let birth = CalendarDate(year: birthYear, month: rng.int(1...12), day: rng.int(1...28))
            ?? CalendarDate(dayNumber: 0)
        return Participant(
            id: Identifier("demo-\(tag.lowercased())"), siteID: site, mrn: "\(DemoLabel.mrnPrefix)\(tag)",
            givenName: "Synthetic", familyName: "Demo \(tag)", sex: sex, birthDate: birth,
            postmenopausal: postmenopausal, diagnoses: diagnoses, history: history)
    }

    func enrolment(for participant: Participant) -> Enrolment {
        Enrolment(id: Identifier("\(participant.id.rawValue)-enrolment"), participantID: participant.id,
                  programID: program.id, siteID: participant.siteID, armID: definition.arms.first?.id)
    }

    /// Screens on `date` using only what was known by then (later observations must not decide eligibility).
    func screen(_ builder: DemoRecordBuilder, _ participant: Participant, on date: CalendarDate) -> EligibilityReport {
        var record = builder.record(participant)
        record.observations = record.observations.filter { $0.effectiveDate <= date }
        return EligibilityEngine.screen(record, against: definition, on: date)
    }

    /// Fails generation when a participant meant to be eligible is not (the demo must obey the protocol).
    func requireEligible(_ report: EligibilityReport, _ participant: Participant) throws {
        guard report.verdict == .eligible else {
            throw DemoGenerationError("\(participant.mrn) should be eligible for \(definition.id) but is \(report.verdict.rawValue): failing \(report.failing), missing \(report.missing)")
        }
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
