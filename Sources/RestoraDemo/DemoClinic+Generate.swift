import RestoraDomain

extension DemoClinic {
    /// Three synthetic sites; the osteoporosis program runs at all three (DXA series at three sites).
    public static let demoSites: [Site] = [
        Site(id: "demo-site-bh", code: "DEMO-BH", name: "Demo Reproductive Medicine Clinic (synthetic)", timeZone: "America/Los_Angeles"),
        Site(id: "demo-site-ns", code: "DEMO-NS", name: "Demo North Shore Bone Centre (synthetic)", timeZone: "Europe/London"),
        Site(id: "demo-site-lk", code: "DEMO-LK", name: "Demo Lakeside Cell Therapy Unit (synthetic)", timeZone: "Europe/Berlin"),
    ]

    /// The last isotretinoin participant starts on 2026-01-24 and is seen one month after the course
    /// (day 212, window +7); an earlier "today" would leave the published cohort unfinished.
    public static let earliestToday = CalendarDate(year: 2026, month: 9, day: 1) ?? defaultToday

    /// Builds the clinic for the given protocols (normally the repository's `protocols/` catalog). Programs
    /// whose protocol is not given are left out. Pure: the same protocols, seed and today give the same clinic.
    public static func generate(
        protocols: [ProtocolDefinition], seed: UInt64 = defaultSeed, today: CalendarDate = defaultToday
    ) throws -> DemoClinic {
        guard today >= earliestToday else {
            throw DemoGenerationError("today (\(today)) must be on or after \(earliestToday): the demo isotretinoin cohort finishes its post-treatment visits by then")
        }
        var rng = SplitMix64(seed: seed)
        var programs: [Program] = []
        var participants: [DemoParticipant] = []
        var alerts: [DemoSafetyAlert] = []
        let (bh, ns, lk) = (demoSites[0].id, demoSites[1].id, demoSites[2].id)
        for definition in protocols.sorted(by: { $0.id < $1.id }) {
            let siteIDs: [Identifier<Site>]
            switch definition.id {
            case "isotretinoin-noa": siteIDs = [bh]
            case "asc-azoospermia": siteIDs = [bh, lk]
            case "msc-osteoporosis": siteIDs = [ns, lk, bh]
            case DemoRCT.protocolID: siteIDs = [bh, ns]  // the randomised trial (DemoRCT.swift, issue #16)
            default: continue
            }
            let program = Program(id: Identifier("demo-program-\(definition.id)"), protocolID: definition.id,
                                  protocolVersion: definition.version,
                                  name: definition.id == DemoRCT.protocolID ? DemoRCT.programName : "\(definition.title) (\(DemoLabel.text))",
                                  siteIDs: siteIDs)
            // Each program draws from its own stream, so adding a program never changes another's data.
            // The randomised trial's stream is derived from the seed alone: drawing it from `rng` would shift the
            // streams of the programs sorted after it (DemoRCT.swift).
            let stream = definition.id == DemoRCT.protocolID ? SplitMix64(seed: seed ^ DemoRCT.streamSalt)
                : SplitMix64(seed: rng.next() ^ UInt64(truncatingIfNeeded: definition.id.utf8.count))
            var context = DemoContext(definition: definition, program: program, today: today, rng: stream)
            let built = try build(&context, siteIDs: siteIDs)
            programs.append(program)
            participants += built
            alerts += DemoSafetyAlerts.open(in: built, rules: definition.safetyRules)
        }
        return DemoClinic(seed: seed, today: today, sites: demoSites, programs: programs,
                          participants: participants, openAlerts: alerts)
    }

    private static func build(_ context: inout DemoContext, siteIDs: [Identifier<Site>]) throws -> [DemoParticipant] {
        switch context.definition.id {
        case "isotretinoin-noa":
            return try DemoIsotretinoinCohort.build(&context, site: siteIDs[0])
                + DemoIsotretinoinCohort.nonEnrolled(&context, site: siteIDs[0])
                + DemoIsotretinoinOnTreatment.build(&context, site: siteIDs[0])  // drawn last: the cohort above is unchanged
        case "asc-azoospermia":
            return try DemoStemCellAzoospermia.build(&context, sites: siteIDs)
        case "msc-osteoporosis":
            return try DemoOsteoporosis.build(&context, sites: siteIDs)
        case DemoRCT.protocolID:
            return try DemoRCT.build(&context, sites: siteIDs)
        default:
            return []
        }
    }
}

/// Runs the protocol's own safety rules over every generated observation and adverse event; whatever
/// fires is an open alert (nobody in the demo has reviewed it yet).
enum DemoSafetyAlerts {
    static func open(in participants: [DemoParticipant], rules: [SafetyRule]) -> [DemoSafetyAlert] {
        var alerts: [DemoSafetyAlert] = []
        for p in participants {
            for observation in p.record.observations {
                for firing in rules.evaluate(observation).fired {
                    alerts.append(DemoSafetyAlert(
                        participantID: p.participant.id, enrolmentID: p.enrolment.id, ruleID: firing.ruleID,
                        action: firing.action, reason: firing.reason, observationID: observation.id,
                        raisedOn: observation.effectiveDate))
                }
            }
            for event in p.record.adverseEvents {
                guard let evaluation = try? rules.evaluate(event) else { continue }
                for firing in evaluation.fired {
                    alerts.append(DemoSafetyAlert(
                        participantID: p.participant.id, enrolmentID: p.enrolment.id, ruleID: firing.ruleID,
                        action: firing.action, reason: firing.reason, observationID: nil, raisedOn: event.onset))
                }
            }
        }
        return alerts
    }
}
