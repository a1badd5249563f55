import Foundation
import Testing
@testable import RestoraDomain

/// The CTCAE v5.0 term list (docs/safety.md "Term list"): the shipped NCI sheet (837 terms), the loader, coding an
/// event and refusing what CTCAE does not allow, and expectedness from the protocols' reference safety information.
@Suite struct CTCAETermListTests {
    let list = CTCAETermList.shipped

    func event(term: String = "", code: String? = nil, grade: Int = 1, specify: String? = nil, soc: String? = nil) -> AdverseEvent {
        AdverseEvent(id: Identifier("ae-1"), participantID: Identifier("p-1"), term: term, grade: grade, relatedness: .possible,
                     onset: CalendarDate("2026-03-01")!, meddraCode: code, systemOrganClass: soc, otherSpecify: specify)
    }

    func field(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch let DomainError.invalidValue(field, _) { return field } catch { return "other: \(error)" }
    }

    @Test func shippedListIsTheWholeNCISheetWithCodesCriteriaAndSource() throws {
        // The NCI CTCAE v5.0 sheet: 837 terms in 26 system organ classes, one MedDRA code each (docs/safety.md).
        #expect(list.entries.count == 837)
        #expect(list.systemOrganClasses.count == 26)
        #expect(Set(list.entries.map(\.meddraCode)).count == 837, "MedDRA codes are unique")
        #expect(Set(list.entries.map { $0.term.lowercased() }).count == 837, "term names are unique")
        #expect(list.origin == CTCAETermList.shippedOrigin)
        for entry in list.entries {
            #expect(entry.meddraCode.count == 8 && entry.meddraCode.allSatisfy(\.isNumber), "\(entry.term)")
            #expect(!entry.systemOrganClass.isEmpty && !entry.grades.isEmpty && entry.source == "NCI CTCAE v5.0", "\(entry.term)")
            #expect(entry.gradeCriteria.map(\.grade) == entry.grades, "\(entry.term): a criteria text for each defined grade")
            #expect(!entry.gradeCriteria.contains { $0.criteria.contains("?") }, "\(entry.term): no character lost in the export")
        }
        let needed = ["Dry skin", "Cheilitis", "Hypertriglyceridemia", "Cholesterol high", "Alanine aminotransferase increased",
                      "Aspartate aminotransferase increased", "Depression", "Irritability", "Headache", "Myalgia", "Epistaxis",
                      "Dry eye", "Rash maculo-papular", "Pain", "Hematoma", "Bruising", "Scrotal pain", "Testicular pain",
                      "Wound infection", "Fever", "Injection site reaction", "Bone pain", "Wrist fracture"]
        for name in needed { #expect(list.entry(named: name) != nil, "\(name)") }
        #expect(list.entry(named: "dry SKIN ")?.meddraCode == "10013786")
        #expect(list.entry(named: "Dry skn") == nil)
        #expect(list.entry(code: "10020870")?.term == "Hypertriglyceridemia")
        #expect(list.entry(code: "10050528")?.term == "Ejection fraction decreased", "a term the old subset lacked")
        #expect(list.entry(named: "Febrile neutropenia")?.systemOrganClass == "Blood and lymphatic system disorders")
        // Every system organ class has its "Other, specify" term.
        for soc in list.systemOrganClasses { #expect(list.otherSpecify(in: soc) != nil, "\(soc)") }
    }

    /// The criteria texts as REFERENCE.md E1 quotes them (Dry skin C, Depression; lab rows from admiral's NCI table).
    @Test func gradeCriteriaAreTheNCITexts() throws {
        let dry = try #require(list.entry(named: "Dry skin"))
        #expect(dry.grades == [1, 2, 3])
        #expect(dry.criteria(forGrade: 1) == "Covering <10% BSA and no associated erythema or pruritus")
        #expect(dry.criteria(forGrade: 2) == "Covering 10 - 30% BSA and associated with erythema or pruritus; limiting instrumental ADL")
        #expect(dry.criteria(forGrade: 3) == "Covering >30% BSA and associated with pruritus; limiting self care ADL")
        #expect(dry.criteria(forGrade: 4) == nil)
        let depression = try #require(list.entry(named: "Depression"))
        #expect(depression.grades == [1, 2, 3, 4, 5])
        #expect(depression.criteria(forGrade: 3) == "Severe depressive symptoms; limiting self care ADL; hospitalization not indicated")
        #expect(depression.criteria(forGrade: 5) == "Death")
        let tg = try #require(list.entry(named: "Hypertriglyceridemia"))
        #expect(tg.criteria(forGrade: 3) == ">500 mg/dL - 1000 mg/dL; >5.7 mmol/L - 11.4 mmol/L")
        #expect(list.entry(named: "Cholesterol high")?.grades == [1, 2, 3, 4])
        // The four cells that export lost a character in were restored from a second copy of the sheet.
        #expect(list.entry(named: "Proteinuria")?.criteria(forGrade: 1) == "1+ proteinuria; urinary protein \u{2265}ULN - <1.0 g/24 hrs")
        // Line breaks inside a criteria cell survive.
        #expect(list.entry(named: "Hearing impaired")?.criteria(forGrade: 1)?.contains("\nPediatric") == true)
    }

    /// Grades the hand-typed subset had wrong and the NCI sheet corrects (its "CTCAE v5.0 Change" column says why).
    @Test func gradesFollowTheSheetNotTheOldSubset() throws {
        #expect(field { _ = try list.coded(event(term: "Anxiety", grade: 5)) } == "grade", "v5.0 deleted Anxiety grade 5")
        #expect(field { _ = try list.coded(event(term: "Testicular disorder", grade: 5)) } == "grade")
        #expect(field { _ = try list.coded(event(term: "Eye disorders - Other, specify", grade: 5, specify: "x")) } == "grade")
        #expect(field { _ = try list.coded(event(term: "Wound infection", grade: 1)) } == nil, "v5.0 added grade 1")
        #expect(field { _ = try list.coded(event(term: "Scrotal infection", grade: 1)) } == nil)
        #expect(field { _ = try list.coded(event(term: "Blurred vision", grade: 4)) } == nil)
        #expect(field { _ = try list.coded(event(term: "Wound complication", grade: 5)) } == nil)
    }

    @Test func codingFillsCodeAndSystemOrganClass() throws {
        let coded = try list.coded(event(term: "dry skin", grade: 2))
        #expect(coded.term == "Dry skin" && coded.meddraCode == "10013786")
        #expect(coded.systemOrganClass == "Skin and subcutaneous tissue disorders")
        #expect(try list.coded(event(code: "10008417", grade: 1)).term == "Cheilitis")
    }

    @Test func refusalsNameTheField() {
        #expect(field { _ = try list.coded(event(term: "Dry skn")) } == "term")
        #expect(field { _ = try list.coded(event(term: "")) } == "term")
        #expect(field { _ = try list.coded(event(code: "99999999")) } == "meddraCode")
        // Dry skin's CTCAE row has no grade 4 or 5; syncope only grade 3.
        #expect(field { _ = try list.coded(event(term: "Dry skin", grade: 4)) } == "grade")
        #expect(field { _ = try list.coded(event(term: "Syncope", grade: 2)) } == "grade")
        #expect(field { _ = try list.coded(event(term: "Bruising", grade: 3)) } == "grade")
        // "Other, specify" only within a system organ class, and only there free text.
        #expect(field { _ = try list.coded(event(term: "Psychiatric disorders - Other, specify")) } == "otherSpecify")
        #expect(field { _ = try list.coded(event(term: "Dry skin", specify: "flaky elbows")) } == "otherSpecify")
        #expect(field { _ = try list.coded(event(term: "Dry skin", soc: "Psychiatric disorders")) } == "systemOrganClass")
        #expect(field { _ = try list.coded(event(term: "Psychiatric disorders - Other, specify", specify: "vivid dreams")) } == nil)
    }

    @Test func loadsTheNCISheetExportWithQuotedCriteria() throws {
        let csv = """
            MedDRA Code,MedDRA SOC,CTCAE Term,Grade 1,Grade 2,Grade 3,Grade 4,Grade 5,Definition,Navigational Note
            10013786,Skin and subcutaneous tissue disorders,Dry skin,"Covering <10% BSA and no associated erythema or pruritus","Covering 10 - 30% BSA, with erythema","Covering >30% BSA\r\nand associated with pruritus",-,-,"A disorder characterized by flaky, dull skin.",
            10012378,Psychiatric disorders,Depression,Mild depressive symptoms,"Moderate depressive symptoms; limiting instrumental ADL","Severe depressive symptoms; ""limiting"" self care ADL","Life-threatening consequences, threats of harm to self or others; hospitalization indicated",Death,A disorder.,
            """
        let sheet = try CTCAETermList(csv: csv, origin: "nci.csv")
        #expect(sheet.entries.map(\.term) == ["Dry skin", "Depression"])
        #expect(sheet.entry(named: "Dry skin")?.grades == [1, 2, 3])
        #expect(sheet.entry(named: "Depression")?.grades == [1, 2, 3, 4, 5])
        #expect(sheet.entry(named: "Depression")?.source == "nci.csv")
        #expect(sheet.entry(named: "Dry skin")?.criteria(forGrade: 3) == "Covering >30% BSA\nand associated with pruritus")
        #expect(sheet.entry(named: "Depression")?.criteria(forGrade: 3) == #"Severe depressive symptoms; "limiting" self care ADL"#)
        #expect(throws: DomainError.self) { try CTCAETermList(csv: "Term,Grade\nDry skin,1\n", origin: "bad.csv") }
        // Some exports of the sheet carry a stray character after "Grade 1"; a letter or digit there is another column.
        let quirky = try CTCAETermList(csv: "MedDRA Code,MedDRA SOC,CTCAE Term,Grade 1 ??,Grade 2 ??,Grade 3 \u{2013},Grade 4,Grade 5\n"
            + "10013786,Skin and subcutaneous tissue disorders,Dry skin,a,b,c, -, -\n", origin: "quirky.csv")
        #expect(quirky.entry(named: "Dry skin")?.grades == [1, 2, 3])
        #expect(throws: DomainError.invalidValue(field: "ctcaeTerms", message: "the CTCAE term list has no \"Grade 1\" column")) {
            try CTCAETermList(csv: "MedDRA Code,MedDRA SOC,CTCAE Term,Grade 10,Grade 2,Grade 3,Grade 4,Grade 5\n1,S,T,a,b,c,d,e\n", origin: "x")
        }
    }

    @Test func expectednessComesFromTheProgramsReferenceSafetyInformation() throws {
        let isotretinoin = try ProtocolFixture.definition("isotretinoin-noa")
        let asc = try ProtocolFixture.definition("asc-azoospermia")
        let dry = try list.coded(event(term: "Dry skin", grade: 1))
        let judged = Expectedness.judge(dry, protocols: [isotretinoin])
        #expect(judged.expected)
        #expect(judged.basis?.contains("REFERENCE.md A1") == true)
        #expect(!Expectedness.judge(dry, protocols: [asc]).expected, "dry skin is not expected after a cell injection")
        let scrotal = try list.coded(event(term: "Scrotal pain", grade: 1))
        #expect(Expectedness.judge(scrotal, protocols: [asc]).expected)
        #expect(!Expectedness.judge(scrotal, protocols: [isotretinoin]).expected)
        let other = try list.coded(event(term: "Skin and subcutaneous tissue disorders - Other, specify", specify: "dry skin"))
        #expect(!Expectedness.judge(other, protocols: [isotretinoin]).expected, "free text is never judged expected")
        var uncoded = event(term: "Dry skn")
        uncoded.meddraCode = nil
        #expect(!Expectedness.judge(uncoded, protocols: [isotretinoin]).expected)
    }

    @Test func everyProtocolListsReferenceSafetyInformationWithSources() throws {
        for id in ["isotretinoin-noa", "asc-azoospermia", "msc-osteoporosis"] {
            let definition = try ProtocolFixture.definition(id)
            #expect(definition.referenceSafetyInformation.count >= 5, "\(id)")
            #expect(ReferenceSafetyItem.problems(definition.referenceSafetyInformation, terms: list).isEmpty, "\(id)")
        }
        let bad = [ReferenceSafetyItem(term: "Dry skn", source: ""), ReferenceSafetyItem(term: "Eye disorders - Other, specify", source: "x")]
        #expect(ReferenceSafetyItem.problems(bad, terms: list).count == 3)
    }

    /// A configured sheet that cannot be read is refused by name (the server does not start), never a crash
    /// and never a silent fall-back to the shipped sheet.
    @Test func unreadableConfiguredSheetIsRefusedByName() throws {
        #expect(throws: DomainError.invalidValue(
            field: "RESTORA_CTCAE_TERMS_CSV", message: "/nonexistent/ctcae.csv is not a readable CTCAE v5.0 sheet export (CSV)")) {
            try CTCAETermList.configured(environment: ["RESTORA_CTCAE_TERMS_CSV": "/nonexistent/ctcae.csv"])
        }
        #expect(try CTCAETermList.configured(environment: [:]).entries == CTCAETermList.shipped.entries)
        #expect(!CTCAETermList.shipped.entries.isEmpty)
    }

    /// The shipped sheet is parsed once per process; this bounds one parse (docs/safety.md gives the figure).
    @Test func shippedSheetParsesQuickly() throws {
        let clock = ContinuousClock()
        let elapsed = try clock.measure { _ = try CTCAETermList.shippedList() }
        print("ctcae-v5-terms.csv parse: \(elapsed)")
        #expect(elapsed < .seconds(2))
    }
}
