import RestoraDomain

enum ObservationMapping: TableMapping {
    typealias Value = Observation
    static let table = "observations"
    static let kind = "observation"
    static let columns = [
        Column("id"), Column("participant_id", path: "participantID"), Column("enrolment_id", path: "enrolmentID"),
        Column("visit_id", path: "visitID"), Column("panel_id", path: "panelID"),
        Column("code_system", path: "code.system"), Column("code", path: "code.code"),
        Column("code_display", path: "code.display"), Column("value", .json), Column("effective"),
        Column("specimen", .json), Column("body_site", path: "bodySite"), Column("note"),
        Column("upper_limit_of_normal", .real, path: "upperLimitOfNormal"),
    ]
    static func id(of value: Observation) -> String { value.id.rawValue }
}

enum ProcedureMapping: TableMapping {
    typealias Value = Procedure
    static let table = "procedures"
    static let kind = "procedure"
    static let columns = [
        Column("id"), Column("participant_id", path: "participantID"), Column("enrolment_id", path: "enrolmentID"),
        Column("kind"), Column("code", .json), Column("performed"), Column("performer", .json),
        Column("anatomical_site", path: "anatomicalSite"), Column("laterality"),
        Column("imaging_guidance", path: "imagingGuidance"), Column("anaesthesia"),
        Column("source_tissue", path: "sourceTissue"), Column("volume_ml", .real, path: "volumeML"),
        Column("cell_product_id", path: "cellProductID"), Column("outcome"), Column("note"),
    ]
    static func id(of value: Procedure) -> String { value.id.rawValue }
}

enum CellProductMapping: TableMapping {
    typealias Value = CellProduct
    static let table = "cell_products"
    static let kind = "cell product"
    static let uniqueField = "lot"
    static let columns = [
        Column("id"), Column("lot"), Column("participant_id", path: "participantID"),
        Column("enrolment_id", path: "enrolmentID"), Column("source_tissue", path: "sourceTissue"),
        Column("harvest_procedure_id", path: "harvestProcedureID"), Column("total_cells", .real, path: "totalCells"),
        Column("viable_cells", .real, path: "viableCells"), Column("viability_percent", .real, path: "viabilityPercent"),
        Column("release_tests", .json, path: "releaseTests"), Column("release_status", path: "releaseStatus"),
        Column("custody", .json), Column("release_decision", .json, path: "releaseDecision"),
    ]
    static func id(of value: CellProduct) -> String { value.id.rawValue }
}

enum MedicationCourseMapping: TableMapping {
    typealias Value = MedicationCourse
    static let table = "medication_courses"
    static let kind = "medication course"
    static let columns = [
        Column("id"), Column("participant_id", path: "participantID"), Column("enrolment_id", path: "enrolmentID"),
        Column("drug", .json), Column("dose", .json), Column("route"), Column("times_per_day", .integer, path: "timesPerDay"),
        Column("start_date", path: "start"), Column("planned_stop", path: "plannedStop"), Column("stop_date", path: "stop"),
        Column("status"), Column("dispensings", .json), Column("stop_reason", path: "stopReason"),
    ]
    static func id(of value: MedicationCourse) -> String { value.id.rawValue }
}

enum AdverseEventMapping: TableMapping {
    typealias Value = AdverseEvent
    static let table = "adverse_events"
    static let kind = "adverse event"
    static let columns = [
        Column("id"), Column("participant_id", path: "participantID"), Column("enrolment_id", path: "enrolmentID"),
        Column("term"), Column("grade", .integer), Column("seriousness", .json), Column("expected", .boolean),
        Column("relatedness"), Column("onset"), Column("resolution"), Column("outcome"),
        Column("action_taken", path: "actionTaken"), Column("sponsor_aware_on", path: "sponsorAwareOn"), Column("note"),
    ]
    static func id(of value: AdverseEvent) -> String { value.id.rawValue }
}

enum SafetyAlertMapping: TableMapping {
    typealias Value = SafetyAlertRecord
    static let table = "safety_alerts"
    static let kind = "safety alert"
    static let columns = [
        Column("id"), Column("participant_id", path: "participantID"), Column("enrolment_id", path: "enrolmentID"),
        Column("rule_id", path: "ruleID"), Column("action"), Column("message"),
        Column("observation_id", path: "observationID"), Column("adverse_event_id", path: "adverseEventID"),
        Column("raised_at", path: "raisedAt"), Column("status"), Column("acknowledged_by", .json, path: "acknowledgedBy"),
        Column("acknowledged_at", path: "acknowledgedAt"),
    ]
    static func id(of value: SafetyAlertRecord) -> String { value.id.rawValue }
}

enum ScreeningMapping: TableMapping {
    typealias Value = ScreeningRecord
    static let table = "screenings"
    static let kind = "screening"
    static let columns = [
        Column("id"), Column("participant_id", path: "participantID"), Column("enrolment_id", path: "enrolmentID"),
        Column("protocol_id", path: "protocolID"), Column("protocol_version", path: "protocolVersion"),
        Column("screened_on", path: "screenedOn"), Column("verdict"), Column("report", .json),
        Column("screened_by", .json, path: "screenedBy"),
    ]
    static func id(of value: ScreeningRecord) -> String { value.id.rawValue }
}

/// Queries are conversation about the data, not clinical data: answering one needs no reason for change.
enum DataQueryMapping: TableMapping {
    typealias Value = DataQuery
    static let table = "data_queries"
    static let kind = "data query"
    static let isClinical = false
    static let columns = [
        Column("id"), Column("participant_id", path: "participantID"), Column("record_kind", path: "recordKind"),
        Column("record_id", path: "recordID"), Column("field"), Column("question"), Column("raised_by", .json, path: "raisedBy"),
        Column("raised_at", path: "raisedAt"), Column("answer"), Column("answered_by", .json, path: "answeredBy"), Column("status"),
    ]
    static func id(of value: DataQuery) -> String { value.id.rawValue }
}
