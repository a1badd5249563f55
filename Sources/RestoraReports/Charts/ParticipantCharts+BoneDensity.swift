import RestoraDomain

extension ParticipantCharts {
    /// BMD (g/cm²) at the lumbar spine, femoral neck and total hip over time, one series per site, with each
    /// site's least-significant-change band (baseline ± LSC, LSC = 2.77 × precision error, REFERENCE.md C3) from
    /// its first scan onwards. The per-site precision defaults are marked U in C3 (`PrecisionError.unconfirmedDefaults`):
    /// pass the centre's own precision study as `precision` when it exists. A site without a precision has no band.
    public static func boneDensity(_ observations: [Observation]) -> String {
        boneDensity(observations, precision: PrecisionError.unconfirmedDefaults)
    }

    public static func boneDensity(_ observations: [Observation], precision: [SkeletalSite: PrecisionError]) -> String {
        let data = BoneChartData(observations, precision: precision)
        guard data.series.contains(where: { !$0.data.points.isEmpty }) else {
            return XMLText.placeholderSVG(title: BoneChartData.title, message: "No DXA scans recorded yet")
        }
        let layout = BoneChartLayout(data)
        let area = layout.area, y = layout.y, n = XMLText.number
        var svg = ChartSVG.open(height: BoneChartLayout.height, title: BoneChartData.title, description: data.description)
        svg += ChartSVG.text(area.left, 18, "Bone mineral density by site (shaded: baseline ± least significant change)",
                             extra: " font-weight=\"bold\"")
        svg += ChartSVG.yAxis(area, layout.axis, key: "bmd", title: "BMD (g/cm²)")
        svg += ChartSVG.xAxis(area, layout.months)
        for site in data.series {
            guard let band = site.band else { continue }
            let x = layout.months(band.baseline.date), top = y.clamped(band.high), bottom = y.clamped(band.low)
            svg += "<rect data-lsc=\"\(site.style.key)\" x=\"\(n(x))\" y=\"\(n(top))\" width=\"\(n(area.right - x))\" height=\"\(n(bottom - top))\" fill=\"\(site.style.colour)\" fill-opacity=\"0.12\" stroke=\"\(site.style.colour)\" stroke-opacity=\"0.6\"\(ChartSVG.dashAttribute(site.style.dash ?? "2 2"))/>\n"
        }
        for site in data.series {
            svg += ChartSVG.series(site.data.points.map { (layout.months($0.date), y($0.value)) }, site.style)
        }
        let shown = data.series.filter { !$0.data.points.isEmpty }.map(\.style)
        svg += ChartSVG.legend(shown, x: area.left + 10, y: area.top - 12)
        svg += ChartSVG.text(area.left + area.width / 2, area.bottom + 36, "Date of scan", anchor: "middle")
        for (index, line) in data.lscNoteLines.enumerated() {
            svg += ChartSVG.text(area.left, area.bottom + 54 + Double(index) * 14, line, extra: " font-size=\"11\" fill=\"#555\"")
        }
        return svg + ChartSVG.close
    }
}

struct BoneChartData {
    static let title = "Bone mineral density (DXA) over time"
    static let sites: [SkeletalSite] = [.lumbarSpine, .femoralNeck, .totalHip]

    struct LSCBand {
        var baseline: ChartPoint
        /// The LSC in g/cm² (a %CV precision is taken as a percentage of the baseline BMD, as the domain assesses).
        var lscGPerCm2: Double
        var low: Double { baseline.value - lscGPerCm2 }
        var high: Double { baseline.value + lscGPerCm2 }
    }

    struct Site {
        var site: SkeletalSite
        var style: SeriesStyle
        var data: ChartSeriesData
        var precision: PrecisionError?
        var band: LSCBand?
    }

    var series: [Site]
    var usedUnconfirmedDefaults: Bool

    init(_ observations: [Observation], precision: [SkeletalSite: PrecisionError]) {
        let styles: [SkeletalSite: (String, String?, SeriesStyle.Marker)] = [
            .lumbarSpine: (SeriesStyle.blue, nil, .circle),
            .femoralNeck: (SeriesStyle.vermillion, "6 3", .triangle),
            .totalHip: (SeriesStyle.green, "2 3", .square),
        ]
        series = Self.sites.map { site in
            let code = ClinicalCodes.dxaBMD(site)
            let data = ChartSeriesData.read(observations, matches: { $0.sameConcept(as: code) },
                                            convert: { ["g/cm2", "g/cm²"].contains($0.unit) ? $0.value : nil },
                                            allowed: 0.01...5)
            let (colour, dash, marker) = styles[site] ?? (SeriesStyle.black, nil, .diamond)
            let style = SeriesStyle(key: site.rawValue, name: site.displayName.capitalizedFirst, colour: colour, dash: dash, marker: marker)
            let given = precision[site].flatMap { $0.value > 0 && $0.value.isFinite ? $0 : nil }
            var band: LSCBand?
            if let given, let baseline = data.points.first {
                let lsc = given.leastSignificantChange
                band = LSCBand(baseline: baseline, lscGPerCm2: given.unit == .percent ? baseline.value * lsc / 100 : lsc)
            }
            return Site(site: site, style: style, data: data, precision: given, band: band)
        }
        usedUnconfirmedDefaults = Self.sites.contains { site in
            precision[site] != nil && precision[site] == PrecisionError.unconfirmedDefaults[site]
        }
    }

    var allValues: [Double] {
        series.flatMap { $0.data.points.map(\.value) + ($0.band.map { [$0.low, $0.high] } ?? []) }
    }

    /// What the bands are, on at most two short lines (the SVG is 660 px wide).
    var lscNoteLines: [String] {
        let parts = series.compactMap { site -> String? in
            guard let p = site.precision, !site.data.points.isEmpty else { return nil }
            let lsc = p.leastSignificantChange
            let value = p.unit == .percent ? ChartText.short(lsc, places: 1) + "%" : ChartText.short(lsc, places: 3) + " g/cm²"
            return "\(site.site.displayName) \(value)"
        }
        guard !parts.isEmpty else { return ["No LSC band: no precision error configured for these sites."] }
        var lines = ["LSC = 2.77 × precision error: " + parts.joined(separator: ", ")]
        if usedUnconfirmedDefaults {
            lines.append("Precision: unconfirmed defaults (REFERENCE.md C3, U); use the centre's own precision study.")
        }
        return lines
    }

    var lscNote: String { lscNoteLines.joined(separator: ". ") }

    var description: String {
        var text = series.map { site -> String in
            var part = "\(site.style.name): \(site.data.summary(unit: "g/cm²", places: 3))"
            if let band = site.band {
                part += "; baseline \(ChartText.short(band.baseline.value)) g/cm² on \(band.baseline.date), LSC band "
                    + "\(ChartText.short(band.low)) to \(ChartText.short(band.high)) g/cm²"
                if let last = site.data.points.last, site.data.points.count > 1 {
                    part += last.value > band.high || last.value < band.low ? ", latest outside the band" : ", latest within the band"
                }
            }
            return part + "." + site.data.skippedSentence
        }.joined(separator: " ")
        text += " " + lscNote
        return text
    }
}

struct BoneChartLayout {
    static let height = 400.0
    let area = PlotArea(left: 78, top: 56, width: 560, height: 260)
    let months: MonthAxis
    let axis: NiceAxis
    var y: LinearScale { area.yScale(axis) }

    init(_ data: BoneChartData) {
        months = MonthAxis(dates: data.series.flatMap { $0.data.points.map(\.date) }, left: area.left, width: area.width)
        let values = data.allValues
        axis = NiceAxis(minimum: values.min() ?? 0.5, maximum: values.max() ?? 1.2, target: 5)
    }
}

extension String {
    /// "lumbar spine" → "Lumbar spine".
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
