import Foundation

/// The result of a questionnaire: every answer sorted, plus the overall reading.
public struct PrescreenResult: Hashable, Sendable, Codable {
    public enum Verdict: String, Hashable, Sendable, Codable, CaseIterable {
        /// Nothing in the answers rules the person out and nothing is left open beyond the usual visit checks.
        case mayFit = "may-fit"
        /// Something is open that only a visit (tests, examination, a doctor's judgement) can settle.
        case needsVisit = "needs-visit"
        /// At least one answer is excluded by the protocol as written.
        case ruledOut = "ruled-out"

        /// The headline the person reads.
        public var headline: String {
            switch self {
            case .mayFit: return "The program may fit you."
            case .needsVisit: return "The program may fit you, but some things need a visit to the clinic."
            case .ruledOut: return "From your answers, the program is not open to you at the moment."
            }
        }
    }

    public var protocolID: String
    public var questionnaireVersion: String
    public var verdict: Verdict
    public var findings: [PrescreenFinding]

    public init(protocolID: String, questionnaireVersion: String, findings: [PrescreenFinding]) {
        self.protocolID = protocolID
        self.questionnaireVersion = questionnaireVersion
        self.findings = findings
        if findings.contains(where: { $0.bucket == .rulesOut }) {
            verdict = .ruledOut
        } else if findings.contains(where: { $0.bucket == .needsVisit }) {
            verdict = .needsVisit
        } else {
            verdict = .mayFit
        }
    }

    public func findings(_ bucket: PrescreenFinding.Bucket) -> [PrescreenFinding] { findings.filter { $0.bucket == bucket } }

    /// The answers as given, question id → form value (what a stored candidate keeps).
    public var answers: [String: String] {
        Dictionary(uniqueKeysWithValues: findings.map { ($0.questionID, $0.answer.formValue) })
    }
}

/// Answers that could not be read: question id → what to fix, in plain words.
public struct PrescreenFieldErrors: Error, Hashable, Sendable {
    public var errors: [String: String]
    public init(_ errors: [String: String]) { self.errors = errors }
}

extension PrescreenQuestionnaire {
    /// Reads the submitted form values (question id → text) into answers. Every question must be answered;
    /// "not sure" is always an answer. Unreadable or missing answers come back as field errors, all at once.
    public func answers(from values: [String: String]) -> Result<[String: PrescreenAnswer], PrescreenFieldErrors> {
        var answers: [String: PrescreenAnswer] = [:]
        var errors: [String: String] = [:]
        for question in questions {
            let raw = values[question.id]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            switch question.kind {
            case .yesNoNotSure:
                switch raw {
                case "yes": answers[question.id] = .yes
                case "no": answers[question.id] = .no
                case "not-sure": answers[question.id] = .notSure
                case "": errors[question.id] = "Please choose yes, no or not sure."
                default: errors[question.id] = "Please choose yes, no or not sure."
                }
            case let .wholeNumber(range, unit):
                if raw.isEmpty {
                    errors[question.id] = "Please enter a number of \(unit)."
                } else if raw == "not-sure" {
                    answers[question.id] = .notSure
                } else if let value = Int(raw), range.contains(value) {
                    answers[question.id] = .number(value)
                } else {
                    errors[question.id] = "Please enter a whole number of \(unit) from \(range.lowerBound) to \(range.upperBound), for example \(range.lowerBound + (range.upperBound - range.lowerBound) / 4)."
                }
            }
        }
        return errors.isEmpty ? .success(answers) : .failure(PrescreenFieldErrors(errors))
    }

    /// Sorts each answer into fits / rules out / needs a visit. Questions without an answer are left out
    /// (use `answers(from:)` first to insist on all of them).
    public func evaluate(_ answers: [String: PrescreenAnswer]) -> PrescreenResult {
        let findings = questions.compactMap { question -> PrescreenFinding? in
            guard let answer = answers[question.id] else { return nil }
            // "Not sure" is never read as yes or no: a doctor settles it (the rule may add why).
            let sorting = question.rule(answer)
            return PrescreenFinding(
                questionID: question.id, answer: answer, bucket: sorting.bucket, sentence: sorting.sentence,
                criterionIDs: question.criterionIDs)
        }
        return PrescreenResult(protocolID: protocolID, questionnaireVersion: version, findings: findings)
    }

    /// Reads and evaluates in one step.
    public func evaluate(form values: [String: String]) -> Result<PrescreenResult, PrescreenFieldErrors> {
        answers(from: values).map { evaluate($0) }
    }
}
