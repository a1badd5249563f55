import RestoraDomain

extension ParticipantCharts {
    /// Triglycerides and total cholesterol over time in mg/dL, each panel shaded with its CTCAE v5.0 grade
    /// bands (REFERENCE.md E1). Cholesterol grade 1 starts at the laboratory's ULN, so it is shaded only when a
    /// ULN is known: `cholesterolULN` (mg/dL or mmol/L) when given, else the ULN the laboratory printed with
    /// the latest cholesterol result that has one (issue #19: a ULN entered with the value is used); grades
    /// 2–4 are absolute and always shaded.
    public static func lipids(_ observations: [Observation]) -> String { lipids(observations, cholesterolULN: nil) }

    public static func lipids(_ observations: [Observation], cholesterolULN: Quantity?) -> String {
        let data = LipidChartData(observations, cholesterolULN: cholesterolULN)
        guard !(data.triglyceride.points.isEmpty && data.cholesterol.points.isEmpty) else {
            return XMLText.placeholderSVG(title: LipidChartData.title, message: "No lipid results recorded yet")
        }
        let layout = LipidChartLayout(data)
        var svg = ChartSVG.open(height: LipidChartLayout.height, title: LipidChartData.title, description: data.description)
        let panels: [(PlotArea, NiceAxis, [CTCAEGradeBand], ChartSeriesData, SeriesStyle, String)] = [
            (layout.upper, layout.triglycerideAxis, LipidChartData.triglycerideBands, data.triglyceride,
             LipidChartData.triglycerideStyle, "Triglycerides (CTCAE v5.0 hypertriglyceridemia grades shaded)"),
            (layout.lower, layout.cholesterolAxis, data.cholesterolBands, data.cholesterol,
             LipidChartData.cholesterolStyle, "Total cholesterol (CTCAE v5.0 cholesterol-high grades shaded)"),
        ]
        for (area, axis, bands, series, style, heading) in panels {
            let y = area.yScale(axis)
            svg += ChartSVG.text(area.left, area.top - 30, heading, extra: " font-weight=\"bold\"")
            svg += gradeBands(area, y, bands, key: style.key)
            svg += ChartSVG.yAxis(area, axis, key: style.key, title: "\(style.name) (mg/dL)")
            svg += ChartSVG.xAxis(area, layout.months)
            svg += ChartSVG.series(series.points.map { (layout.months($0.date), y($0.value)) }, style)
            svg += ChartSVG.legend([style], x: area.left + 10, y: area.top - 12)
        }
        if data.cholesterolULN == nil {
            svg += ChartSVG.text(layout.lower.right, layout.lower.top - 12, "Grade 1 (>ULN) not shaded: no ULN given",
                                 anchor: "end", extra: " font-size=\"11\" fill=\"#555\"")
        }
        svg += ChartSVG.text(layout.lower.left + layout.lower.width / 2, layout.lower.bottom + 36, "Date of sample", anchor: "middle")
        return svg + ChartSVG.close
    }

    /// Shaded CTCAE grade bands, lighter to darker with the grade so that they read in grey print, each labelled.
    static func gradeBands(_ area: PlotArea, _ y: LinearScale, _ bands: [CTCAEGradeBand], key: String) -> String {
        let fills = [1: "#fdf1c7", 2: "#fbd3a3", 3: "#f3a58f", 4: "#d97b7b"]
        let n = XMLText.number
        var svg = ""
        for band in bands {
            let top = y.clamped(band.upper ?? y.upper), bottom = y.clamped(band.lower)
            guard bottom - top > 0.5 else { continue }
            svg += "<rect data-band=\"\(key)\" data-grade=\"\(band.grade)\" x=\"\(n(area.left))\" y=\"\(n(top))\" width=\"\(n(area.width))\" height=\"\(n(bottom - top))\" fill=\"\(fills[band.grade] ?? "#eee")\" fill-opacity=\"0.75\">"
                + "<title>\(XMLText.escape("Grade \(band.grade): \(band.criterion)"))</title></rect>\n"
            if bottom - top >= 12 {
                svg += ChartSVG.text(area.left + 6, (top + bottom) / 2 + 4, "Grade \(band.grade)", extra: " font-size=\"11\" fill=\"#5a2a00\"")
            }
        }
        return svg
    }
}

/// Triglyceride and cholesterol series in mg/dL, read by the domain's CTCAE lab codes (REFERENCE.md F1).
struct LipidChartData {
    static let title = "Lipids over time with CTCAE grades"
    static let displayUnit = CTCAELabUnit.milligramsPerDecilitre
    /// CTCAE v5.0 hypertriglyceridemia, mg/dL column (REFERENCE.md E1).
    static var triglycerideBands: [CTCAEGradeBand] { CTCAELabScales.triglycerideMgPerDL }

    static let triglycerideStyle = SeriesStyle(key: "triglyceride", name: "Triglycerides", colour: SeriesStyle.vermillion,
                                               dash: nil, marker: .circle)
    static let cholesterolStyle = SeriesStyle(key: "cholesterol", name: "Total cholesterol", colour: SeriesStyle.blue,
                                              dash: "6 3", marker: .square)

    var triglyceride: ChartSeriesData
    var cholesterol: ChartSeriesData
    /// The cholesterol ULN in mg/dL, when one was given in a lipid unit.
    var cholesterolULN: Double?

    init(_ observations: [Observation], cholesterolULN uln: Quantity?) {
        func read(_ lipid: LipidConversion) -> ChartSeriesData {
            ChartSeriesData.read(observations, matches: { CTCAELabCodes.lipid(for: $0) == lipid },
                                 convert: { LipidChartData.toDisplay($0, lipid) })
        }
        triglyceride = read(.triglyceride)
        cholesterol = read(.cholesterol)
        let recorded = observations
            .filter { CTCAELabCodes.lipid(for: $0.code) == .cholesterol && $0.upperLimitOfNormal != nil }
            .max { $0.effective < $1.effective }
            .flatMap { observation -> Quantity? in
                guard case let .quantity(value) = observation.value, let limit = observation.upperLimitOfNormal else { return nil }
                return Quantity(limit, value.unit)
            }
        cholesterolULN = (uln ?? recorded).flatMap { Self.toDisplay($0, .cholesterol) }.flatMap { $0 > 0 ? $0 : nil }
    }

    /// mg/dL or mmol/L (any spelling CTCAELabUnit accepts) to mg/dL with the domain's factor (REFERENCE.md E1
    /// paired columns; 88.57 for triglyceride, 38.67 for cholesterol). Bands use CTCAE's printed mg/dL cut-offs,
    /// so a mmol/L value within ~1 % of a cut-off may sit across a band edge from its own-unit grade (e.g. 1.70
    /// mmol/L is below grade 1 by the printed 1.71 but converts to 150.6 mg/dL); the safety table's grade rules.
    static func toDisplay(_ quantity: Quantity, _ lipid: LipidConversion) -> Double? {
        guard let unit = CTCAELabUnit(spelling: quantity.unit),
              unit == .milligramsPerDecilitre || unit == .millimolesPerLitre else { return nil }
        return try? lipid.convert(quantity.value, from: unit, to: displayUnit)
    }

    /// Cholesterol high (REFERENCE.md E1): grade 1 is >ULN–300 mg/dL; without a ULN only grades 2–4 are known.
    var cholesterolBands: [CTCAEGradeBand] {
        if let uln = cholesterolULN, uln < Self.cholesterolGradeTwoFloor { return CTCAELabScales.cholesterolMgPerDL(uln: uln) }
        return CTCAELabScales.cholesterolMgPerDL(uln: Self.cholesterolGradeTwoFloor).filter { $0.grade >= 2 }
    }

    static var cholesterolGradeTwoFloor: Double {
        CTCAELabScales.cholesterolMgPerDL(uln: 0).first { $0.grade == 2 }?.lower ?? 300
    }

    static var triglycerideGradeTwoFloor: Double { triglycerideBands.first { $0.grade == 2 }?.lower ?? 300 }

    var allDates: [CalendarDate] { (triglyceride.points + cholesterol.points).map(\.date) }

    var description: String {
        func part(_ name: String, _ series: ChartSeriesData, _ bands: [CTCAEGradeBand]) -> String {
            var text = "\(name): \(series.summary(unit: "mg/dL", places: 0))"
            if let highest = series.points.map(\.value).max() {
                let grade = bands.first { $0.contains(highest) }?.grade
                text += ", highest \(ChartText.short(highest, places: 0)) mg/dL"
                    + (grade.map { " (CTCAE grade \($0) band)" } ?? " (below the shaded grades)")
            }
            return text + "." + series.skippedSentence
        }
        return part("Triglycerides", triglyceride, Self.triglycerideBands) + " "
            + part("Total cholesterol", cholesterol, cholesterolBands)
            + (cholesterolULN == nil ? " Cholesterol grade 1 (above ULN) is not shaded because no ULN was given." : "")
            + " mmol/L results are converted to mg/dL."
    }
}

struct LipidChartLayout {
    static let height = 520.0
    let upper = PlotArea(left: 78, top: 56, width: 560, height: 170)
    let lower = PlotArea(left: 78, top: 306, width: 560, height: 170)
    let months: MonthAxis
    let triglycerideAxis: NiceAxis
    let cholesterolAxis: NiceAxis

    init(_ data: LipidChartData) {
        months = MonthAxis(dates: data.allDates, left: upper.left, width: upper.width)
        // From 0, always showing grade 1 and part of grade 2 so the shading gives context to normal values.
        let tgTop = max((data.triglyceride.points.map(\.value).max() ?? 0) * 1.1, LipidChartData.triglycerideGradeTwoFloor * 1.2)
        triglycerideAxis = NiceAxis(minimum: 0, maximum: tgTop, target: 5)
        let cholTop = max((data.cholesterol.points.map(\.value).max() ?? 0) * 1.1, LipidChartData.cholesterolGradeTwoFloor * 1.2)
        cholesterolAxis = NiceAxis(minimum: 0, maximum: cholTop, target: 5)
    }
}
