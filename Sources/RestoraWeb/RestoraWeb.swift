// RestoraWeb: see README "Architecture". Filled in by later issues; the layout and dependency direction are set now.
public enum RestoraWebModule {
    public static let name = "RestoraWeb"
}
