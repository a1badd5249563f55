/// Indexes for the dashboard's bounded queries (issue 13 item 5, `SQLDashboardQueries`):
/// - open safety alerts newest first: `WHERE status = 'open' ORDER BY raised_at DESC LIMIT n` reads the
///   index backwards and stops at n (before, every alert row was read and sorted);
/// - adverse events by onset date for "the last 30 days" when no site narrows them (a site-scoped user has
///   `adverse_events_site_onset`, migration 0027);
/// - an enrolment's first move to a status (day 0, month of enrolment), read from the index alone;
/// - a visit by enrolment and key on PostgreSQL, where 0028 replaced the `(enrolment_id, visit_key)` unique
///   constraint by one led by site_id (SQLite keeps the old constraint and its index).
let m0030_AddDashboardIndexes = Migration(name: "0030_AddDashboardIndexes", steps: [
    .sql("CREATE INDEX safety_alerts_status_raised ON safety_alerts (status, raised_at)"),
    .sql("CREATE INDEX adverse_events_onset ON adverse_events (onset)"),
    .sql("CREATE INDEX enrolment_transitions_first ON enrolment_transitions (enrolment_id, to_status, position, at)"),
    .engine(sqlite: nil, postgres: "CREATE INDEX visits_enrolment_visit_key ON visits (enrolment_id, visit_key)"),
])
