/// The dashboard's source-data-verification progress per site (`SQLSourceVerificationRepository.progressBySite`)
/// counts each site's live records. For observations — by far the largest table — that count read every row
/// of the table and sorted it by site: 0.6 s of a 0.85 s dashboard at 10⁴ participants (BENCHMARKS.md
/// "Dashboard: SDV progress from the marks"), growing with the database. This partial index holds the live observations by
/// site, so the count reads the index alone, in order. The other SDV tables are small enough to scan. One more
/// index entry per observation written (a short key that appends within its site).
let m0051_AddObservationSiteIndex = Migration(name: "0051_AddObservationSiteIndex", statements: [
    "CREATE INDEX observations_site_live ON observations (site_id) WHERE deleted_at IS NULL",
])
