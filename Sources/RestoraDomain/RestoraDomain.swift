// RestoraDomain: pure clinical rules and values. No networking, SQL or web framework.
public enum RestoraDomainModule {
    public static let name = "RestoraDomain"
}
