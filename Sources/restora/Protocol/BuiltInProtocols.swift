import Foundation
import RestoraDomain

/// The three protocols that ship inside the binary (SwiftPM `embedInCode` resources of
/// Sources/restora/Resources/protocols, which `protocols/` at the package root links to), so `restora` runs
/// from any folder. A protocols folder given at run time adds protocols or overrides these by id
/// (`ProtocolSource`).
enum BuiltInProtocols {
    /// File name and YAML text of each built-in protocol.
    static let files: [(name: String, text: String)] = [
        ("asc-azoospermia.yaml", String(decoding: PackageResources.asc_azoospermia_yaml, as: UTF8.self)),
        ("isotretinoin-noa.yaml", String(decoding: PackageResources.isotretinoin_noa_yaml, as: UTF8.self)),
        // The randomised two-arm trial (examples/protocols/isotretinoin-rct.yaml, issue #16): the demo clinic runs it.
        ("isotretinoin-rct.yaml", String(decoding: PackageResources.isotretinoin_rct_yaml, as: UTF8.self)),
        ("msc-osteoporosis.yaml", String(decoding: PackageResources.msc_osteoporosis_yaml, as: UTF8.self)),
    ]

    /// Where a built-in protocol "comes from" in listings and messages.
    static func origin(_ name: String) -> String { "built-in:\(name)" }

    /// The built-in protocols, parsed and validated like files (a broken one is a build defect, reported as such).
    static func definitions() throws(DocumentProblems) -> [(definition: ProtocolDefinition, origin: String)] {
        var problems: [DocumentProblem] = []
        var loaded: [(ProtocolDefinition, String)] = []
        for file in files {
            do {
                loaded.append((try ProtocolDocument.parse(yaml: file.text, file: origin(file.name)), origin(file.name)))
            } catch {
                problems += error.problems
            }
        }
        guard problems.isEmpty else { throw DocumentProblems(problems) }
        return loaded
    }
}
