import Foundation
@testable import RestoraDomain
import Testing

/// The public pre-screening of the isotretinoin program (docs/prescreening.md): each answer sorts into
/// fits / rules out / needs a visit as the protocol's criteria say, "not sure" always goes to the visit,
/// and unreadable answers come back as field errors.
@Suite("Pre-screening questionnaire")
struct PrescreenEvaluationTests {
    let questionnaire = PrescreenQuestionnaire.isotretinoinNOA()

    /// Answers of a man who fits on every question.
    static let fitting: [String: String] = [
        "age": "35", "male": "yes", "diagnosis": "yes", "two-analyses": "yes", "blockage": "no", "pituitary": "no",
        "steroids": "no", "drugs": "no", "drinks": "1", "vitamin-a": "no", "recent-isotretinoin": "no",
        "phenytoin-tetracycline": "no", "mental-illness": "no", "low-mood": "no", "blood-fats": "no", "liver": "no",
        "bowel-bone": "no", "other-trial": "no", "trying": "yes",
    ]

    func evaluate(_ changes: [String: String]) throws -> PrescreenResult {
        try questionnaire.evaluate(form: Self.fitting.merging(changes) { _, new in new }).get()
    }

    func bucket(_ question: String, _ answer: String) throws -> PrescreenFinding.Bucket? {
        try evaluate([question: answer]).findings.first { $0.questionID == question }?.bucket
    }

    @Test("a man who fits on every answer: all in fits, verdict may fit")
    func allFit() throws {
        let result = try evaluate([:])
        #expect(result.verdict == .mayFit)
        #expect(result.findings.count == questionnaire.questions.count)
        #expect(result.findings(.rulesOut).isEmpty)
        #expect(result.findings(.needsVisit).isEmpty)
        #expect(result.findings.allSatisfy { !$0.sentence.isEmpty })
        #expect(result.answers == Self.fitting)
    }

    @Test("age: 21 and 60 fit, 20 and 61 rule out (REFERENCE.md A2, RA-4)",
          arguments: [("20", PrescreenFinding.Bucket.rulesOut), ("21", .fits), ("35", .fits), ("60", .fits), ("61", .rulesOut)])
    func ageBoundaries(age: String, expected: PrescreenFinding.Bucket) throws {
        #expect(try bucket("age", age) == expected)
    }

    @Test("age bounds follow the protocol file")
    func ageFromProtocol() throws {
        let definition = try ProtocolFixture.definition("isotretinoin-noa")
        let limits = PrescreenQuestionnaire.IsotretinoinLimits(protocol: definition)
        #expect(limits.minimumAge == 21)
        #expect(limits.maximumAge == 60)
        #expect(limits.maximumDrinksPerDay == 4)
        let narrower = PrescreenQuestionnaire.isotretinoinNOA(limits: .init(minimumAge: 25, maximumAge: 50))
        let result = try narrower.evaluate(form: Self.fitting.merging(["age": "24"]) { _, new in new }).get()
        #expect(result.verdict == .ruledOut)
        #expect(result.findings(.rulesOut).first?.sentence.contains("25 to 50") == true)
    }

    @Test("every question cites REFERENCE.md and names protocol criteria that exist")
    func questionsMapToProtocol() throws {
        let definition = try ProtocolFixture.definition("isotretinoin-noa")
        let criteria = Set((definition.inclusion + definition.exclusion).map(\.id))
        for question in questionnaire.questions {
            #expect(question.reference.contains("REFERENCE.md"), "\(question.id)")
            for id in question.criterionIDs { #expect(criteria.contains(id), "\(question.id) names unknown criterion \(id)") }
        }
        // Every criterion of the protocol is asked about (the questionnaire cannot leave one out silently).
        let asked = Set(questionnaire.questions.flatMap(\.criterionIDs))
        #expect(asked == criteria)
        #expect(Set(questionnaire.questions.map(\.id)).count == questionnaire.questions.count)
    }

    @Test("exclusions answered yes rule out",
          arguments: ["blockage", "pituitary", "steroids", "drugs", "vitamin-a", "recent-isotretinoin", "phenytoin-tetracycline",
                      "mental-illness", "bowel-bone", "other-trial"])
    func exclusionRulesOut(question: String) throws {
        let result = try evaluate([question: "yes"])
        #expect(result.verdict == .ruledOut)
        #expect(result.findings(.rulesOut).map(\.questionID) == [question])
    }

    @Test("inclusions answered no rule out", arguments: ["male", "diagnosis"])
    func inclusionRulesOut(question: String) throws {
        #expect(try bucket(question, "no") == .rulesOut)
    }

    @Test("what needs tests or a doctor's judgement goes to the visit, never out",
          arguments: [("low-mood", "yes"), ("blood-fats", "yes"), ("liver", "yes"), ("two-analyses", "no"), ("trying", "no")])
    func needsVisit(question: String, answer: String) throws {
        let result = try evaluate([question: answer])
        #expect(result.verdict == .needsVisit)
        #expect(result.findings(.needsVisit).map(\.questionID) == [question])
    }

    @Test("not sure always goes to the visit", arguments: [
        "male", "diagnosis", "two-analyses", "blockage", "pituitary", "steroids", "drugs", "vitamin-a", "recent-isotretinoin",
        "phenytoin-tetracycline", "mental-illness", "low-mood", "blood-fats", "liver", "bowel-bone", "other-trial", "trying",
    ])
    func notSure(question: String) throws {
        #expect(try bucket(question, "not-sure") == .needsVisit)
    }

    @Test("alcohol: 4 drinks a day fits, 5 rules out (REFERENCE.md A2, more than 4 a day)")
    func drinks() throws {
        #expect(try bucket("drinks", "0") == .fits)
        #expect(try bucket("drinks", "4") == .fits)
        #expect(try bucket("drinks", "5") == .rulesOut)
    }

    @Test("the mood question points to urgent help")
    func moodSafetyLine() throws {
        let finding = try evaluate(["low-mood": "yes"]).findings(.needsVisit).first
        #expect(finding?.sentence.contains("emergency") == true)
    }

    @Test("a rule-out outweighs a visit item in the verdict")
    func verdictOrder() throws {
        #expect(try evaluate(["liver": "yes", "drugs": "yes"]).verdict == .ruledOut)
        #expect(try evaluate(["liver": "not-sure"]).verdict == .needsVisit)
    }

    @Test("missing and unreadable answers come back as field errors, all at once")
    func fieldErrors() {
        var values = Self.fitting
        values["age"] = nil
        values["male"] = "maybe"
        values["drinks"] = "lots"
        values["liver"] = "  "
        guard case let .failure(problems) = questionnaire.evaluate(form: values) else {
            Issue.record("expected field errors")
            return
        }
        #expect(Set(problems.errors.keys) == ["age", "male", "drinks", "liver"])
        #expect(problems.errors["age"]?.contains("years") == true)
        #expect(problems.errors["male"] == "Please choose yes, no or not sure.")
    }

    @Test("ages outside 0–120 or not whole numbers are refused", arguments: ["-1", "121", "34.5", "thirty"])
    func unreadableAge(age: String) {
        var values = Self.fitting
        values["age"] = age
        guard case let .failure(problems) = questionnaire.evaluate(form: values) else {
            Issue.record("expected a field error for \(age)")
            return
        }
        #expect(problems.errors.keys.sorted() == ["age"])
    }

    @Test("an empty form lists every question")
    func emptyForm() {
        guard case let .failure(problems) = questionnaire.evaluate(form: [:]) else {
            Issue.record("expected field errors")
            return
        }
        #expect(problems.errors.count == questionnaire.questions.count)
    }

    @Test("answers survive a round trip through Codable")
    func answerCoding() throws {
        let result = try evaluate(["age": "44", "liver": "not-sure"])
        let data = try JSONEncoder().encode(result)
        #expect(try JSONDecoder().decode(PrescreenResult.self, from: data) == result)
    }

    @Test("contact details: email or phone, a name, and consent")
    func contact() {
        #expect(PrescreenContact.kind(of: "ana@example.org") == .email)
        #expect(PrescreenContact.kind(of: "+33 6 12 34 56 78") == .phone)
        #expect(PrescreenContact.kind(of: "(206) 555-0134") == .phone)
        for bad in ["ana@", "@example.org", "ana@example", "ana example@x.org", "12345", "call me", "a@b@c.org", "+1 234 567 890 123 456 78"] {
            #expect(PrescreenContact.kind(of: bad) == nil, "\(bad)")
        }
        guard case let .success(ok) = PrescreenContact.validate(name: " Ana ", contact: "ana@example.org", consent: true) else {
            Issue.record("expected valid contact")
            return
        }
        #expect(ok.name == "Ana")
        guard case let .failure(problems) = PrescreenContact.validate(name: "", contact: "nope", consent: false) else {
            Issue.record("expected errors")
            return
        }
        #expect(Set(problems.errors.keys) == ["name", "contact", "consent"])
        guard case let .failure(onlyConsent) = PrescreenContact.validate(name: "Ana", contact: "ana@example.org", consent: false) else {
            Issue.record("expected the consent error")
            return
        }
        #expect(onlyConsent.errors.keys.sorted() == ["consent"])
    }
}
