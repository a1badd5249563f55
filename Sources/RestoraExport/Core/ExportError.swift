/// Why an export stopped, in words that name the dataset, the variable and the row (or the option) at fault.
/// An export that fails leaves no half-written package behind: the package is written into a temporary
/// folder and moved into place only when complete.
public struct ExportError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
