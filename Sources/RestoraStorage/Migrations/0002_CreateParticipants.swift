/// MRN unique per site; `search_name` (lower-cased "given family") backs the name search.
let m0002_CreateParticipants = Migration(name: "0002_CreateParticipants", statements: [
    """
    CREATE TABLE participants (
        id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id),
        mrn TEXT NOT NULL,
        given_name TEXT,
        family_name TEXT,
        sex TEXT NOT NULL,
        birth_date TEXT NOT NULL,
        postmenopausal BOOLEAN,
        diagnoses TEXT,
        history TEXT,
        search_name TEXT NOT NULL,
    \(recordBookkeeping),
        UNIQUE (site_id, mrn))
    """,
    "CREATE INDEX participants_site_name ON participants (site_id, search_name)",
])
