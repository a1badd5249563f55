import Foundation
import RestoraDomain
import RestoraReports

/// A hand-made three-person program for snapshot tests: one responder, one non-responder, one screen failure.
enum SmallDataset {
    static func day(_ text: String) -> CalendarDate { CalendarDate(text) ?? CalendarDate(dayNumber: 0) }

    static func semen(_ id: String, _ person: String, _ date: String, concentration: Double, motility: Double?,
                      pellet: SpecimenDetails.PelletFinding?) -> [Observation] {
        let specimen = SpecimenDetails(type: "semen", centrifuged: pellet != nil, centrifugationG: pellet == nil ? nil : 3000,
                                       centrifugationMinutes: pellet == nil ? nil : 15, pelletExamined: pellet == nil ? nil : true,
                                       pelletFinding: pellet)
        func obs(_ code: String, _ value: Double, _ unit: String) -> Observation {
            Observation(id: Identifier("\(id)-\(code)"), participantID: Identifier(person), panelID: id, code: Coding(.loinc, code),
                        value: .quantity(Quantity(value, unit)), effective: day(date).startOfDayUTC, specimen: specimen)
        }
        var list = [obs("3160-9", 3.0, "mL"), obs("9780-8", concentration, "10*6/mL")]
        if let motility { list += [obs("6800-7", motility, "%"), obs("14194-5", motility / 2, "%"), obs("10622-9", 4, "%")] }
        return list
    }

    static func value(_ id: String, _ person: String, _ code: Coding, _ value: ObservationValue, _ date: String, site: String? = nil) -> Observation {
        Observation(id: Identifier(id), participantID: Identifier(person), code: code, value: value,
                    effective: day(date).startOfDayUTC, bodySite: site)
    }

    static func enrolment(_ person: String, treated: Bool) throws -> Enrolment {
        var e = Enrolment(id: Identifier("\(person)-e"), participantID: Identifier(person), programID: "small", siteID: "site")
        let actor = Actor(userID: "test")
        func go(_ s: EnrolmentStatus, _ d: String) throws { try e.transition(to: s, by: actor, at: day(d).startOfDayUTC, reason: "test") }
        try go(.screening, "2024-12-01")
        guard treated else { try go(.screenFailed, "2024-12-05"); return e }
        for s in [EnrolmentStatus.eligible, .consented, .enrolled] { try go(s, "2024-12-15") }
        try go(.onTreatment, "2025-01-01")
        return e
    }

    static func person(_ id: String, born: String) -> Participant {
        Participant(id: Identifier(id), siteID: "site", mrn: "MRN-\(id)", sex: .male, birthDate: day(born))
    }

    static func make(definition: ProtocolDefinition) throws -> ProgramDataset {
        let histology = Coding(.restora, "testicular-histology"), fsh = Coding(.loinc, "15067-2"), volume = Coding(.restora, "testicular-volume")
        var a = ParticipantRecord(participant: person("a", born: "1990-03-01"))
        a.observations = semen("a1", "a", "2024-12-01", concentration: 0, motility: nil, pellet: .noSperm)
            + semen("a2", "a", "2024-12-10", concentration: 0, motility: nil, pellet: .noSperm)
            + semen("a3", "a", "2025-01-31", concentration: 1.2, motility: 30, pellet: nil)
            + semen("a4", "a", "2025-03-02", concentration: 2.0, motility: 35, pellet: nil)
            + [value("a-h", "a", histology, .coded(Coding(.restora, "maturation-arrest")), "2023-05-01"),
               value("a-f", "a", fsh, .quantity(Quantity(6.5, "[IU]/L")), "2024-12-01"),
               value("a-vl", "a", volume, .quantity(Quantity(16, "mL")), "2024-12-01", site: "left"),
               value("a-vr", "a", volume, .quantity(Quantity(14, "mL")), "2024-12-01", site: "right")]
        a.adverseEvents = [AdverseEvent(id: "a-ae", participantID: "a", term: "Dry skin", grade: 1, relatedness: .definite, onset: day("2025-01-15"))]
        var b = ParticipantRecord(participant: person("b", born: "1985-07-20"))
        b.observations = semen("b1", "b", "2024-12-01", concentration: 0, motility: nil, pellet: .nonMotileSperm)
            + semen("b2", "b", "2025-01-31", concentration: 0, motility: nil, pellet: .noSperm)
            + semen("b3", "b", "2025-03-02", concentration: 0, motility: nil, pellet: .noSperm)
            + [value("b-h", "b", histology, .coded(Coding(.restora, "sertoli-cell-only")), "2023-02-01"),
               value("b-f", "b", fsh, .quantity(Quantity(22.0, "[IU]/L")), "2024-12-01"),
               value("b-vl", "b", volume, .quantity(Quantity(8, "mL")), "2024-12-01", site: "left")]
        b.adverseEvents = [
            AdverseEvent(id: "b-ae1", participantID: "b", term: "Dry skin", grade: 2, relatedness: .definite, onset: day("2025-01-20")),
            AdverseEvent(id: "b-ae2", participantID: "b", term: "Irritability", grade: 1, relatedness: .possible, onset: day("2025-02-01")),
        ]
        let c = ParticipantRecord(participant: person("c", born: "1979-11-11"))
        return ProgramDataset(
            definition: definition, programName: "Small test program", asOf: day("2025-04-01"), synthetic: false,
            participants: [
                ProgramParticipantData(record: a, enrolment: try enrolment("a", treated: true)),
                ProgramParticipantData(record: b, enrolment: try enrolment("b", treated: true)),
                ProgramParticipantData(record: c, enrolment: try enrolment("c", treated: false)),
            ])
    }
}
