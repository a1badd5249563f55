import Foundation
import RestoraDomain
@testable import RestoraWeb
import Testing

/// The form models without HTTP: what they accept, what they refuse and how the refusal renders.
@Suite("Entry form models")
struct EntryFormModelTests {
    static let subject = EntrySubject(
        participant: Participant(id: "p-a", siteID: "site-a", mrn: "A-001", givenName: "Ana", familyName: "Lopez", sex: .male,
                                 birthDate: CalendarDate(year: 1980, month: 3, day: 1)!),
        enrolments: [.init(id: "enr-1", label: "Isotretinoin (active)")], now: WebHarness.now)

    static func form(_ values: [String: String]) -> FormData { FormData(values) }

    static let semen = ["effective": "2025-12-30", "volume": "2.5", "concentration": "12", "totalMotility": "45",
                        "progressiveMotility": "30", "normalForms": "4", "_nonce": "n-1"]

    @Test("a valid semen form gives one observation per value, one panel named after the nonce, units in UCUM")
    func semenValid() throws {
        let observations = try SemenFormModel.validate(Self.form(Self.semen), subject: Self.subject, ids: UUIDGenerator()).get()
        // Five values and the analysis's WHO classification (issue #14: what the eligibility criteria count).
        #expect(observations.count == 6)
        #expect(Set(observations.compactMap(\.panelID)) == ["semen-n-1"])
        #expect(observations.map { $0.value.quantity?.unit ?? "" } == ["mL", "10*6/mL", "%", "%", "%", ""])
        #expect(observations.last?.code == ClinicalCodes.semenClassification)
        var partial = Self.semen
        partial["normalForms"] = ""
        partial["enrolmentID"] = "enr-1"
        let four = try SemenFormModel.validate(Self.form(partial), subject: Self.subject, ids: UUIDGenerator()).get()
        #expect(four.filter { $0.value.quantity != nil }.count == 4)
        #expect(four.allSatisfy { $0.enrolmentID == "enr-1" })
    }

    @Test("the semen form refuses every impossible value at once, each next to its field")
    func semenRefusals() {
        var values = Self.semen
        values["totalMotility"] = "101"
        values["normalForms"] = "-1"
        values["concentration"] = "5000"
        values["enrolmentID"] = "someone-elses"
        values["effective"] = "2026-01-02"
        guard case let .failure(refusal) = SemenFormModel.validate(Self.form(values), subject: Self.subject, ids: UUIDGenerator()) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(refusal.state.errors["totalMotility"] == "Must be 0–100 %; got 101")
        #expect(refusal.state.errors["normalForms"] == "Must be 0–100 %; got -1")
        #expect(refusal.state.errors["concentration"] == "Must be 0–1000 × 10⁶/mL; got 5000")
        #expect(refusal.state.errors["enrolmentID"] == "Choose one of this participant's enrolments")
        #expect(refusal.state.errors["effective"]?.contains("in the future") == true)

        let empty = SemenFormModel.validate(Self.form(["effective": "2025-12-30"]), subject: Self.subject, ids: UUIDGenerator())
        #expect((try? empty.get()) == nil)
    }

    @Test("a refused field renders its message right after its input, the typed value kept and the unit in the label")
    func semenRendering() throws {
        var values = Self.semen
        values["totalMotility"] = "120"
        guard case let .failure(refusal) = SemenFormModel.validate(Self.form(values), subject: Self.subject, ids: UUIDGenerator()) else {
            Issue.record("expected a refusal")
            return
        }
        let html = Node.fragment(SemenFormModel.fields(subject: Self.subject, state: refusal.state)).render()
        #expect(html.contains(
            #"<div class="field has-error"><label for="totalMotility">Total motility (PR + NP)<span class="unit"> (%)</span></label>"#
            + #"<input id="totalMotility" name="totalMotility" type="text" inputmode="decimal" value="120" aria-describedby="totalMotility-error" aria-invalid="true">"#
            + #"<p id="totalMotility-error" class="field-error">Must be 0–100 %; got 120</p></div>"#))
        #expect(html.contains(#"<label for="volume">Semen volume<span class="unit"> (mL)</span></label>"#))
        #expect(html.contains(#"<label for="concentration">Sperm concentration<span class="unit"> (10⁶/mL)</span></label>"#))
        #expect(html.contains(#"value="2.5""#))
        #expect(html.contains(#"<option value="enr-1">Isotretinoin (active)</option>"#))
    }

    @Test("the lab form pairs each test with its units and renders only the chosen test's units")
    func labUnits() throws {
        let base = ["test": "triglycerides", "value": "5.2", "unit": "mmol/L", "effective": "2025-12-30"]
        let observation = try LabFormModel.validate(Self.form(base), subject: Self.subject, ids: UUIDGenerator()).get()
        #expect(observation.code.sameConcept(as: ClinicalCodes.triglyceride))
        #expect(observation.value.quantity == Quantity(5.2, "mmol/L"))

        var wrong = base
        wrong["unit"] = "U/L"
        guard case let .failure(refusal) = LabFormModel.validate(Self.form(wrong), subject: Self.subject, ids: UUIDGenerator()) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(refusal.state.errors["unit"] == "Triglycerides is entered in mg/dL or mmol/L, not U/L")
        let html = Node.fragment(LabFormModel.fields(subject: Self.subject, state: refusal.state)).render()
        #expect(html.contains(#"<option value="mg/dL">mg/dL</option><option value="mmol/L">mmol/L</option><option value="U/L" selected>U/L</option></select><p id="unit-error" class="field-error">"#))

        var absurd = base
        absurd["unit"] = "mg/dL"
        absurd["value"] = "90000"
        guard case let .failure(tooHigh) = LabFormModel.validate(Self.form(absurd), subject: Self.subject, ids: UUIDGenerator()) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(tooHigh.state.errors["value"] == "Must be 0–20000 mg/dL; got 90000")

        let fsh = try LabFormModel.validate(Self.form(["test": "fsh", "value": "9,5", "unit": "[IU]/L", "effective": "2025-12-30"]),
                                            subject: Self.subject, ids: UUIDGenerator()).get()
        #expect(fsh.value.quantity == Quantity(9.5, "[IU]/L"))
    }

    @Test("numbers: decimal comma accepted; nan, infinity, hex and words refused")
    func numbers() {
        #expect(FieldReader.parseNumber("12,5") == 12.5)
        #expect(FieldReader.parseNumber("1e3") == 1000)
        #expect(FieldReader.parseNumber("-2.7") == -2.7)
        for text in ["nan", "inf", "0x10", "twelve", "1,2,3", "", "."] { #expect(FieldReader.parseNumber(text) == nil) }
    }

    @Test("the adverse event model: a CTCAE term by MedDRA code, its grades only, seriousness criteria, relatedness from the list")
    func adverseEvent() throws {
        // Depression (10012378) has grades 1-5: grade 5 is death, so fatal.
        let base = ["meddraCode": "10012378", "grade": "5", "relatedness": "possible", "onset": "2025-12-20", "serious-death": "yes"]
        let event = try AdverseEventFormModel.validate(Self.form(base), subject: Self.subject, ids: UUIDGenerator()).get()
        #expect(event.outcome == .fatal)
        #expect(event.seriousness == [.death])
        #expect(event.term == "Depression" && event.systemOrganClass == "Psychiatric disorders")
        var bad = base
        bad["relatedness"] = "maybe"
        bad["grade"] = "6"
        guard case let .failure(refusal) = AdverseEventFormModel.validate(Self.form(bad), subject: Self.subject, ids: UUIDGenerator()) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(refusal.state.errors.keys.sorted() == ["grade", "relatedness"])
        let html = Node.fragment(AdverseEventFormModel.fields(subject: Self.subject, state: refusal.state, investigator: true)).render()
        #expect(html.contains(#"<option value="10012378" selected>"#))
        #expect(html.contains(#"<p id="grade-error" class="field-error">Choose a CTCAE grade</p>"#))
        // Dry skin (10013786) has no grade 4: refused next to the grade, and the grade list is narrowed to 1-3.
        var dry = base
        dry["meddraCode"] = "10013786"
        dry["grade"] = "4"
        dry["serious-death"] = nil
        guard case let .failure(notAllowed) = AdverseEventFormModel.validate(Self.form(dry), subject: Self.subject, ids: UUIDGenerator()) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(notAllowed.state.errors["grade"]?.contains("grades 1, 2, 3 for Dry skin") == true)
        let narrowed = Node.fragment(AdverseEventFormModel.fields(subject: Self.subject, state: notAllowed.state, investigator: false)).render()
        #expect(narrowed.contains(#"<option value="3">Grade 3</option>"#) && !narrowed.contains(#"<option value="4">"#))
        #expect(!narrowed.contains(#"name="relatedness""#), "only an investigator sees the causality field")
        // "Other, specify" needs the words; free text with a listed term is refused.
        var other = base
        other["meddraCode"] = "10037175"
        guard case let .failure(noWords) = AdverseEventFormModel.validate(Self.form(other), subject: Self.subject, ids: UUIDGenerator()) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(noWords.state.errors.keys.sorted() == ["otherSpecify"])
        other["otherSpecify"] = "vivid dreams"
        #expect(try AdverseEventFormModel.validate(Self.form(other), subject: Self.subject, ids: UUIDGenerator()).get().otherSpecify == "vivid dreams")
    }

    @Test("the edit model needs a reason and a version, and keeps the value's kind and units")
    func editModel() throws {
        let record = Versioned(
            value: Observation(id: "o-1", participantID: "p-a", code: ClinicalCodes.totalMotility, value: .quantity(Quantity(45, "%")),
                               effective: CalendarDate("2025-12-30")!.startOfDayUTC),
            version: 3, createdAt: WebHarness.now, updatedAt: WebHarness.now)
        let initial = EditObservationModel.initialState(record)
        #expect(initial.form.values == ["value": "45", "unit": "%", "effective": "2025-12-30", "version": "3"])
        var values = initial.form.values
        values["value"] = "40"
        guard case let .failure(refusal) = EditObservationModel.validate(FormData(values), record: record, today: Self.subject.today) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(refusal.state.errors["reason"] == EditObservationModel.reasonRequired)
        let html = Node.fragment(EditObservationModel.fields(record: record, state: refusal.state)).render()
        #expect(html.contains(#"<input type="hidden" name="version" value="3">"#))
        #expect(html.contains(#"<p id="reason-error" class="field-error">A reason is required to change recorded data</p>"#))
        values["reason"] = "typo"
        let change = try EditObservationModel.validate(FormData(values), record: record, today: Self.subject.today).get()
        #expect(change.expectedVersion == 3)
        #expect(change.observation.value == .quantity(Quantity(40, "%")))
        #expect(change.observation.effective == record.value.effective)
        values["value"] = "140"
        #expect((try? EditObservationModel.validate(FormData(values), record: record, today: Self.subject.today).get()) == nil)
    }
}
