import RestoraDomain

/// MK — Musculoskeletal System Findings (SDTMIG 3.4 section 6.3.10): DXA bone mineral density and T-scores,
/// by site (MKLOC). Bone density is a measurement of the skeleton, not of a specimen, so it is not LB
/// (docs/sdtm.md).
enum MKDataset {
    static let spec = DatasetSpec(
        name: "MK", label: "Musculoskeletal System Findings", observationClass: "FINDINGS",
        structure: "One record per assessment per visit per subject",
        keys: ["STUDYID", "USUBJID", "MKTESTCD", "MKLOC", "VISITNUM", "MKDTC"],
        variables: SDTMVar.identifiers("MK")
            + SDTMFindings.topic("MK", testLabel: "Test or Examination", codelist: "MKTESTCD (sponsor-defined)")
            + SDTMFindings.standardResults("MK")
            + [
                SDTMVar.text("MKLOC", "Location Used for the Measurement", role: "Record Qualifier", origin: "Assigned",
                             codelist: "LOC (C74456)"),
                SDTMVar.text("MKMETHOD", "Method of Test or Examination", role: "Record Qualifier", origin: "Assigned",
                             codelist: "METHOD (C85492)"),
            ]
            + SDTMFindings.timing("MK"))

    static func map(_ s: SDTMSubject, into batch: inout SDTMBatch) {
        var seq = 0
        var groups = SDTMPanelGroups()
        for observation in s.findingsInOrder {
            guard let test = SDTMFindingsTest.test(for: observation.code), test.domain == "MK" else { continue }
            seq += 1
            var row = SDTMFindings.row(s, test, observation, seq: seq, group: groups.number(observation))
            row["MKLOC"] = .text(test.location)
            row["MKMETHOD"] = .text(test.method)
            batch.add("MK", row)
        }
    }
}
