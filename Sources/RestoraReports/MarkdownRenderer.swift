/// The report as Markdown (GitHub-flavoured tables). Every unavailable section prints its reason.
public enum MarkdownRenderer {
    public static func render(_ report: StudyReport) -> String {
        var out = ReportText.sections(report).map { section in
            var text = "## \(section.title)\n\n"
            if let reason = section.unavailable { text += "_Not available: \(reason)._\n\n" }
            for block in section.blocks { if let rendered = markdown(block) { text += rendered + "\n" } }
            for note in section.notes { text += "> Note: \(note)\n" }
            return text
        }.joined(separator: "\n")
        let p = report.program
        var header = "# \(p.name)\n\n"
        if let label = p.label { header += "**\(label)**\n\n" }
        header += "Protocol `\(p.protocolID)` v\(p.protocolVersion) (\(p.kind)); data as of \(p.asOf)\(p.asOfRule.map { " (\($0))" } ?? "").\n\n"
        if p.showsVersions, let versions = p.versions {
            header += "Participants by protocol version (the version each enrolment runs under):\n\n| Version | Participants |\n| --- | --- |\n"
            header += versions.map { "| v\($0.version) | \($0.participants) |\n" }.joined() + "\n"
        }
        for note in report.notes { header += "- \(note)\n" }
        if !report.notes.isEmpty { header += "\n" }
        out = header + out
        return out.hasSuffix("\n") ? out : out + "\n"
    }

    /// nil for figures: they are SVG, drawn only in the HTML page.
    static func markdown(_ block: ReportText.Block) -> String? {
        switch block {
        case let .paragraph(text):
            return text + "\n"
        case let .table(header, rows):
            let cells = { (row: [String]) in "| " + row.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |" }
            return ([cells(header), "|" + header.map { _ in " --- |" }.joined()] + rows.map(cells)).joined(separator: "\n") + "\n"
        case let .list(items):
            return items.map { "- \($0)" }.joined(separator: "\n") + "\n"
        case .figure:
            return nil
        }
    }
}
