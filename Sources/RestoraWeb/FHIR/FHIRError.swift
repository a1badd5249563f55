import Foundation

/// A refused FHIR interaction: the HTTP status and the OperationOutcome the client gets
/// (https://hl7.org/fhir/R4/operationoutcome.html). `expression` names the element at fault as a FHIRPath
/// (e.g. `Observation.valueQuantity.unit`, or `Bundle.entry[2].resource.subject` in a transaction).
public struct FHIRError: Error, Sendable, Hashable {
    /// The IssueType value set (http://hl7.org/fhir/ValueSet/issue-type), the codes Restora uses.
    public enum IssueType: String, Sendable, Hashable {
        case invalid, structure, required, value, invariant
        case security, login, forbidden
        case processing, notSupported = "not-supported", duplicate, notFound = "not-found", deleted
        case tooLong = "too-long", codeInvalid = "code-invalid", businessRule = "business-rule", conflict
        case exception, throttled, tooCostly = "too-costly", incomplete, informational
    }

    public var status: Int
    public var code: IssueType
    public var severity: String
    public var diagnostics: String
    public var expression: [String]

    public init(status: Int, code: IssueType, diagnostics: String, expression: [String] = [], severity: String = "error") {
        self.status = status
        self.code = code
        self.severity = severity
        self.diagnostics = diagnostics
        self.expression = expression
    }

    public static func notFound(_ type: String, _ id: String) -> FHIRError {
        FHIRError(status: 404, code: .notFound, diagnostics: "\(type)/\(id) is not known")
    }

    public static func invalid(_ message: String, at expression: String? = nil) -> FHIRError {
        FHIRError(status: 400, code: .invalid, diagnostics: message, expression: expression.map { [$0] } ?? [])
    }

    public static func unprocessable(_ message: String, at expression: String? = nil, code: IssueType = .processing) -> FHIRError {
        FHIRError(status: 422, code: code, diagnostics: message, expression: expression.map { [$0] } ?? [])
    }

    public static func notSupported(_ message: String) -> FHIRError {
        FHIRError(status: 400, code: .notSupported, diagnostics: message)
    }

    /// The same error with every expression prefixed, e.g. by `Bundle.entry[3].resource` inside a transaction.
    public func prefixed(by prefix: String, replacing resourceType: String) -> FHIRError {
        var copy = self
        copy.expression = expression.map { path in
            path.hasPrefix(resourceType) ? prefix + path.dropFirst(resourceType.count) : prefix + "." + path
        }
        if copy.expression.isEmpty { copy.expression = [prefix] }
        return copy
    }

    /// The OperationOutcome resource.
    public var operationOutcome: FHIRJSON {
        FHIRError.outcome([self])
    }

    public static func outcome(_ errors: [FHIRError]) -> FHIRJSON {
        .object([
            ("resourceType", .string("OperationOutcome")),
            ("issue", .array(errors.map { error in
                FHIRJSON.object([
                    "severity": .string(error.severity),
                    "code": .string(error.code.rawValue),
                    "diagnostics": .string(error.diagnostics),
                    "expression": error.expression.isEmpty ? nil : .array(error.expression.map { .string($0) }),
                ])
            })),
        ])
    }
}
