import Foundation
import RestoraDomain
import RestoraReports
import Testing
@testable import RestoraExport

/// The SDTM rows of one hand-built participant of the isotretinoin program: dates, --DY (no day 0), --SEQ,
/// VISITNUM, semen and hormone values, AE seriousness, and the year-only date rule.
@Suite struct SDTMMappingTests {
    static func day(_ text: String) -> CalendarDate { CalendarDate(text)! }
    static func at(_ text: String, hour: Int = 9) -> Date { day(text).startOfDayUTC.addingTimeInterval(Double(hour) * 3600) }

    static func definition() throws -> ProtocolDefinition {
        try ExportDemo.catalog().protocols.first { $0.id == "isotretinoin-noa" }.map { $0 }!
    }

    static func context(_ definition: ProtocolDefinition) -> ExportContext {
        let program = Program(id: "prog-iso", protocolID: definition.id, protocolVersion: definition.version,
                              name: "Isotretinoin NOA", siteIDs: ["site-a"])
        return ExportContext(program: program, definition: definition, studyID: "ISOTRETINOIN-NOA",
                             createdAt: Date(timeIntervalSince1970: 1_764_900_000), sourceSystemVersion: "test",
                             deidentified: false, synthetic: true)
    }

    /// A man treated from 2025-01-10: screening visit on 2024-12-20 (day -21), month-1 visit on 2025-02-09 (day 31).
    static func participant() throws -> ProgramParticipantData {
        let person = Participant(
            id: "p-1", siteID: "site-a", mrn: "MRN-1", givenName: "Given", familyName: "Family", sex: .male,
            birthDate: day("1990-05-10"),
            diagnoses: [Diagnosis(code: ClinicalCodes.organicAzoospermia, onset: day("2024-06-01"))],
            history: [HistoryItem(kind: .procedure, code: ClinicalCodes.spermRetrieval, description: "micro-TESE at the clinic",
                                  date: day("2023-03-01"), outcome: "unsuccessful")])
        var enrolment = Enrolment(id: "e-1", participantID: "p-1", programID: "prog-iso", siteID: "site-a", armID: "isotretinoin")
        let actor = Actor(userID: "investigator")
        for (status, date) in [(EnrolmentStatus.screening, "2024-12-01"), (.eligible, "2025-01-03"), (.consented, "2025-01-05"),
                               (.enrolled, "2025-01-06"), (.onTreatment, "2025-01-10"), (.followUp, "2025-07-11"),
                               (.completed, "2025-08-10")] {
            try enrolment.transition(to: status, by: actor, at: at(date), reason: "per protocol")
        }
        let screening = Visit(id: "v-scr", enrolmentID: "e-1", visitKey: "screening", plannedDay: -28, windowBefore: 14,
                              windowAfter: 14, actualDate: day("2024-12-20"), status: .completed)
        let month1 = Visit(id: "v-m1", enrolmentID: "e-1", visitKey: "month-1", plannedDay: 30, windowBefore: 7,
                           windowAfter: 7, actualDate: day("2025-02-09"), status: .completed)
        let semenSpecimen = SpecimenDetails(type: "semen", centrifuged: true, centrifugationG: 3000, centrifugationMinutes: 15,
                                            pelletExamined: true, pelletFinding: .noSperm, abstinenceDays: 3)
        func obs(_ id: String, _ code: Coding, _ value: ObservationValue, _ date: String, visit: Identifier<Visit>?,
                 panel: String? = nil, specimen: SpecimenDetails? = nil, uln: Double? = nil) -> Observation {
            Observation(id: Identifier(id), participantID: "p-1", enrolmentID: "e-1", visitID: visit, panelID: panel, code: code,
                        value: value, effective: at(date, hour: 8), specimen: specimen, upperLimitOfNormal: uln)
        }
        let observations = [
            obs("o1", ClinicalCodes.semenVolume, .quantity(Quantity(2.5, "mL")), "2024-12-20", visit: "v-scr", panel: "semen-a", specimen: semenSpecimen),
            obs("o2", ClinicalCodes.spermConcentration, .quantity(Quantity(0, "10*6/mL")), "2024-12-20", visit: "v-scr", panel: "semen-a", specimen: semenSpecimen),
            obs("o3", ClinicalCodes.semenClassification, .coded(Coding(.restora, "azoospermia", display: "azoospermia")), "2024-12-20",
                visit: "v-scr", panel: "semen-a", specimen: semenSpecimen),
            obs("o4", ClinicalCodes.fsh, .quantity(Quantity(18.5, "[IU]/L")), "2024-12-20", visit: "v-scr", panel: "hormones-a"),
            obs("o5", ClinicalCodes.triglyceride, .quantity(Quantity(620, "mg/dL")), "2025-02-09", visit: "v-m1", panel: "lipids-b"),
            obs("o6", ClinicalCodes.phq9, .quantity(Quantity(4, "{score}")), "2025-02-09", visit: "v-m1"),
        ]
        let course = MedicationCourse(
            id: "c-1", participantID: "p-1", enrolmentID: "e-1", drug: ClinicalCodes.isotretinoin, dose: Quantity(20, "mg"),
            route: "oral", timesPerDay: 2, start: day("2025-01-10"), stop: day("2025-07-10"), status: .completed,
            dispensings: [Dispensing(date: day("2025-01-10"), unitsDispensed: 60, daysCovered: 30, unitsReturned: 2, lot: "LOT-1"),
                          Dispensing(date: day("2025-07-01"), unitsDispensed: 60, daysCovered: 30)])
        let serious = AdverseEvent(
            id: "ae-2", participantID: "p-1", enrolmentID: "e-1", term: "Hypertriglyceridemia", grade: 3,
            seriousness: [.hospitalization, .otherImportant], expected: true, relatedness: .probable,
            onset: day("2025-02-09"), resolution: day("2025-03-01"), outcome: .recovered, actionTaken: .drugInterrupted,
            meddraCode: "10020869", systemOrganClass: "Metabolism and nutrition disorders")
        let mild = AdverseEvent(
            id: "ae-1", participantID: "p-1", enrolmentID: "e-1", term: "Dry skin", grade: 1, expected: true,
            relatedness: .definite, onset: day("2025-01-20"), outcome: .notRecovered,
            meddraCode: "10013786", systemOrganClass: "Skin and subcutaneous tissue disorders")
        let record = ParticipantRecord(
            participant: person, observations: observations,
            medications: [ConcomitantMedication(drug: Coding(.rxnorm, "161", display: "acetaminophen"), drugClass: "analgesic",
                                                dose: "500 mg as needed", start: day("2025-01-08"))],
            medicationCourses: [course], adverseEvents: [serious, mild])
        return ProgramParticipantData(record: record, enrolment: enrolment, visits: [screening, month1])
    }

    /// The rows of `dataset` as name → value dictionaries.
    static func rows(_ dataset: String, _ participant: ExportParticipant) throws -> [[String: ExportValue]] {
        let definition = try definition()
        let all = try SDTMMapping.rows([participant], context: context(definition))
        let spec = try #require(SDTMMapping.spec(named: dataset))
        return (all[dataset] ?? []).map { Dictionary(uniqueKeysWithValues: zip(spec.variables.map(\.name), $0)) }
    }

    static func identified() throws -> ExportParticipant { ExportParticipant.identified(try participant()) }

    @Test func demographicsHaveReferenceDatesArmAndAge() throws {
        let dm = try Self.rows("DM", Self.identified())
        #expect(dm.count == 1)
        let row = try #require(dm.first)
        #expect(row["USUBJID"] == .text("ISOTRETINOIN-NOA-p-1"))
        #expect(row["SUBJID"] == .text("p-1"))
        #expect(row["RFSTDTC"] == .text("2025-01-10"))
        #expect(row["RFENDTC"] == .text("2025-07-11"))
        #expect(row["RFICDTC"] == .text("2025-01-05"))
        #expect(row["RFPENDTC"] == .text("2025-08-10"))
        #expect(row["ARMCD"] == .text("ISOTRETINOIN") && row["ACTARMCD"] == .text("ISOTRETINOIN"))
        #expect(row["ARMNRS"] == .missing)
        // Age on the enrolment's first transition (2024-12-01): 34.
        #expect(row["AGE"] == .number(34) && row["AGEU"] == .text("YEARS"))
        #expect(row["SEX"] == .text("M"))
        #expect(row["SITEID"] == .text("site-a"))
    }

    @Test func ninetyOrOlderIsNoNumberButASupplementalQualifier() throws {
        var p = try Self.identified()
        p.ageYears = nil
        p.ageText = "90 or older"
        let dm = try #require(try Self.rows("DM", p).first)
        #expect(dm["AGE"] == .missing)
        let supp = try Self.rows("SUPPDM", p)
        #expect(supp.count == 1)
        #expect(supp.first?["QNAM"] == .text("AGETXT") && supp.first?["QVAL"] == .text("90 or older"))
    }

    @Test func findingsHaveVisitNumbersStudyDaysWithoutDayZeroAndSequence() throws {
        let lb = try Self.rows("LB", Self.identified())
        // By time, then code: FSH (15067-2), volume (3160-9), concentration (9780-8), then month 1's triglyceride;
        // the classification goes to SUPPLB and PHQ-9 is not LB.
        #expect(lb.map { $0["LBTESTCD"] } == [.text("FSH"), .text("VOLUME"), .text("SPERM"), .text("TRIG")])
        #expect(lb.map { $0["LBSEQ"] } == [.number(1), .number(2), .number(3), .number(4)])
        let fsh = lb[0], volume = lb[1], concentration = lb[2], trig = lb[3]
        #expect(volume["LBSPEC"] == .text("SEMEN") && volume["LBCAT"] == .text("SEMEN ANALYSIS"))
        #expect(volume["LBORRES"] == .text("2.5") && volume["LBORRESU"] == .text("mL") && volume["LBSTRESN"] == .number(2.5))
        // Screening is the first visit of the schedule; 2024-12-20 is 21 days before day 1 (2025-01-10): -21.
        #expect(volume["VISITNUM"] == .number(1) && volume["VISIT"] == .text("Screening"))
        #expect(volume["LBDTC"] == .text("2024-12-20T08:00:00"))
        #expect(volume["LBDY"] == .number(-21))
        #expect(volume["EPOCH"] == .text("SCREENING"))
        #expect(concentration["LBORRESU"] == .text("10^6/mL") && concentration["LBORRES"] == .text("0"))
        #expect(fsh["LBSPEC"] == .text("SERUM") && fsh["LBORRESU"] == .text("IU/L") && fsh["LBLOINC"] == .text("15067-2"))
        // Month 1 is the third visit; 2025-02-09 is day 31 (30 days after day 1).
        #expect(trig["VISITNUM"] == .number(3) && trig["LBDY"] == .number(31) && trig["EPOCH"] == .text("TREATMENT"))
        // 620 mg/dL triglycerides: CTCAE v5.0 grade 3 (> 500–1000 mg/dL, REFERENCE.md E1).
        #expect(trig["LBTOXGR"] == .text("3"))
        #expect(fsh["LBTOXGR"] == .missing)
        // The semen panel's records share a group; the group carries the WHO class and the pellet details.
        #expect(volume["LBGRPID"] == concentration["LBGRPID"] && volume["LBGRPID"] != .missing && fsh["LBGRPID"] != volume["LBGRPID"])
        let supp = try Self.rows("SUPPLB", Self.identified())
        let byName = Dictionary(supp.map { ($0["QNAM"]!, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byName[.text("SEMCLASS")]?["QVAL"] == .text("AZOOSPERMIA"))
        #expect(byName[.text("SEMCLASS")]?["IDVAR"] == .text("LBGRPID"))
        #expect(byName[.text("SEMCLASS")]?["IDVARVAL"] == volume["LBGRPID"])
        #expect(byName[.text("PELLETEX")]?["QVAL"] == .text("Y"))
        #expect(byName[.text("PELLETFN")]?["QVAL"] == .text("NO SPERM"))
    }

    @Test func theDayBeforeTheReferenceIsMinusOneAndTheReferenceIsOne() throws {
        let p = try Self.identified()
        let s = SDTMStudy(context: Self.context(try Self.definition())).subject(p)
        #expect(s.day(Self.day("2025-01-09")) == .number(-1))
        #expect(s.day(Self.day("2025-01-10")) == .number(1))
        #expect(s.day(Self.day("2025-01-11")) == .number(2))
    }

    @Test func adverseEventsCarrySeriousnessCodingAndGrades() throws {
        let ae = try Self.rows("AE", Self.identified())
        #expect(ae.count == 2)
        // Ordered by onset: dry skin first.
        #expect(ae.map { $0["AETERM"] } == [.text("Dry skin"), .text("Hypertriglyceridemia")])
        #expect(ae.map { $0["AESEQ"] } == [.number(1), .number(2)])
        let dry = ae[0], tg = ae[1]
        #expect(dry["AESER"] == .text("N") && dry["AESHOSP"] == .text("N") && dry["AESEV"] == .text("MILD"))
        #expect(dry["AEOUT"] == .text("NOT RECOVERED/NOT RESOLVED") && dry["AEENDTC"] == .missing && dry["AESTDY"] == .number(11))
        #expect(tg["AESER"] == .text("Y") && tg["AESHOSP"] == .text("Y") && tg["AESMIE"] == .text("Y"))
        #expect(tg["AESDTH"] == .text("N") && tg["AESLIFE"] == .text("N") && tg["AESDISAB"] == .text("N") && tg["AESCONG"] == .text("N"))
        #expect(tg["AETOXGR"] == .text("3") && tg["AESEV"] == .text("SEVERE"))
        #expect(tg["AELLTCD"] == .number(10020869) && tg["AEDECOD"] == .text("Hypertriglyceridemia"))
        #expect(tg["AESOC"] == .text("Metabolism and nutrition disorders"))
        #expect(tg["AEREL"] == .text("PROBABLY RELATED") && tg["AEACN"] == .text("DRUG INTERRUPTED"))
        #expect(tg["AEOUT"] == .text("RECOVERED/RESOLVED"))
        #expect(tg["AESTDTC"] == .text("2025-02-09") && tg["AEENDTC"] == .text("2025-03-01") && tg["AEENDY"] == .number(51))
        let supp = try Self.rows("SUPPAE", Self.identified())
        #expect(supp.filter { $0["QNAM"] == .text("AEEXPECT") }.map { $0["IDVARVAL"] } == [.text("1"), .text("2")])
    }

    @Test func dispositionExposureAndHistory() throws {
        let ds = try Self.rows("DS", Self.identified())
        #expect(ds.map { $0["DSDECOD"] } == [.text("INFORMED CONSENT OBTAINED"), .text("ENROLLED"), .text("COMPLETED")])
        #expect(ds.map { $0["DSSTDY"] } == [.number(-5), .number(-4), .number(213)])
        #expect(ds[2]["DSCAT"] == .text("DISPOSITION EVENT") && ds[2]["EPOCH"] == .text("FOLLOW-UP"))
        let ex = try Self.rows("EX", Self.identified())
        #expect(ex.count == 2)
        #expect(ex[0]["EXTRT"] == .text("ISOTRETINOIN") && ex[0]["EXDOSE"] == .number(20) && ex[0]["EXDOSFRQ"] == .text("BID"))
        #expect(ex[0]["EXROUTE"] == .text("ORAL") && ex[0]["EXSTDTC"] == .text("2025-01-10") && ex[0]["EXENDTC"] == .text("2025-02-08"))
        #expect(ex[0]["EXSTDY"] == .number(1) && ex[0]["EXENDY"] == .number(30) && ex[0]["EXLOT"] == .text("LOT-1"))
        // The second supply ends with the course on 2025-07-10, not 30 days later.
        #expect(ex[1]["EXENDTC"] == .text("2025-07-10"))
        let mh = try Self.rows("MH", Self.identified())
        #expect(mh.map { $0["MHCAT"] } == [.text("DIAGNOSIS"), .text("PROCEDURE")])
        #expect(mh[1]["MHTERM"] == .text("micro-TESE at the clinic"))
        let cm = try Self.rows("CM", Self.identified())
        #expect(cm.first?["CMTRT"] == .text("ACETAMINOPHEN") && cm.first?["CMSTDY"] == .number(-2))
    }

    @Test func deidentifiedExportsDropFreeText() throws {
        var p = try Self.identified()
        p.deidentified = true
        let mh = try Self.rows("MH", p)
        #expect(mh[1]["MHTERM"] == .text("Testicular sperm retrieval (micro-TESE)"))
        #expect(try Self.rows("SUPPMH", p).allSatisfy { $0["QNAM"] != .text("MHOUT") })
        #expect(try Self.rows("CM", p).first?["CMDOSTXT"] == .missing)
    }

    @Test func yearPrecisionGivesYearsAndNoStudyDays() throws {
        var p = try Self.identified()
        p.datePrecision = .year
        let dm = try #require(try Self.rows("DM", p).first)
        #expect(dm["RFSTDTC"] == .text("2025"))
        let lb = try Self.rows("LB", p)
        #expect(lb.allSatisfy { $0["LBDY"] == .missing && $0["EPOCH"] == .missing })
        #expect(lb.first?["LBDTC"] == .text("2024"))
        let ae = try Self.rows("AE", p)
        #expect(ae.allSatisfy { $0["AESTDY"] == .missing && $0["AEENDY"] == .missing })
        #expect(try Self.rows("EX", p).allSatisfy { $0["EXSTDY"] == .missing })
    }

    @Test func aScreenFailureHasNoArmAndAReason() throws {
        var data = try Self.participant()
        var enrolment = Enrolment(id: "e-2", participantID: "p-1", programID: "prog-iso", siteID: "site-a")
        try enrolment.transition(to: .screening, by: Actor(userID: "x"), at: Self.at("2025-01-02"), reason: "start")
        try enrolment.transition(to: .screenFailed, by: Actor(userID: "x"), at: Self.at("2025-01-04"), reason: "triglycerides")
        data.enrolment = enrolment
        let dm = try #require(try Self.rows("DM", ExportParticipant.identified(data)).first)
        #expect(dm["ARMCD"] == .missing && dm["ARMNRS"] == .text("SCREEN FAILURE") && dm["RFSTDTC"] == .missing)
        let ds = try Self.rows("DS", ExportParticipant.identified(data))
        #expect(ds.map { $0["DSDECOD"] } == [.text("SCREEN FAILURE")])
        // No reference start: no study day.
        #expect(ds.first?["DSSTDY"] == .missing)
    }

    @Test func aFreeTextOverTwoHundredBytesIsSplitIntoSupplementalQualifiers() throws {
        var data = try Self.participant()
        let sentence = "The participant moved away from the catchment area and could no longer attend the monthly visits. "
        let reason = String(repeating: sentence, count: 5).trimmingCharacters(in: .whitespaces)
        var enrolment = Enrolment(id: "e-3", participantID: "p-1", programID: "prog-iso", siteID: "site-a")
        try enrolment.transition(to: .screening, by: Actor(userID: "x"), at: Self.at("2025-01-02"), reason: "start")
        try enrolment.transition(to: .withdrawn, by: Actor(userID: "x"), at: Self.at("2025-01-04"), reason: reason)
        data.enrolment = enrolment
        let p = ExportParticipant.identified(data)
        let ds = try Self.rows("DS", p)
        guard case let .text(term)? = ds.first?["DSTERM"] else { Issue.record("no DSTERM"); return }
        #expect(term.utf8.count <= 200 && term.hasSuffix(" "), "cut between words: \(term.utf8.count) bytes")
        let supp = try Self.rows("SUPPDS", p)
        #expect(supp.map { $0["QNAM"] } == [.text("DSTERM1"), .text("DSTERM2")])
        #expect(supp.allSatisfy { $0["IDVAR"] == .text("DSSEQ") && $0["IDVARVAL"] == .text("1") })
        let rest = supp.compactMap { row -> String? in if case let .text(t)? = row["QVAL"] { t } else { nil } }
        #expect(([term] + rest).joined() == reason)
        #expect(rest.allSatisfy { $0.utf8.count <= 200 })
    }

    @Test func aValueTheXPTFileCannotHoldStopsTheExportNamingDatasetVariableAndRow() throws {
        var data = try Self.participant()
        data.record.medications[0].dose = String(repeating: "1 tablet ", count: 30)
        let folder = try ExportDemo.temporaryFolder("sdtm-refused")
        defer { try? FileManager.default.removeItem(at: folder) }
        var writer = try SDTMPackageWriter(context: Self.context(try Self.definition()), directory: folder)
        do {
            try writer.write([ExportParticipant.identified(data)])
            Issue.record("a 270-byte CMDOSTXT was accepted")
        } catch let error as ExportError {
            #expect(error.message.contains("CM") && error.message.contains("CMDOSTXT") && error.message.contains("row"),
                    "\(error.message)")
        }
    }
}
