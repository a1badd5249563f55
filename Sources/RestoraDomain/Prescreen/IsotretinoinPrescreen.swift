/// The public pre-screening questionnaire of `protocols/isotretinoin-noa.yaml` (isotretinoin for
/// non-obstructive azoospermia or cryptozoospermia). Each question maps to the protocol criteria it speaks
/// to; the REFERENCE.md section of every rule is cited beside it (docs/prescreening.md lists the mapping).
///
/// What a questionnaire cannot settle goes to "needs a visit": semen analyses with a centrifuged pellet,
/// blood tests (lipids, liver), hormone tests and examination, the PHQ-9, and anything answered "not sure".
/// Answers that the protocol as written excludes go to "rules out"; the sentence says when that is only for
/// now (e.g. isotretinoin taken in the last 8 weeks).
extension PrescreenQuestionnaire {
    public static let isotretinoinProtocolID = "isotretinoin-noa"

    /// Age bounds of the `age` criterion (REFERENCE.md A2, RA-4: 21–60 years, C) and the alcohol limit of
    /// `substance-use` (REFERENCE.md A2: more than 4 drinks a day, C). Read from the protocol when given, so
    /// the questionnaire follows an edited protocol; the cited values otherwise.
    public struct IsotretinoinLimits: Hashable, Sendable {
        public var minimumAge: Int
        public var maximumAge: Int
        public var maximumDrinksPerDay: Double

        public init(minimumAge: Int = 21, maximumAge: Int = 60, maximumDrinksPerDay: Double = 4) {
            self.minimumAge = minimumAge
            self.maximumAge = maximumAge
            self.maximumDrinksPerDay = maximumDrinksPerDay
        }

        /// The limits encoded in the protocol file (falling back to the cited values for what it lacks).
        public init(protocol definition: ProtocolDefinition) {
            self.init()
            for criterion in definition.inclusion where criterion.id == "age" {
                if case let .age(rule) = criterion.rule {
                    minimumAge = rule.min ?? minimumAge
                    maximumAge = rule.max ?? maximumAge
                }
            }
            for criterion in definition.exclusion where criterion.id == "substance-use" {
                if let limit = Self.latestValue(in: criterion.rule, code: "alcohol-drinks-per-day") { maximumDrinksPerDay = limit }
            }
        }

        private static func latestValue(in rule: CriterionRule, code: String) -> Double? {
            switch rule {
            case let .latest(latest) where latest.code.code == code: return latest.value
            case let .anyOf(rules), let .allOf(rules): return rules.lazy.compactMap { latestValue(in: $0, code: code) }.first
            case let .not(inner): return latestValue(in: inner, code: code)
            default: return nil
            }
        }
    }

    /// The questionnaire for the isotretinoin program.
    public static func isotretinoinNOA(limits: IsotretinoinLimits = IsotretinoinLimits()) -> PrescreenQuestionnaire {
        let notSure = "You were not sure; a doctor will go through this with you at the first visit."
        let minAge = limits.minimumAge, maxAge = limits.maximumAge
        let maxDrinks = limits.maximumDrinksPerDay
        let drinksText = maxDrinks == maxDrinks.rounded() ? String(Int(maxDrinks)) : String(maxDrinks)

        func yesNo(
            _ id: String, _ text: String, hint: String? = nil, criteria: [String], reference: String,
            yes: PrescreenFinding.Sorting, no: PrescreenFinding.Sorting, notSure unsure: PrescreenFinding.Sorting? = nil
        ) -> PrescreenQuestion {
            let unsure = unsure ?? .needsVisit(notSure)
            return PrescreenQuestion(id: id, text: text, hint: hint, kind: .yesNoNotSure, criterionIDs: criteria, reference: reference) { answer in
                switch answer {
                case .yes: return yes
                case .no: return no
                case .notSure, .number: return unsure
                }
            }
        }

        let questions: [PrescreenQuestion] = [
            // Inclusion `age`: 21–60 years on the screening date — REFERENCE.md A2 (RA-4, C).
            PrescreenQuestion(
                id: "age", text: "How old are you?", hint: "In whole years.",
                kind: .wholeNumber(range: 0...120, unit: "years"), criterionIDs: ["age"], reference: "REFERENCE.md A2 (RA-4, C)"
            ) { answer in
                guard case let .number(age) = answer else { return .needsVisit(notSure) }
                if age < minAge {
                    return .rulesOut("The program takes men aged \(minAge) to \(maxAge). At \(age) you are below the lower age limit; you may ask again once you are \(minAge).")
                }
                if age > maxAge {
                    return .rulesOut("The program takes men aged \(minAge) to \(maxAge). At \(age) you are above the upper age limit.")
                }
                return .fits("Your age (\(age)) is within the program's range of \(minAge) to \(maxAge) years.")
            },
            // Inclusion `male` — REFERENCE.md A1 (the index study treated men).
            yesNo(
                "male", "Are you a man?",
                hint: "The program treats men whose testicles make no or very few sperm.",
                criteria: ["male"], reference: "REFERENCE.md A1 (C)",
                yes: .fits("The program is for men."),
                no: .rulesOut("The program is only for men: it aims to restart sperm production.")),
            // Inclusion `male-infertility-diagnosis` (ICD-10-CM N46.0-/N46.1-, REFERENCE.md F2) and
            // `confirmed-azoospermia-or-cryptozoospermia` (REFERENCE.md A2 RA-4, B2, B3).
            yesNo(
                "diagnosis",
                "Has a doctor told you that there are no sperm in your semen (azoospermia), or sperm only after the sample was spun down in the laboratory (cryptozoospermia)?",
                hint: "This is found with a semen analysis.",
                criteria: ["male-infertility-diagnosis", "confirmed-azoospermia-or-cryptozoospermia"],
                reference: "REFERENCE.md F2 (N46.0-, N46.1-), A2 (RA-4, C), B2",
                yes: .fits("You have been told you have no or almost no sperm in your semen, which is who the program is for."),
                no: .rulesOut("The program is only for men with no sperm, or sperm only after spinning down, in their semen. If you have not had a semen analysis, your doctor can arrange one."),
                notSure: .needsVisit("Whether you have azoospermia or cryptozoospermia is shown by semen analyses; the clinic will arrange them.")),
            // Inclusion `confirmed-azoospermia-or-cryptozoospermia`: ≥ 2 analyses ≥ 1 week apart (REFERENCE.md A2,
            // RA-4, C), each with an examined centrifuged pellet (B2, B3, C); "within 12 months" is a labelled
            // default of the protocol (REFERENCE.md is silent, U). A questionnaire cannot check the pellet, so
            // even "yes" leaves the reports to the visit.
            yesNo(
                "two-analyses",
                "Was this found on at least two semen analyses, at least one week apart, in the last 12 months?",
                criteria: ["confirmed-azoospermia-or-cryptozoospermia"],
                reference: "REFERENCE.md A2 (RA-4, C), B2, B3 (C); 12 months is a default",
                yes: .fits("Two recent semen analyses are what the program asks for; bring the reports so the clinic can check that the spun-down sample was examined."),
                no: .needsVisit("The program needs two semen analyses at least a week apart, with the spun-down sample examined; the clinic will arrange what is missing."),
                notSure: .needsVisit("The clinic will look at your semen analysis reports, or repeat the analyses, to confirm the diagnosis.")),
            // Exclusion `obstructive-azoospermia` — REFERENCE.md A1 (NOA population), B4, F2 (N46.023).
            yesNo(
                "blockage",
                "Has a doctor told you that the cause is a blockage, for example after a vasectomy or because the tubes that carry sperm are missing?",
                criteria: ["obstructive-azoospermia"], reference: "REFERENCE.md A1, B4, F2 (N46.023)",
                yes: .rulesOut("The program treats testicles that make too few sperm, not a blockage. A blockage is treated differently; your doctor can advise you."),
                no: .fits("No blockage has been found, which fits the program (it treats a lack of sperm production)."),
                notSure: .needsVisit("Hormone tests and an examination tell a blockage apart from a lack of sperm production; the clinic will do them.")),
            // Exclusion `hypogonadotropic-hypogonadism` — REFERENCE.md A2 (RA-4, C).
            yesNo(
                "pituitary",
                "Has a doctor told you that your brain (pituitary gland) does not make enough of the hormones that drive the testicles (hypogonadotropic hypogonadism)?",
                criteria: ["hypogonadotropic-hypogonadism"], reference: "REFERENCE.md A2 (RA-4, C)",
                yes: .rulesOut("This hormone condition is treated with hormones, not with this program."),
                no: .fits("You have not been told of a pituitary hormone problem."),
                notSure: .needsVisit("Hormone blood tests at the visit will show this.")),
            // Exclusion `anabolic-steroids` — REFERENCE.md A2 (RA-4, C).
            yesNo(
                "steroids", "Do you use anabolic steroids (muscle-building hormones)?",
                criteria: ["anabolic-steroids"], reference: "REFERENCE.md A2 (RA-4, C)",
                yes: .rulesOut("The program does not take men who use anabolic steroids; they can themselves stop sperm production. Talk to your doctor about stopping."),
                no: .fits("You do not use anabolic steroids.")),
            // Exclusion `substance-use` (illicit drugs) — REFERENCE.md A2 (RA-4, C).
            yesNo(
                "drugs", "Do you use recreational drugs?",
                criteria: ["substance-use"], reference: "REFERENCE.md A2 (RA-4, C)",
                yes: .rulesOut("The program does not take men who use recreational drugs."),
                no: .fits("You do not use recreational drugs.")),
            // Exclusion `substance-use` (more than 4 drinks a day) — REFERENCE.md A2 (RA-4, C).
            PrescreenQuestion(
                id: "drinks", text: "On a usual day, how many alcoholic drinks do you have?",
                hint: "One drink is a small glass of wine, a bottle of beer or a single measure of spirits. Enter 0 if you do not drink.",
                kind: .wholeNumber(range: 0...100, unit: "drinks"), criterionIDs: ["substance-use"], reference: "REFERENCE.md A2 (RA-4, C)"
            ) { answer in
                guard case let .number(drinks) = answer else { return .needsVisit(notSure) }
                if Double(drinks) > maxDrinks {
                    return .rulesOut("The program does not take men who drink more than \(drinksText) alcoholic drinks a day.")
                }
                return .fits("You drink no more than \(drinksText) alcoholic drinks a day.")
            },
            // Exclusion `retinoid-or-vitamin-a` — REFERENCE.md A2 (RA-2, RA-4, C), E2.
            yesNo(
                "vitamin-a",
                "Do you take vitamin A supplements or a retinoid medicine (for example acitretin or tretinoin)?",
                criteria: ["retinoid-or-vitamin-a"], reference: "REFERENCE.md A2 (RA-2, RA-4, C), E2",
                yes: .rulesOut("Isotretinoin is itself a form of vitamin A, so it cannot be combined with vitamin A supplements or other retinoids. Ask your doctor before stopping a prescribed medicine."),
                no: .fits("You take no vitamin A supplements or retinoid medicines.")),
            // Exclusion `recent-isotretinoin`: within 8 weeks — REFERENCE.md A2 (RA-4, C).
            yesNo(
                "recent-isotretinoin",
                "Have you taken isotretinoin (for example for acne) in the last 8 weeks?",
                criteria: ["recent-isotretinoin"], reference: "REFERENCE.md A2 (RA-4, C)",
                yes: .rulesOut("You need at least 8 weeks without isotretinoin before the program can start; you may ask again after that."),
                no: .fits("You have not taken isotretinoin in the last 8 weeks.")),
            // Exclusion `phenytoin-or-tetracycline` — REFERENCE.md A2 (RA-4, C), E2.
            yesNo(
                "phenytoin-tetracycline",
                "Do you take phenytoin (an epilepsy medicine) or a tetracycline antibiotic (for example doxycycline or minocycline)?",
                criteria: ["phenytoin-or-tetracycline"], reference: "REFERENCE.md A2 (RA-4, C), E2",
                yes: .rulesOut("These medicines do not mix safely with isotretinoin, so the program cannot start while you take them. Ask your doctor before stopping a prescribed medicine."),
                no: .fits("You take neither phenytoin nor a tetracycline antibiotic.")),
            // Exclusion `serious-psychiatric-history` — REFERENCE.md A2 (RA-2, RA-4, C).
            yesNo(
                "mental-illness",
                "Have you ever had a serious mental illness, for example one that needed a hospital stay or that you take medicine for?",
                hint: "For example severe depression, bipolar disorder or psychosis.",
                criteria: ["serious-psychiatric-history"], reference: "REFERENCE.md A2 (RA-2, RA-4, C)",
                yes: .rulesOut("Isotretinoin can affect mood, so the program does not take men with a serious mental illness. Your own doctor can talk through other options with you."),
                no: .fits("You have not had a serious mental illness.")),
            // Exclusion `phq9-above-15` — REFERENCE.md A2 (RA-4 PHQ-9 > 15, C). The questionnaire asks one
            // plain question; the PHQ-9 itself is taken at the visit, so "yes" goes to the visit, not out.
            yesNo(
                "low-mood",
                "Over the last 2 weeks, have you often felt down, depressed or hopeless?",
                criteria: ["phq9-above-15"], reference: "REFERENCE.md A2 (RA-4, C)",
                yes: .needsVisit("Because isotretinoin can affect mood, the clinic will ask you a short mood questionnaire (PHQ-9) at the visit. If you have thoughts of harming yourself, call your local emergency number or see a doctor today."),
                no: .fits("You have not often felt down lately. The clinic still asks a short mood questionnaire at the visit.")),
            // Exclusion `elevated-triglycerides`: fasting triglycerides ≥ 150 mg/dL — REFERENCE.md A2
            // ("elevated triglycerides", C); the 150 mg/dL threshold is a labelled default from E1.
            yesNo(
                "blood-fats",
                "Has a doctor told you that you have high blood fats (triglycerides or cholesterol)?",
                criteria: ["elevated-triglycerides"], reference: "REFERENCE.md A2 (C), E1; threshold is a default",
                yes: .needsVisit("Isotretinoin raises blood fats, so a fasting blood test at the visit decides whether yours are low enough to start."),
                no: .fits("You have not been told of high blood fats; a fasting blood test at the visit checks them."),
                notSure: .needsVisit("A fasting blood test at the visit will check your blood fats.")),
            // Exclusion `abnormal-liver-chemistry`: ALT or AST > 3 × ULN — REFERENCE.md A2 ("other abnormal
            // chemistry", C), E1; the limit is a labelled default.
            yesNo(
                "liver",
                "Has a doctor told you that you have a liver disease or raised liver tests?",
                criteria: ["abnormal-liver-chemistry"], reference: "REFERENCE.md A2 (C), E1; limit is a default",
                yes: .needsVisit("Liver blood tests at the visit decide whether it is safe to start isotretinoin."),
                no: .fits("You have not been told of a liver problem; liver blood tests at the visit check this."),
                notSure: .needsVisit("Liver blood tests at the visit will check this.")),
            // Exclusion `ibd-or-bone-disease` — REFERENCE.md A2 (RA-4, C).
            yesNo(
                "bowel-bone",
                "Do you have Crohn's disease, ulcerative colitis, or a bone disease such as osteoporosis?",
                criteria: ["ibd-or-bone-disease"], reference: "REFERENCE.md A2 (RA-4, C)",
                yes: .rulesOut("The program does not take men with inflammatory bowel disease or a bone disease, because isotretinoin may make them worse."),
                no: .fits("You do not have inflammatory bowel disease or a bone disease.")),
            // Exclusion `other-trial` — REFERENCE.md A2 (RA-2, RA-4, C).
            yesNo(
                "other-trial",
                "Are you taking part in another study that tests a treatment?",
                criteria: ["other-trial"], reference: "REFERENCE.md A2 (RA-2, RA-4, C)",
                yes: .rulesOut("You cannot take part in two treatment studies at once; you may ask again when the other study ends for you."),
                no: .fits("You are not in another treatment study.")),
            // Not encoded in the protocol (its `defaults:` leave partner facts to the investigator): RA-4 asked
            // for more than a year without pregnancy with a partner who has normal cycles — REFERENCE.md A2 (C).
            // So this never rules out; "no" and "not sure" go to the visit.
            yesNo(
                "trying",
                "Have you and a partner been trying for a pregnancy for more than a year?",
                hint: "The program is a fertility treatment; the clinic will ask about your partner's health too.",
                criteria: [], reference: "REFERENCE.md A2 (RA-4 inclusion, C); not encoded in the protocol",
                yes: .fits("You have been trying for a pregnancy for more than a year."),
                no: .needsVisit("The clinic's doctor will talk with you about your plans for a family and your partner's health."),
                notSure: .needsVisit("The clinic's doctor will talk with you about your plans for a family and your partner's health.")),
        ]

        return PrescreenQuestionnaire(
            protocolID: isotretinoinProtocolID, version: "1",
            title: "Could the isotretinoin program be for you?",
            introduction: "The clinic offers a 6-month course of isotretinoin tablets to men whose semen has no sperm, or sperm only after it is spun down in the laboratory, because the testicles make too few. These questions tell you whether the program might fit you. Your answers are not stored unless you choose to leave your contact details at the end.",
            questions: questions,
            alwaysAtVisit: [
                // REFERENCE.md A2 (RA-4), B2, B3: confirmation on ≥ 2 analyses with an examined centrifuged pellet.
                "Semen analysis reports (at least two, with the spun-down sample examined), or new analyses.",
                // REFERENCE.md B4, E2: hormones to tell obstruction from non-production; lipids and liver before isotretinoin.
                "Blood tests: hormones (FSH, LH, testosterone), blood fats and liver tests.",
                // REFERENCE.md A2 (RA-4 PHQ-9 > 15).
                "A short mood questionnaire (PHQ-9).",
                // REFERENCE.md A2 (RA-4), E2: medicines that do not mix with isotretinoin.
                "A review of all the medicines and supplements you take.",
            ])
    }
}
