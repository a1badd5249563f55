import ArgumentParser
import Foundation
import RestoraDomain

/// Shared plumbing of the clinical commands (docs/clinical-rules.md).
enum ClinicalCLI {
    /// Runs a domain rule, turning its `DomainError` refusal into the one-line CLI failure.
    static func rule<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DomainError {
            throw CLIFailure(error.description)
        }
    }

    /// Parses `name=value` pairs such as `femoral-neck=0.53`.
    static func pair(_ text: String, option: String) throws -> (key: String, value: String) {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw CLIFailure("\(option): expected <name>=<value>, got '\(text)'")
        }
        return (parts[0], parts[1])
    }

    static func number(_ text: String, option: String) throws -> Double {
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)) else {
            throw CLIFailure("\(option): '\(text)' is not a number")
        }
        return value
    }

    static func site(_ text: String, option: String) throws -> SkeletalSite {
        guard let site = SkeletalSite(flexible: text) else {
            let known = SkeletalSite.allCases.map(\.rawValue).joined(separator: ", ")
            throw CLIFailure("\(option): unknown site '\(text)'; use one of \(known)")
        }
        return site
    }

    /// `lumbar-spine=-2.1` → (site, number), for the repeatable per-site options.
    static func siteValues(_ texts: [String], option: String) throws -> [(SkeletalSite, Double)] {
        try texts.map { text in
            let (key, value) = try pair(text, option: option)
            return (try site(key, option: option), try number(value, option: option))
        }
    }

    static func format(_ value: Double?, places: Int = 2) -> String {
        value.map { NumberText.rounded($0, places: places) } ?? "–"
    }
}
