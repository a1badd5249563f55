import Foundation
import RestoraDomain

/// What a client sends to create or replace a participant. The id and version are the server's.
struct ParticipantInput: Decodable {
    var siteID: Identifier<Site>
    var mrn: String
    var givenName: String?
    var familyName: String?
    var sex: Sex
    var birthDate: CalendarDate
    var postmenopausal: Bool?
    var diagnoses: [Diagnosis]?
    var history: [HistoryItem]?
    /// Why recorded data is changed; required on updates.
    var reason: String?

    /// Checks what decoding cannot: a non-blank MRN, a birth date that is not in the future.
    func participant(id: Identifier<Participant>, today: CalendarDate) throws -> Participant {
        let mrn = self.mrn.trimmingCharacters(in: .whitespaces)
        guard !mrn.isEmpty, mrn.count <= 64 else {
            throw DomainError.invalidValue(field: "mrn", message: "an MRN of 1 to 64 characters is required")
        }
        guard birthDate <= today else {
            throw DomainError.invalidValue(field: "birthDate", message: "the birth date is in the future")
        }
        return Participant(
            id: id, siteID: siteID, mrn: mrn, givenName: givenName, familyName: familyName, sex: sex, birthDate: birthDate,
            postmenopausal: postmenopausal, diagnoses: diagnoses ?? [], history: history ?? [])
    }
}

/// A participant as the API shows it: the domain fields plus version and timestamps.
struct ParticipantResponse: Encodable {
    var id: Identifier<Participant>
    var siteID: Identifier<Site>
    var mrn: String
    var givenName: String?
    var familyName: String?
    var sex: Sex
    var birthDate: CalendarDate
    var postmenopausal: Bool?
    var diagnoses: [Diagnosis]
    var history: [HistoryItem]
    var version: Int
    var createdAt: Date
    var updatedAt: Date

    init(_ stored: Versioned<Participant>) {
        let p = stored.value
        id = p.id
        siteID = p.siteID
        mrn = p.mrn
        givenName = p.givenName
        familyName = p.familyName
        sex = p.sex
        birthDate = p.birthDate
        postmenopausal = p.postmenopausal
        diagnoses = p.diagnoses
        history = p.history
        version = stored.version
        createdAt = stored.createdAt
        updatedAt = stored.updatedAt
    }
}

struct PageResponse<Item: Encodable>: Encodable {
    var items: [Item]
    var nextCursor: String?
}

/// Any stored record shown with its version: `{"record": {...}, "version": n}` flattened by the encoder.
struct VersionedResponse<Value: Encodable & Sendable>: Encodable {
    var value: Versioned<Value>

    func encode(to encoder: Encoder) throws {
        try value.value.encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(value.version, forKey: .version)
        try c.encode(value.createdAt, forKey: .createdAt)
        try c.encode(value.updatedAt, forKey: .updatedAt)
    }

    private enum Key: String, CodingKey { case version, createdAt, updatedAt }
}
