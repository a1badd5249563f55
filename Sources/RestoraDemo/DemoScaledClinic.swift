import RestoraDomain

/// Extra synthetic participants for benchmark databases (`restora demo --participants N`): the default
/// clinic stays exactly as it is, and participants beyond it are made one at a time, on demand, by the same
/// program builders (the same eligibility screening, semen classification, release decisions and CTCAE
/// checks), so a 10^5-participant database never holds more than one generated participant in memory.
///
/// Extra participant `k` (0-based) joins program `k mod P` (the clinic's programs in id order), at one of
/// that program's sites, with the pattern of one of the program's default participants (isotretinoin: a
/// profile drawn from the published cohort's plan, REFERENCE.md A1; stem-cell programs: the attributes of
/// participant `k / P mod size`, responders, failing lot and withdrawal included). Their day 0 is drawn
/// within three years before "today"; isotretinoin men have all finished (day 0 at least 220 days back),
/// the stem-cell programs' later visits may still be `scheduled`. Each participant has its own random
/// stream, derived from the seed and `k`: participant `k` is the same whatever N is.
public struct DemoScaledClinic: Sendable {
    /// The default clinic the extras are added to (its programs, sites and "today").
    public let base: DemoClinic
    /// How many participants are added.
    public let extra: Int
    public let seed: UInt64
    let definitions: [Identifier<Program>: ProtocolDefinition]
    let programs: [Program]

    /// Code prefixes of the extras (`DEMO-ISOS-00001`…): distinct from the default clinic's codes.
    public static let codes = ["isotretinoin-noa": "ISOS", "asc-azoospermia": "ASCS", "msc-osteoporosis": "OSTS"]

    /// `total`: the participants wanted in all, at least the default clinic's own count.
    public init(base: DemoClinic, protocols: [ProtocolDefinition], total: Int, seed: UInt64) throws {
        guard total >= base.participants.count else {
            throw DemoGenerationError("a scaled clinic needs at least the default \(base.participants.count) participants, not \(total)")
        }
        let byID = Dictionary(protocols.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var definitions: [Identifier<Program>: ProtocolDefinition] = [:]
        var programs: [Program] = []
        for program in base.programs.sorted(by: { $0.protocolID < $1.protocolID }) where Self.codes[program.protocolID] != nil {
            guard let definition = byID[program.protocolID] else { continue }
            definitions[program.id] = definition
            programs.append(program)
        }
        guard !programs.isEmpty || total == base.participants.count else {
            throw DemoGenerationError("no demo program to add participants to")
        }
        self.base = base
        self.extra = total - base.participants.count
        self.seed = seed
        self.definitions = definitions
        self.programs = programs
    }

    /// The program and protocol of extra participant `k`.
    func program(_ k: Int) -> (Program, ProtocolDefinition)? {
        guard !programs.isEmpty else { return nil }
        let program = programs[k % programs.count]
        return definitions[program.id].map { (program, $0) }
    }

    /// Extra participant `k` (0 ≤ k < extra), built through the same builders as the default clinic.
    public func participant(_ k: Int) throws -> DemoParticipant {
        guard k >= 0, k < extra, let (program, definition) = program(k) else {
            throw DemoGenerationError("scaled clinic: no extra participant \(k) (there are \(extra))")
        }
        // Its own stream: participant k does not depend on how many come before or after it.
        var mixer = SplitMix64(seed: seed ^ (UInt64(k) &* 0xD1B5_4A32_D192_ED03))
        var context = DemoContext(definition: definition, program: program, today: base.today, rng: SplitMix64(seed: mixer.next()))
        let number = k + 1
        let code = Self.codes[definition.id] ?? "X"
        let sites = program.siteIDs
        let round = k / programs.count
        switch definition.id {
        case "isotretinoin-noa":
            let profiles = DemoIsotretinoinPlan.profiles(rng: &context.rng)
            let profile = profiles[context.rng.int(0...(profiles.count - 1))]
            let start = base.today.adding(days: -context.rng.int(220...1095))
            let missed: Set<String> = context.rng.chance(0.05) ? ["month-4"] : []
            return try DemoIsotretinoinCohort.participant(
                number: number, profile: profile, start: start, site: sites[round % sites.count], context: &context,
                missed: missed, phqAlert: false, code: code)
        case "asc-azoospermia":
            let start = base.today.adding(days: -context.rng.int(1...1095))
            return try DemoStemCellAzoospermia.participant(
                round % DemoStemCellAzoospermia.size, start: start, site: sites[round % sites.count], context: &context,
                number: number, code: code)
        case "msc-osteoporosis":
            let start = base.today.adding(days: -context.rng.int(1...1095))
            return try DemoOsteoporosis.participant(
                round % DemoOsteoporosis.size, start: start, siteIndex: round % sites.count, sites: sites, context: &context,
                number: number, code: code)
        default:
            throw DemoGenerationError("scaled clinic: no builder for \(definition.id)")
        }
    }
}
