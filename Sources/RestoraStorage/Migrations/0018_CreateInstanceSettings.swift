/// Facts about the database itself as key/value pairs; `kind = demo` marks the synthetic demo database
/// (written by the demo seeder, read by `restora demo` and `restora report`).
let m0018_CreateInstanceSettings = Migration(name: "0018_CreateInstanceSettings", statements: [
    """
    CREATE TABLE restora_instance (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
])
