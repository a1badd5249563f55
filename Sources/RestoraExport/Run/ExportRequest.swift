import RestoraDomain

/// What one export asks for, from whichever door (CLI, JSON API, web page).
public struct ExportRequest: Sendable, Hashable, Codable {
    public var kind: ExportKind
    public var programID: Identifier<Program>
    /// HIPAA Safe Harbor de-identification (docs/deidentification.md).
    public var deidentify: Bool
    /// For a de-identified export: `.day` shifts every date of a participant by one random offset (intervals
    /// kept), `.year` writes the year alone. Identified exports always write full dates.
    public var datePrecision: ExportParticipant.DatePrecision
    /// The participants to export; nil means every participant of the program (within `sites`).
    public var participants: [Identifier<Participant>]?
    /// The sites whose participants may be exported; nil means every site (admins).
    public var sites: Set<Identifier<Site>>?

    public init(kind: ExportKind, programID: Identifier<Program>, deidentify: Bool,
                datePrecision: ExportParticipant.DatePrecision = .day, participants: [Identifier<Participant>]? = nil,
                sites: Set<Identifier<Site>>? = nil) {
        self.kind = kind
        self.programID = programID
        self.deidentify = deidentify
        self.datePrecision = datePrecision
        self.participants = participants
        self.sites = sites
    }
}

/// Who may export what (issue #18): admins and data managers anything; monitors only de-identified extracts;
/// every other role nothing. Site scoping (non-admins export only their sites' participants) is the door's
/// job through `ExportRequest.sites`.
public enum ExportPolicy {
    public struct Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public static func check(role: UserRole, request: ExportRequest) throws(Refusal) {
        switch role {
        case .admin, .dataManager:
            return
        case .monitor:
            guard request.deidentify else {
                throw Refusal(message: "the monitor role may export only de-identified data; ask again with de-identification on")
            }
        case .investigator, .coordinator, .auditor:
            throw Refusal(message: "the \(role.rawValue) role cannot export research data; exports are for admins and data managers (monitors: de-identified only)")
        }
    }
}
