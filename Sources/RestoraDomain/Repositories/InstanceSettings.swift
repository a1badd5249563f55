/// Facts about the database itself (not about any patient), as key/value pairs: above all whether it is
/// a synthetic demo database, so that reports say so and `restora demo` may replace it.
public protocol InstanceSettingsRepository: Sendable {
    /// The value stored under `key`, or nil.
    func value(_ key: String) async throws -> String?
    /// Stores (or replaces) `value` under `key`; audited like every write.
    func set(_ key: String, to value: String, context: AuditContext) async throws
}

/// The keys and values of `InstanceSettingsRepository` that Restora itself reads.
public enum InstanceSetting {
    /// What kind of database this is: `demo` for the synthetic demo clinic; absent for a real one.
    public static let kind = "kind"
    public static let demoKind = "demo"
    /// The demo clinic's fixed "today" (YYYY-MM-DD): the data cut-off its reports use.
    public static let demoToday = "demo-today"
}
