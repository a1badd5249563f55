/// The report as one self-contained HTML page: inline CSS, inline SVG figures, no scripts, no external
/// fonts or CDN, so it can be mailed, archived or opened offline.
public enum HTMLRenderer {
    public static func render(_ report: StudyReport) -> String {
        let p = report.program
        var body = "<header>\n"
        if let label = p.label { body += "<p class=\"synthetic\">\(e(label))</p>\n" }
        body += "<h1>\(e(p.name))</h1>\n<p class=\"meta\">Protocol <code>\(e(p.protocolID))</code> v\(e(p.protocolVersion)) (\(e(p.kind))); data as of \(p.asOf)\(e(p.asOfRule.map { " (\($0))" } ?? "")).</p>\n"
        if p.showsVersions, let versions = p.versions {
            body += "<table class=\"versions\"><caption>Participants by protocol version (the version each enrolment runs under)</caption>"
                + "<thead><tr><th>Version</th><th>Participants</th></tr></thead><tbody>"
                + versions.map { "<tr><td>v\(e($0.version))</td><td class=\"num\">\($0.participants)</td></tr>" }.joined() + "</tbody></table>\n"
        }
        if !report.notes.isEmpty { body += "<ul class=\"notes\">" + report.notes.map { "<li>\(e($0))</li>" }.joined() + "</ul>\n" }
        body += "</header>\n<main>\n"
        for section in ReportText.sections(report) {
            body += "<section id=\"\(e(section.id))\">\n<h2>\(e(section.title))</h2>\n"
            if let reason = section.unavailable { body += "<p class=\"unavailable\">Not available: \(e(reason)).</p>\n" }
            for block in section.blocks { body += html(block, report) }
            for note in section.notes { body += "<p class=\"note\">Note: \(e(note))</p>\n" }
            body += "</section>\n"
        }
        body += "</main>\n"
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(e(p.name)) — study report</title>
        <style>\(style)</style>
        </head>
        <body>
        \(body)</body>
        </html>

        """
    }

    static func html(_ block: ReportText.Block, _ report: StudyReport) -> String {
        switch block {
        case let .paragraph(text):
            return "<p>\(inline(text))</p>\n"
        case let .table(header, rows):
            let head = "<tr>" + header.map { "<th>\(e($0))</th>" }.joined() + "</tr>"
            let cells = rows.map { "<tr>" + $0.map { "<td>\(e($0))</td>" }.joined() + "</tr>" }.joined(separator: "\n")
            return "<table>\n<thead>\(head)</thead>\n<tbody>\n\(cells)\n</tbody>\n</table>\n"
        case let .list(items):
            return "<ul>" + items.map { "<li>\(inline($0))</li>" }.joined() + "</ul>\n"
        case .figure(.flow):
            return "<figure>\n\(FlowDiagramSVG.render(report.flow))<figcaption>Participant flow</figcaption>\n</figure>\n"
        case .figure(.incidence):
            return "<figure>\n\(IncidenceCurveSVG.render(report.timeToResponse))<figcaption>Time to first response with numbers at risk</figcaption>\n</figure>\n"
        }
    }

    static func e(_ text: String) -> String { XMLText.escape(text) }

    /// Escapes, then turns the Markdown-style **bold** the shared text uses into <strong>.
    static func inline(_ text: String) -> String {
        let parts = e(text).components(separatedBy: "**")
        return parts.enumerated().map { $0.offset % 2 == 1 && $0.offset < parts.count - 1 ? "<strong>\($0.element)</strong>" : $0.element }
            .joined()
    }

    static let style = """
    body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.45}
    h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;border-bottom:1px solid #ccd;padding-bottom:.2rem;margin-top:2rem}
    .synthetic{background:#fff3cd;border:1px solid #e0b400;padding:.4rem .7rem;font-weight:bold;display:inline-block}
    .meta{color:#555}.unavailable{color:#8a4b00;font-style:italic}.note{color:#555;font-size:.9rem}
    table{border-collapse:collapse;margin:.6rem 0;font-size:.92rem}th,td{border:1px solid #ccd;padding:.25rem .5rem;text-align:left;vertical-align:top}
    th{background:#f0f3f8}figure{margin:1rem 0}figcaption{color:#555;font-size:.9rem}svg{max-width:100%;height:auto}
    """
}
