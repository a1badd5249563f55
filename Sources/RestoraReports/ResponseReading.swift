import RestoraDomain

/// One participant's response as the study report judges it (issue #14 item 8: the participant page shows
/// it): the same rule and the same code path as the report, so the page and the report never disagree.
/// - semen programs (a semen measure is the primary endpoint): the `ResponseRule` over the semen analyses
///   after day 0 (REFERENCE.md A1, A2);
/// - bone programs (DXA in the assessments): each site's BMD change from the last scan on or before day 0 to
///   the latest after it, judged against the least significant change (REFERENCE.md C3).
public struct ResponseReading: Sendable, Equatable {
    public struct Semen: Sendable, Equatable {
        public var positiveSamples: Int
        public var samplesAfterDayZero: Int
        public var required: Int
        public var responder: Bool
        /// Months from day 0 to the first response, when a responder.
        public var monthsToResponse: Double?
    }

    public var dayZero: CalendarDate?
    public var semen: Semen?
    public var bone: [BoneDensityChangeAssessment]
    /// Why there is nothing to judge yet ("no day 0 yet", …), when there is nothing.
    public var pending: String?

    public static func evaluate(
        record: ParticipantRecord, enrolment: Enrolment, visits: [Visit], definition: ProtocolDefinition,
        rule: ResponseRule = ResponseRule()
    ) -> ResponseReading {
        let data = ProgramParticipantData(record: record, enrolment: enrolment, visits: visits)
        guard let start = data.dayZero else {
            return ResponseReading(dayZero: nil, semen: nil, bone: [], pending: "no day 0 yet: treatment has not started")
        }
        var response = ResponseReading(dayZero: start, semen: nil, bone: [], pending: nil)
        if ResponseRule.semenPrimaryEndpoint(of: definition) != nil, let outcome = SemenOutcome(data, rule: rule) {
            response.semen = Semen(
                positiveSamples: outcome.positiveSamples, samplesAfterDayZero: outcome.samplesAfterDayZero,
                required: rule.minimumPositiveSamples, responder: outcome.responder,
                monthsToResponse: outcome.responder ? outcome.months : nil)
        }
        if BoneDensitySection.measuresBone(definition) {
            response.bone = ReportCodes.bmd.compactMap { site, code in try? BoneDensitySection.change(data, site: site, code: code) }
        }
        if response.semen == nil && response.bone.isEmpty {
            response.pending = "this program's protocol defines no response reading"
        }
        return response
    }
}

extension ResponseRule {
    /// The protocol's primary endpoint when it is measured on semen (the programs the response rule is for).
    static func semenPrimaryEndpoint(of definition: ProtocolDefinition) -> Endpoint? {
        definition.endpoints.primary.first { endpoint in (endpoint.measures ?? []).contains(where: ReportCodes.isSemenMeasure) }
    }
}

extension BoneDensitySection {
    /// Whether the protocol measures bone density (a DXA BMD code among its assessments).
    static func measuresBone(_ definition: ProtocolDefinition) -> Bool {
        definition.assessments.flatMap(\.codes).contains { code in ReportCodes.bmd.contains { $0.1.sameConcept(as: code) } }
    }

    /// One site's change from the last scan on or before day 0 to the latest after it; nil without both.
    static func change(_ p: ProgramParticipantData, site: SkeletalSite, code: Coding) throws -> BoneDensityChangeAssessment? {
        guard let start = p.dayZero else { return nil }
        let scans = p.record.observations.filter { $0.code.sameConcept(as: code) }.sorted { $0.effective < $1.effective }
        guard let before = scans.last(where: { $0.effectiveDate <= start })?.value.number,
              let after = scans.last(where: { $0.effectiveDate > start })?.value.number else { return nil }
        return try LeastSignificantChange.assess(site: site, previousGPerCm2: before, currentGPerCm2: after)
    }
}
