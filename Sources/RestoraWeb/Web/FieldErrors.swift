import Foundation
import RestoraDomain

/// Reads typed values out of a submitted form and collects, per field, a message a person can act on.
/// Every field of a form is read before anything is judged as a whole, so one submit shows every problem.
struct FieldReader {
    let form: FormData
    private(set) var errors: [String: String] = [:]

    init(_ form: FormData) { self.form = form }

    var isValid: Bool { errors.isEmpty }

    /// Records `message` for `field` unless an earlier, more basic problem is already shown there.
    mutating func fail(_ field: String, _ message: String) {
        if errors[field] == nil { errors[field] = message }
    }

    /// A decimal number (a comma is accepted as the decimal mark). Only digits, one sign, one decimal mark and
    /// an exponent are accepted, so "nan", "inf" or hexadecimal never become values.
    mutating func number(_ field: String, required: Bool, range: AllowedRange? = nil) -> Double? {
        guard let text = form[field] else {
            if required { fail(field, "Enter a value") }
            return nil
        }
        guard let value = Self.parseNumber(text) else {
            fail(field, "Enter a number, e.g. 12.5")
            return nil
        }
        if let range {
            do { try range.check(value, field: field) } catch {
                fail(field, "Must be \(range.text); got \(NumberText.plain(value))")
                return nil
            }
        }
        return value
    }

    static func parseNumber(_ text: String) -> Double? {
        var cleaned = text.replacingOccurrences(of: " ", with: "")
        if !cleaned.contains("."), cleaned.filter({ $0 == "," }).count == 1 {
            cleaned = cleaned.replacingOccurrences(of: ",", with: ".")
        }
        guard !cleaned.isEmpty, cleaned.count <= 32,
              cleaned.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }),
              cleaned.contains(where: { $0.isNumber }),
              let value = Double(cleaned), value.isFinite
        else { return nil }
        return value
    }

    /// A calendar date (YYYY-MM-DD) that is not after `today` and not before 1900.
    mutating func date(_ field: String, today: CalendarDate, required: Bool = true) -> CalendarDate? {
        guard let text = form[field] else {
            if required { fail(field, "Enter a date (YYYY-MM-DD)") }
            return nil
        }
        guard let date = CalendarDate(text) else {
            fail(field, "Enter a date as YYYY-MM-DD, e.g. \(today)")
            return nil
        }
        guard date <= today else {
            fail(field, "The date \(date) is in the future (today is \(today))")
            return nil
        }
        guard date.year >= 1900 else {
            fail(field, "The date \(date) is too far in the past")
            return nil
        }
        return date
    }

    /// One of a fixed set of choices (a select), by its submitted value.
    mutating func choice<T>(_ field: String, required: Bool = true, message: String = "Choose one of the options", _ parse: (String) -> T?) -> T? {
        guard let text = form[field] else {
            if required { fail(field, message) }
            return nil
        }
        guard let value = parse(text) else {
            fail(field, message)
            return nil
        }
        return value
    }

    /// Free text, trimmed, at most `maxLength` characters.
    mutating func text(_ field: String, required: Bool, maxLength: Int = 500, message: String = "This field is required") -> String? {
        guard let text = form[field] else {
            if required { fail(field, message) }
            return nil
        }
        guard text.count <= maxLength else {
            fail(field, "At most \(maxLength) characters")
            return nil
        }
        return text
    }

    /// A checkbox: present (any value) means on.
    func checkbox(_ field: String) -> Bool { form[field] != nil }
}

/// A domain refusal shown next to the form field it concerns. Fields of the API (`value.quantity.unit`)
/// map to the form's names (`unit`); a field the form does not show becomes a general message.
enum FieldErrors {
    static func message(_ error: DomainError) -> (field: String?, message: String) {
        switch error {
        case let .invalidValue(field, message):
            return (field, capitalized(message))
        case let .illegalTransition(_, _, message), let .notFound(_, _, message):
            return (nil, capitalized(message))
        case let .protocolRule(rule, field, message):
            return (field, capitalized(message) + " (protocol rule: \(rule))")
        }
    }

    static func capitalized(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.uppercased() + text.dropFirst()
    }

    /// Applies a domain refusal to a form's state: next to `fieldMap[field] ?? field` when the form has it.
    static func apply(_ error: DomainError, to state: inout FormState, fields: Set<String>, fieldMap: [String: String] = [:]) {
        let (field, message) = self.message(error)
        if let field, let name = fieldMap[field] ?? (fields.contains(field) ? field : nil) {
            state.errors[name] = message
        } else {
            state.general.append(message)
        }
    }
}

/// The idempotency key and panel of a web form: `_nonce` as the page minted it, if it looks like one.
enum FormNonce {
    static func of(_ form: FormData) -> String? {
        guard let nonce = form["_nonce"], nonce.count <= 80,
              nonce.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        return nonce
    }

    static func key(_ form: FormData, suffix: String? = nil) -> String? {
        guard let nonce = of(form) else { return nil }
        return "web:" + nonce + (suffix.map { ":" + $0 } ?? "")
    }
}
