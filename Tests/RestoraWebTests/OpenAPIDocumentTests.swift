import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// The served OpenAPI document keeps its own conventions (docs/api-contract.md), so a hand edit that breaks
/// one fails here, in `swift test`, before the schemathesis run against the server (scripts/ci/contract.sh)
/// would: every `$ref` resolves, every operation has one success answer with a schema (204 excepted), no
/// `default` answer absorbs undocumented codes, and the codes a code path can answer are listed.
@Suite("OpenAPI document conventions")
struct OpenAPIDocumentTests {
    typealias JSON = [String: Any]

    static func served() async throws -> JSON {
        let box = DocumentBox()
        try await WebHarness.with { _, client in
            try await client.execute(uri: "/api/v1/openapi.json", method: .get) { r in
                #expect(r.status == .ok)
                box.document = try JSONSerialization.jsonObject(with: Data(r.body.readableBytesView)) as? JSON
            }
        }
        return try #require(box.document)
    }

    /// Every (method, path, operation) of the document.
    static func operations(_ doc: JSON) -> [(String, String, JSON)] {
        let paths = doc["paths"] as? [String: JSON] ?? [:]
        return paths.keys.sorted().flatMap { path in
            (paths[path] ?? [:]).compactMap { method, op in (op as? JSON).map { (method.uppercased(), path, $0) } }
        }
    }

    @Test("every $ref names something the document defines")
    func refsResolve() async throws {
        let doc = try await Self.served()
        var refs: [String] = []
        func walk(_ node: Any) {
            if let object = node as? JSON {
                if let ref = object["$ref"] as? String { refs.append(ref) }
                object.values.forEach(walk)
            } else if let array = node as? [Any] {
                array.forEach(walk)
            }
        }
        walk(doc)
        #expect(refs.count > 100)
        for ref in refs {
            #expect(ref.hasPrefix("#/"), "\(ref)")
            var node: Any? = doc
            for key in ref.dropFirst(2).split(separator: "/") { node = (node as? JSON)?[String(key)] }
            #expect(node != nil, "\(ref) does not resolve")
        }
    }

    @Test("one success answer per operation, with a schema unless it is 204; no default answer")
    func successAnswers() async throws {
        let doc = try await Self.served()
        let operations = Self.operations(doc)
        #expect(operations.count >= 39)
        for (method, path, op) in operations {
            let responses = op["responses"] as? JSON ?? [:]
            #expect(responses["default"] == nil, "\(method) \(path) has a default answer")
            let success = responses.keys.filter { $0.hasPrefix("2") }
            #expect(success.count == 1, "\(method) \(path): \(success)")
            guard let code = success.first, code != "204" else { continue }
            let content = (responses[code] as? JSON)?["content"] as? JSON
            #expect((content?["application/json"] as? JSON)?["schema"] != nil, "\(method) \(path) \(code) has no schema")
        }
    }

    @Test("the codes each code path can answer are listed: 401 unless public, body → 400 and 413, If-Match → 400, 412, 428")
    func refusals() async throws {
        let doc = try await Self.served()
        for (method, path, op) in Self.operations(doc) {
            let codes = Set((op["responses"] as? JSON ?? [:]).keys)
            let parameters = (op["parameters"] as? [JSON] ?? []).compactMap { $0["$ref"] as? String }
            if !(method == "POST" && path == "/sessions") { #expect(codes.contains("401"), "\(method) \(path) lacks 401") }
            if op["requestBody"] != nil {
                #expect(codes.isSuperset(of: ["400", "413"]), "\(method) \(path) reads a body: \(codes.sorted())")
            }
            if parameters.contains("#/components/parameters/IfMatch") {
                #expect(codes.isSuperset(of: ["400", "412", "428"]), "\(method) \(path) takes If-Match: \(codes.sorted())")
            }
            if path.contains("{id}") { #expect(codes.contains("404"), "\(method) \(path) lacks 404") }
        }
    }

    @Test("list endpoints answer arrays, the participant search a page, and SafetyAlert.action is the domain's")
    func shapes() async throws {
        let doc = try await Self.served()
        for (method, path, op) in Self.operations(doc) where method == "GET" && !["/me", "/notification-preferences"].contains(path) && !(path.hasSuffix("{id}")) {
            let schema = (((op["responses"] as? JSON)?["200"] as? JSON)?["content"] as? JSON)?["application/json"] as? JSON
            let body = schema?["schema"] as? JSON
            if path == "/participants" {
                #expect(body?["$ref"] as? String == "#/components/schemas/ParticipantPage")
            } else if path.hasSuffix("{id}/randomisation") {
                // One enrolment's allocation, or one program's balance report (docs/randomisation.md).
                #expect((body?["$ref"] as? String)?.hasPrefix("#/components/schemas/") == true)
            } else if path.hasSuffix("{id}/report-draft") {
                // One record's document, not a list (docs/safety.md).
                #expect(body?["$ref"] as? String == "#/components/schemas/AdverseEventReportDraft")
            } else if path.hasSuffix("/files/{name}") {
                // A file of an export package, downloaded as it is (docs/exports.md): the JSON files (manifest.json,
                // Dataset-JSON) are objects, the others bytes.
                #expect(body?["type"] as? String == "object")
                let csv = ((((op["responses"] as? JSON)?["200"] as? JSON)?["content"] as? JSON)?["text/csv"] as? JSON)?["schema"] as? JSON
                #expect(csv?["format"] as? String == "binary")
            } else {
                #expect(body?["type"] as? String == "array", "GET \(path) answers \(String(describing: body))")
            }
        }
        let alert = ((doc["components"] as? JSON)?["schemas"] as? JSON)?["SafetyAlert"] as? JSON
        let action = (alert?["properties"] as? JSON)?["action"] as? JSON
        #expect(Set(action?["enum"] as? [String] ?? []) == Set(SafetyAction.allCases.map(\.rawValue)))
    }
}

private final class DocumentBox: @unchecked Sendable {
    var document: [String: Any]?
}
