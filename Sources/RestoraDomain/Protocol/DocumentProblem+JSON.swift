import Foundation

extension DocumentProblem {
    /// JSONDecoder on Linux only says "not valid JSON"; JSONSerialization says "around character N" (a byte
    /// offset), which we turn into a line and column.
    public static func jsonSyntax(_ data: Data, file: String) -> DocumentProblem? {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return nil
        } catch {
            let text = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? "\(error)"
            guard let range = text.range(of: "character "),
                  let offset = Int(text[range.upperBound...].prefix { $0.isNumber }) else {
                return DocumentProblem(file: file, path: [], message: "not valid JSON: \(text)")
            }
            let prefix = data.prefix(offset)
            let line = prefix.filter { $0 == UInt8(ascii: "\n") }.count + 1
            let column = prefix.count - (prefix.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
            return DocumentProblem(file: file, path: [], line: line,
                                   message: "not valid JSON near line \(line), column \(column): \(text)")
        }
    }
}
