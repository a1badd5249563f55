// RestoraStorage: see README "Architecture". Filled in by later issues; the layout and dependency direction are set now.
public enum RestoraStorageModule {
    public static let name = "RestoraStorage"
}
