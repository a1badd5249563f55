// RestoraStats: pure numerics (proportions, tables, survival, regression, design). Standard library + Foundation only.
public enum RestoraStatsModule {
    public static let name = "RestoraStats"
}
