import Foundation
import RestoraDomain

/// The SDTM datasets Restora writes (SDTMIG 3.4) in package order, and the mapping of one chunk of
/// participants to their rows. docs/sdtm.md is the mapping table.
public enum SDTMMapping {
    /// The subject-level domains, in the order of the package.
    public static let subjectDatasets: [DatasetSpec] = [
        DMDataset.spec, DSDataset.spec, EXDataset.spec, CMDataset.spec, MHDataset.spec, LBDataset.spec, MKDataset.spec,
        AEDataset.spec, PRDataset.spec,
    ]

    public static let supplementalDatasets: [DatasetSpec] = [
        DMDataset.supplementSpec, DSDataset.supplementSpec, CMDataset.supplementSpec, MHDataset.supplementSpec, LBDataset.supplementSpec,
        AEDataset.supplementSpec, PRDataset.supplementSpec,
    ]

    public static let trialDesignDatasets: [DatasetSpec] = [
        TADataset.spec, TEDataset.spec, TVDataset.spec, TIDataset.spec, TSDataset.spec,
    ]

    /// Every dataset an SDTM package may hold, in package (and define.xml) order.
    public static let allDatasets: [DatasetSpec] = trialDesignDatasets + subjectDatasets + supplementalDatasets

    public static func spec(named name: String) -> DatasetSpec? { allDatasets.first { $0.name == name } }

    /// The rows of one chunk of participants, by dataset name, each in its spec's variable order.
    public static func rows(_ participants: [ExportParticipant], context: ExportContext) throws -> [String: [[ExportValue]]] {
        let study = SDTMStudy(context: context)
        var batch = SDTMBatch()
        for participant in participants { map(study.subject(participant), study: study, into: &batch) }
        return try ordered(batch)
    }

    /// The trial design rows (TA, TE, TV, TI, TS), written from the protocol definition.
    public static func trialDesignRows(context: ExportContext) throws -> [String: [[ExportValue]]] {
        let study = SDTMStudy(context: context)
        var batch = SDTMBatch()
        for row in TADataset.rows(study) { batch.add("TA", row) }
        for row in TEDataset.rows(study) { batch.add("TE", row) }
        for row in TVDataset.rows(study) { batch.add("TV", row) }
        for row in TIDataset.rows(study) { batch.add("TI", row) }
        for row in TSDataset.rows(study) { batch.add("TS", row) }
        return try ordered(batch)
    }

    static func map(_ s: SDTMSubject, study: SDTMStudy, into batch: inout SDTMBatch) {
        DMDataset.map(s, study: study, into: &batch)
        DSDataset.map(s, into: &batch)
        EXDataset.map(s, into: &batch)
        CMDataset.map(s, into: &batch)
        MHDataset.map(s, into: &batch)
        LBDataset.map(s, into: &batch)
        MKDataset.map(s, into: &batch)
        AEDataset.map(s, into: &batch)
        PRDataset.map(s, into: &batch)
    }

    private static func ordered(_ batch: SDTMBatch) throws -> [String: [[ExportValue]]] {
        var result: [String: [[ExportValue]]] = [:]
        for name in batch.order {
            guard let spec = spec(named: name) else { throw ExportError("SDTM: the mapping wrote dataset \(name), which has no spec") }
            result[name] = try (batch.rows[name] ?? []).map { try $0.values(for: spec) }
        }
        return result
    }
}

/// SDTM character data in ASCII (what the FDA expects and what the XPT writer accepts by default): the
/// typographic characters of protocol texts and UCUM units are spelled out (≥ as >=, − as -, × as x, µ as u,
/// superscripts after a caret: 10⁶ as 10^6) and accents dropped; any other character is left for the writer to refuse by name.
enum SDTMText {
    private static let replacements: [Character: String] = [
        "≥": ">=", "≤": "<=", "−": "-", "–": "-", "—": "-", "‑": "-", "×": "x", "µ": "u", "μ": "u", "°": " deg",
        "’": "'", "‘": "'", "“": "\"", "”": "\"",
        "…": "...", "\u{00A0}": " ", "±": "+/-", "→": "->",
    ]

    private static let superscripts: [Character: String] = [
        "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9",
    ]

    /// The longest character value SAS XPORT v5 holds, in bytes.
    static let maximumBytes = 200

    /// The labels of the SUPP-- qualifiers that carry the rest of a long text (`SDTMBatch.longText`).
    static let labels = ["DSTERM": "Reported Term for Disposition Event", "MHTERM": "Reported Term for Medical History",
                         "AETERM": "Reported Term for Adverse Event"]

    /// The SUPP-- qualifier names a long text of `variable` may use (three continuations: 800 bytes in all).
    static func continuations(_ variable: String) -> [VariableSpec.Code] {
        (1...3).map { .init("\(variable)\($0)", "\(labels[variable] ?? variable) \($0)") }
    }

    /// `text` in pieces of at most `limit` bytes, cut after a blank where one is near (SDTMIG 4.5.3.2: split
    /// between words), else at the limit.
    static func split(_ text: String, limit: Int) -> [String] {
        var pieces: [String] = []
        var rest = Substring(text)
        while rest.utf8.count > limit {
            var end = rest.startIndex
            var bytes = 0
            var lastBlank: Substring.Index?
            for index in rest.indices {
                let size = rest[index].utf8.count
                if bytes + size > limit { break }
                bytes += size
                end = rest.index(after: index)
                if rest[index] == " " { lastBlank = end }
            }
            if let blank = lastBlank, rest.distance(from: rest.startIndex, to: blank) > limit / 2 { end = blank }
            pieces.append(String(rest[..<end]))
            rest = rest[end...]
        }
        pieces.append(String(rest))
        return pieces
    }

    static func ascii(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        var result = ""
        var inSuperscript = false
        for character in text {
            if let digit = superscripts[character] {
                result += inSuperscript ? digit : "^" + digit
                inSuperscript = true
                continue
            }
            inSuperscript = false
            if character.isASCII { result.append(character) }
            else if let spelled = replacements[character] { result += spelled }
            else {
                let folded = String(character).folding(options: [.diacriticInsensitive, .widthInsensitive], locale: nil)
                result += folded
            }
        }
        return result
    }
}
