import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import RestoraDomain
@testable import RestoraReports
import Testing

/// The web app's SVG charts (issue #7): well-formed, accessible, limits drawn where the clinical values fall.
@Suite struct ParticipantChartsTests {
    // MARK: Parsing helpers

    struct Element {
        var name: String
        var attributes: [String: String]
        func number(_ key: String) -> Double? { attributes[key].flatMap(Double.init) }
    }

    final class Collector: NSObject, XMLParserDelegate, @unchecked Sendable {
        var error: Error?
        var elements: [Element] = []
        var texts: [String: String] = [:]
        private var current: String?
        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { error = parseError }
        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            elements.append(Element(name: elementName, attributes: attributeDict))
            current = elementName
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let current, current == "desc" || current == "title" { texts[current, default: ""] += string }
        }
        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            current = nil
        }
    }

    struct Parsed {
        var elements: [Element]
        var texts: [String: String]
        var root: Element? { elements.first }
        func all(_ key: String, _ value: String) -> [Element] { elements.filter { $0.attributes[key] == value } }
        /// The pixel of `value` on an axis, interpolated from the axis's own labelled grid lines (independent of
        /// the chart's scale code).
        func y(_ value: Double, axis: String) -> Double? {
            let ticks = all("data-axis", axis).compactMap { e -> (Double, Double)? in
                guard let v = e.attributes["data-tick"].flatMap(Double.init), let y = e.number("y1") else { return nil }
                return (v, y)
            }.sorted { $0.0 < $1.0 }
            guard let low = ticks.first, let high = ticks.last, high.0 > low.0 else { return nil }
            return low.1 + (value - low.0) / (high.0 - low.0) * (high.1 - low.1)
        }
        func markers(_ series: String) -> [Element] {
            // Markers follow their series group; collect the paths with a centre inside that group.
            guard let start = elements.firstIndex(where: { $0.attributes["data-series"] == series }) else { return [] }
            return elements[(start + 1)...].prefix { $0.name == "path" }.filter { $0.attributes["data-cy"] != nil }
        }
    }

    static func parse(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) -> Parsed {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        let ok = parser.parse()
        #expect(ok && collector.error == nil, "not well-formed: \(collector.error.map { "\($0)" } ?? "")", sourceLocation: sourceLocation)
        #expect(collector.elements.first?.name == "svg", sourceLocation: sourceLocation)
        #expect(collector.elements.first?.attributes["role"] == "img", sourceLocation: sourceLocation)
        #expect(collector.elements.first?.attributes["aria-label"]?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(collector.texts["title"]?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(!svg.contains("NaN") && !svg.contains("Infinity"), sourceLocation: sourceLocation)
        return Parsed(elements: collector.elements, texts: collector.texts)
    }

    // MARK: Fixtures built with the domain initialisers

    static func date(_ text: String) -> Date { CalendarDate(text)!.startOfDayUTC.addingTimeInterval(9 * 3600) }

    static func observation(_ code: Coding, _ value: Double, _ unit: String, on day: String, id: String = UUID().uuidString) -> Observation {
        Observation(id: Identifier(id), participantID: "P-001", code: code, value: .quantity(Quantity(value, unit)), effective: date(day))
    }

    static var semenSeries: [Observation] {
        [
            observation(ClinicalCodes.spermConcentration, 0.5, "10*6/mL", on: "2025-01-10"),
            observation(ClinicalCodes.totalMotility, 20, "%", on: "2025-01-10"),
            observation(ClinicalCodes.progressiveMotility, 10, "%", on: "2025-01-10"),
            observation(ClinicalCodes.spermConcentration, 16, "10^6/mL", on: "2025-04-12"),
            observation(ClinicalCodes.totalMotility, 45, "%", on: "2025-04-12"),
            observation(ClinicalCodes.progressiveMotility, 31, "%", on: "2025-04-12"),
            observation(ClinicalCodes.spermConcentration, 22, "/nL", on: "2025-07-15"),
        ]
    }

    // MARK: Semen

    @Test func semenLimitLinesSitAtTheWHO2021Values() throws {
        let svg = ParticipantCharts.semen(Self.semenSeries)
        let parsed = Self.parse(svg)
        let limits = SemenReferenceLimits.who2021
        for (key, axis, value) in [("concentration", "concentration", limits.concentrationMillionPerML),
                                   ("total-motility", "motility", limits.totalMotilityPercent),
                                   ("progressive-motility", "motility", limits.progressiveMotilityPercent)] {
            let line = try #require(parsed.all("data-limit", key).first, "no \(key) limit line")
            let expected = try #require(parsed.y(value, axis: axis))
            #expect(abs((line.number("y1") ?? -1) - expected) < 0.02, "\(key): \(line.attributes) vs \(expected)")
            #expect(line.number("y1") == line.number("y2"))
        }
        // Cross-check with the chart's own scale, and with the marker of the observation that equals the limit.
        let layout = SemenChartLayout(SemenChartData(Self.semenSeries))
        let line = try #require(parsed.all("data-limit", "concentration").first)
        #expect(abs((line.number("y1") ?? 0) - layout.concentration(limits.concentrationMillionPerML)) < 0.01)
        let markers = parsed.markers("concentration")
        #expect(markers.count == 3)
        #expect(markers.contains { abs(($0.number("data-cy") ?? 0) - (line.number("y1") ?? -1)) < 0.01 })
        #expect(svg.contains("WHO 2021 lower limit 16"))
        #expect(svg.contains("30%") && svg.contains("42%"))
        #expect(parsed.texts["desc"]?.contains("3 values") == true)
    }

    @Test func semenSkipsWrongUnitsAndNonFiniteValues() {
        var observations = Self.semenSeries
        observations.append(Self.observation(ClinicalCodes.spermConcentration, 30, "10*6/L", on: "2025-08-01"))
        observations.append(Self.observation(ClinicalCodes.spermConcentration, .nan, "10*6/mL", on: "2025-08-02"))
        observations.append(Self.observation(ClinicalCodes.totalMotility, .infinity, "%", on: "2025-08-03"))
        observations.append(Self.observation(ClinicalCodes.totalMotility, 140, "%", on: "2025-08-04"))
        let parsed = Self.parse(ParticipantCharts.semen(observations))
        #expect(parsed.markers("concentration").count == 3)
        #expect(parsed.markers("total-motility").count == 2)
        #expect(parsed.texts["desc"]?.contains("10*6/L") == true)
        let onlyBad = [Self.observation(ClinicalCodes.spermConcentration, .nan, "10*6/mL", on: "2025-08-02")]
        #expect(ParticipantCharts.semen(onlyBad).contains("No semen analyses recorded yet"))
    }

    // MARK: Lipids

    @Test func gradeThreeTriglycerideShowsGradeBands() throws {
        let observations = [
            Self.observation(ClinicalCodes.triglyceride, 120, "mg/dL", on: "2025-02-01"),
            Self.observation(ClinicalCodes.triglyceride, 700, "mg/dL", on: "2025-03-01"),
            Self.observation(ClinicalCodes.totalCholesterol, 210, "mg/dL", on: "2025-03-01"),
        ]
        let svg = ParticipantCharts.lipids(observations)
        let parsed = Self.parse(svg)
        let bands = parsed.all("data-band", "triglyceride")
        #expect(Set(bands.compactMap { $0.attributes["data-grade"] }).isSuperset(of: ["1", "2", "3"]))
        for band in bands {
            let grade = try #require(band.attributes["data-grade"].flatMap(Int.init))
            let scale = try #require(CTCAELabScales.triglycerideMgPerDL.first { $0.grade == grade })
            let bottom = try #require(parsed.y(scale.lower, axis: "triglyceride"))
            #expect(abs((band.number("y") ?? 0) + (band.number("height") ?? 0) - bottom) < 0.05, "grade \(grade) floor")
        }
        #expect(svg.contains("Grade 3"))
        #expect(parsed.texts["desc"]?.contains("highest 700 mg/dL (CTCAE grade 3 band)") == true)
        // Without a ULN, cholesterol grade 1 is not shaded; with one it is.
        #expect(!parsed.all("data-band", "cholesterol").contains { $0.attributes["data-grade"] == "1" })
        let withULN = Self.parse(ParticipantCharts.lipids(observations, cholesterolULN: Quantity(5.17, "mmol/L")))
        #expect(withULN.all("data-band", "cholesterol").contains { $0.attributes["data-grade"] == "1" })
    }

    /// Issue #19: a ULN entered with the cholesterol value shades grade 1 (the chart said "no ULN given").
    @Test func cholesterolULNEnteredWithTheValueShadesGradeOne() throws {
        var cholesterol = Self.observation(ClinicalCodes.totalCholesterol, 210, "mg/dL", on: "2025-03-01")
        cholesterol.upperLimitOfNormal = 200
        var older = Self.observation(ClinicalCodes.totalCholesterol, 5.0, "mmol/L", on: "2025-01-01")
        older.upperLimitOfNormal = 4.0
        let svg = ParticipantCharts.lipids([older, cholesterol])
        let parsed = Self.parse(svg)
        #expect(!svg.contains("no ULN given"))
        let gradeOne = try #require(parsed.all("data-band", "cholesterol").first { $0.attributes["data-grade"] == "1" })
        // Grade 1 starts at the latest result's ULN, 200 mg/dL.
        let floor = try #require(parsed.y(200, axis: "cholesterol"))
        #expect(abs((gradeOne.number("y") ?? 0) + (gradeOne.number("height") ?? 0) - floor) < 0.05)
        #expect(parsed.texts["desc"]?.contains("no ULN was given") == false)
        // A ULN in mmol/L converts: 5.17 mmol/L ≈ 200 mg/dL.
        var mmol = Self.observation(ClinicalCodes.totalCholesterol, 6.0, "mmol/L", on: "2025-03-01")
        mmol.upperLimitOfNormal = 5.17
        #expect(!ParticipantCharts.lipids([mmol]).contains("no ULN given"))
        // Without any ULN the note stays.
        #expect(ParticipantCharts.lipids([Self.observation(ClinicalCodes.totalCholesterol, 210, "mg/dL", on: "2025-03-01")]).contains("no ULN given"))
    }

    @Test func mmolPerLitreTriglycerideLandsWhereItsMgPerDLEquivalentDoes() throws {
        let factor = LipidConversion.triglyceride.mgPerDLPerMmolPerL
        let observations = [
            Self.observation(ClinicalCodes.triglyceride, 5.0, "mmol/L", on: "2025-02-01"),
            Self.observation(ClinicalCodes.triglyceride, 5.0 * factor, "mg/dL", on: "2025-03-01"),
            Self.observation(ClinicalCodes.totalCholesterol, 6.0, "mmol/L", on: "2025-02-01"),
            Self.observation(ClinicalCodes.totalCholesterol, 6.0 * LipidConversion.cholesterol.mgPerDLPerMmolPerL, "mg/dL", on: "2025-03-01"),
        ]
        let parsed = Self.parse(ParticipantCharts.lipids(observations))
        for series in ["triglyceride", "cholesterol"] {
            let markers = parsed.markers(series)
            #expect(markers.count == 2)
            #expect(markers.first?.number("data-cy") == markers.last?.number("data-cy"), "\(series)")
            #expect(markers.first?.number("data-cx") != markers.last?.number("data-cx"))
        }
        let y = try #require(parsed.y(5.0 * factor, axis: "triglyceride"))
        #expect(abs((parsed.markers("triglyceride").first?.number("data-cy") ?? 0) - y) < 0.05)
    }

    @Test func oddUnitTextIsEscaped() {
        let observations = [
            Self.observation(ClinicalCodes.triglyceride, 180, "mg/dL", on: "2025-02-01"),
            Self.observation(ClinicalCodes.triglyceride, 2, "mg<dL>&\"'", on: "2025-03-01"),
        ]
        let svg = ParticipantCharts.lipids(observations)
        let parsed = Self.parse(svg)
        #expect(svg.contains("mg&lt;dL&gt;&amp;&quot;&#39;"))
        #expect(parsed.texts["desc"]?.contains("mg<dL>&\"'") == true)
        #expect(parsed.markers("triglyceride").count == 1)
    }

    // MARK: Bone density

    static var dxaSeries: [Observation] {
        [
            observation(ClinicalCodes.dxaBMD(.lumbarSpine), 0.900, "g/cm2", on: "2024-01-15"),
            observation(ClinicalCodes.dxaBMD(.femoralNeck), 0.640, "g/cm2", on: "2024-01-15"),
            observation(ClinicalCodes.dxaBMD(.totalHip), 0.760, "g/cm2", on: "2024-01-15"),
            observation(ClinicalCodes.dxaTScore(.lumbarSpine), -1.3, "{T-score}", on: "2024-01-15"),
            observation(ClinicalCodes.dxaBMD(.lumbarSpine), 0.960, "g/cm2", on: "2025-01-20"),
            observation(ClinicalCodes.dxaBMD(.femoralNeck), 0.650, "g/cm2", on: "2025-01-20"),
            observation(ClinicalCodes.dxaBMD(.totalHip), 0.770, "mg/cm2", on: "2025-01-20"),
        ]
    }

    @Test func leastSignificantChangeBandAroundEachBaseline() throws {
        let parsed = Self.parse(ParticipantCharts.boneDensity(Self.dxaSeries))
        for (site, baseline) in [(SkeletalSite.lumbarSpine, 0.900), (.femoralNeck, 0.640), (.totalHip, 0.760)] {
            let band = try #require(parsed.all("data-lsc", site.rawValue).first, "\(site) band")
            let precision = try #require(PrecisionError.unconfirmedDefaults[site])
            let lsc = baseline * precision.leastSignificantChange / 100  // %CV precision (REFERENCE.md C3)
            let top = try #require(parsed.y(baseline + lsc, axis: "bmd"))
            let bottom = try #require(parsed.y(baseline - lsc, axis: "bmd"))
            #expect(abs((band.number("y") ?? 0) - top) < 0.05, "\(site) top")
            #expect(abs((band.number("height") ?? 0) - (bottom - top)) < 0.05, "\(site) height")
        }
        #expect(parsed.markers("lumbar-spine").count == 2)
        #expect(parsed.markers("total-hip").count == 1)  // the mg/cm2 value is skipped, not misplotted
        #expect(parsed.texts["desc"]?.contains("latest outside the band") == true)  // +6.7 % at the spine
        #expect(parsed.texts["desc"]?.contains("REFERENCE.md C3") == true)
    }

    @Test func bonePrecisionCanBeGivenInGramsPerSquareCentimetre() throws {
        let precision: [SkeletalSite: PrecisionError] = [.lumbarSpine: PrecisionError(value: 0.01, unit: .gPerCm2)]
        let parsed = Self.parse(ParticipantCharts.boneDensity(Self.dxaSeries, precision: precision))
        let band = try #require(parsed.all("data-lsc", "lumbar-spine").first)
        let top = try #require(parsed.y(0.9 + 0.0277, axis: "bmd"))
        #expect(abs((band.number("y") ?? 0) - top) < 0.05)
        #expect(parsed.all("data-lsc", "femoral-neck").isEmpty)
    }

    // MARK: Enrolment

    static func enrolment(_ id: String, enrolledOn day: String?) throws -> Enrolment {
        var e = Enrolment(id: Identifier(id), participantID: Identifier("P-\(id)"), programID: "isotretinoin-noa", siteID: "S1")
        let actor = Actor(userID: "coordinator")
        let path: [EnrolmentStatus] = day == nil ? [.screening] : [.screening, .eligible, .consented, .enrolled, .onTreatment]
        for status in path {
            try e.transition(to: status, by: actor, at: date(day ?? "2025-01-01"), reason: "test")
        }
        return e
    }

    @Test func enrolmentIsCumulativeByMonth() throws {
        let enrolments = try [
            Self.enrolment("1", enrolledOn: "2025-01-05"), Self.enrolment("2", enrolledOn: "2025-01-28"),
            Self.enrolment("3", enrolledOn: "2025-03-02"), Self.enrolment("4", enrolledOn: nil),
        ]
        let data = EnrolmentChartData(enrolments)
        #expect(data.monthly.map(\.cumulative) == [2, 2, 3])
        #expect(data.notEnrolled == 1)
        let parsed = Self.parse(ProgramCharts.enrolmentOverTime(enrolments))
        let markers = parsed.markers("enrolled")
        #expect(markers.count == 4)
        let top = try #require(parsed.y(3, axis: "enrolled"))
        #expect(abs((markers.last?.number("data-cy") ?? 0) - top) < 0.05)
        #expect(parsed.texts["desc"]?.contains("3 participants enrolled from Jan 2025 to Mar 2025") == true)
    }

    // MARK: Placeholders

    @Test func emptyInputGivesPlaceholders() throws {
        let unrelated = [Self.observation(ClinicalCodes.fsh, 12, "[IU]/L", on: "2025-01-01")]
        let cases = [
            (ParticipantCharts.semen([]), "No semen analyses recorded yet"),
            (ParticipantCharts.semen(unrelated), "No semen analyses recorded yet"),
            (ParticipantCharts.lipids(unrelated), "No lipid results recorded yet"),
            (ParticipantCharts.boneDensity([]), "No DXA scans recorded yet"),
            (ProgramCharts.enrolmentOverTime([]), "No participants enrolled yet"),
            (ProgramCharts.enrolmentOverTime([try Self.enrolment("9", enrolledOn: nil)]), "No participants enrolled yet"),
        ]
        for (svg, message) in cases {
            _ = Self.parse(svg)
            #expect(svg.contains(message))
        }
    }

    @Test func singleValueAndDeterminism() {
        let one = [Self.observation(ClinicalCodes.spermConcentration, 0, "10*6/mL", on: "2025-05-31")]
        let svg = ParticipantCharts.semen(one)
        _ = Self.parse(svg)
        #expect(svg == ParticipantCharts.semen(one))
        #expect(svg.contains("May 2025"))
    }
}
