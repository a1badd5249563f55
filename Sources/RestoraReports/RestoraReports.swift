// RestoraReports: see README "Architecture". Filled in by later issues; the layout and dependency direction are set now.
public enum RestoraReportsModule {
    public static let name = "RestoraReports"
}
