/// The published isotretinoin cohort (REFERENCE.md A1, Jessup, Amory & Turek 2025) as a plan of 30 men:
/// 26 azoospermic and 4 cryptozoospermic; 24 of the azoospermic with prior sperm retrieval; 11 responders,
/// 9 of them by month 3; maturation arrest in 11 men, 6 of whom respond; dry skin 30, irritability 14,
/// altered cholesterol 5, rash 4; nobody discontinues. Histology of the non-MA groups and the months of
/// response are not in the abstract (A1 "not retrieved"): the values below are synthetic choices.
/// The plan fixes only who has which attribute; every aggregate is recomputed from the generated records.
struct DemoIsotretinoinProfile: Sendable {
    enum Histology: String, Sendable { case maturationArrest = "maturation-arrest", sertoliCellOnly = "sertoli-cell-only"
        case hypospermatogenesis }

    var cryptozoospermic: Bool
    var priorRetrieval: Bool
    var histology: Histology?
    /// The monthly visit (1…5) at which motile sperm first appear; nil for non-responders.
    var responseMonth: Int?
    var irritability = false
    var cholesterol = false
    var rash = false
}

enum DemoIsotretinoinPlan {
    static let size = 30

    static func profiles(rng: inout SplitMix64) -> [DemoIsotretinoinProfile] {
        // Response month by profile index; 9 of 11 at months 1–3 (REFERENCE.md A1: 9/11 within 3 months, S).
        let responseMonths: [Int: Int] = [0: 1, 1: 2, 2: 3, 3: 2, 4: 3, 5: 4, 11: 3, 20: 1, 21: 2, 26: 1, 27: 5]
        var profiles = (0..<size).map { index -> DemoIsotretinoinProfile in
            let histology: DemoIsotretinoinProfile.Histology?
            switch index {
            case 0..<11: histology = .maturationArrest
            case 11..<20: histology = .sertoliCellOnly
            case 20..<24: histology = .hypospermatogenesis
            default: histology = nil  // no prior retrieval, so no histology on file
            }
            return DemoIsotretinoinProfile(
                cryptozoospermic: index >= 26, priorRetrieval: index < 24, histology: histology,
                responseMonth: responseMonths[index])
        }
        for index in pick(14, rng: &rng) { profiles[index].irritability = true }
        for index in pick(5, rng: &rng) { profiles[index].cholesterol = true }
        for index in pick(4, rng: &rng) { profiles[index].rash = true }
        // Enrolment order is shuffled so MRNs do not reveal outcomes.
        return shuffled(profiles, rng: &rng)
    }

    /// `count` distinct indices of 0..<size.
    static func pick(_ count: Int, rng: inout SplitMix64) -> [Int] {
        Array(shuffled(Array(0..<size), rng: &rng).prefix(count))
    }

    /// Fisher–Yates with the demo's generator (the standard library's shuffle would do the same, but
    /// spelling it out pins the order across Swift versions).
    static func shuffled<T>(_ items: [T], rng: inout SplitMix64) -> [T] {
        var items = items
        guard items.count > 1 else { return items }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            let j = rng.int(0...i)
            items.swapAt(i, j)
        }
        return items
    }
}
