/// One Kaplan–Meier curve per group from raw columns with coded groups (as a CSV reader hands them over):
/// the per-time table when times repeat (`GroupedEventTable`: no sort of all n), else one sort for all groups.
/// Identical to `KaplanMeier.fit` on each group's rows.
extension KaplanMeier {
    public static func fitGroups(
        time: [Double], event: [Bool], groupCodes: [Int32], groups: Int,
        confidenceType: SurvivalConfidenceType = .logLog, confidenceLevel: Double = 0.95
    ) throws -> [KaplanMeierCurve] {
        if let table = try GroupedEventTable.build(time: time, event: event, group: groupCodes, groupCount: groups) {
            return try table.kaplanMeier(confidenceType: confidenceType, confidenceLevel: confidenceLevel)
        }
        let sample = try SurvivalSample(time: time, event: event, group: groupCodes)
        return try fitGroups(sample: sample, groupCodes: groupCodes, groups: groups,
                             confidenceType: confidenceType, confidenceLevel: confidenceLevel)
    }
}
