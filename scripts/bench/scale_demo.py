#!/usr/bin/env python3
"""A larger benchmark database from a seeded demo by copying its participants in SQL (BENCHMARKS.md "Dashboard and
report at scale" describes the recipe; this is it as a script, for every table that hangs off a participant).

  python3 scripts/bench/scale_demo.py --from /tmp/bench-10k --to /tmp/bench-100k --times 10

The demo folder is copied to --to, then its participants and every record that belongs to them are inserted
(--times - 1) more times: copy n of a row gets `<value>.cn` (a dot: FHIR ids allow it, a tilde they do not) in its id, in every column that references a copied
table, in `panel_id`, and in one text column of each unique index that would otherwise clash (MRN, lot number…);
every other column as is (same dates and values). The copies have no audit entries (seeding 10^5 participants
through the domain services would take hours). Tables copied: participants and, transitively, every table with a
foreign key to a copied table (users, sites, programs and jobs are not). Then `restora migrate` is NOT run: do it
with the binary you measure.
"""
import argparse, os, shutil, sqlite3, sys, time

SKIP = {"export_job_participants", "export_job_files", "export_jobs", "notifications", "fhir_bulk_jobs", "audit_log"}


def tables_to_copy(db):
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    fks = {t: [(r[3], r[2]) for r in db.execute(f'PRAGMA foreign_key_list("{t}")')] for t in names}
    copied = {"participants"}
    changed = True
    while changed:
        changed = False
        for t in names:
            if t not in copied and t not in SKIP and any(parent in copied for _, parent in fks[t]):
                copied.add(t)
                changed = True
    return sorted(copied), fks


def plan(db, table, copied, fks):
    """(columns, the columns that get the copy suffix) of `table`."""
    info = list(db.execute(f'PRAGMA table_info("{table}")'))
    columns = [r[1] for r in info]
    types = {r[1]: (r[2] or "").upper() for r in info}
    pk = [r[1] for r in info if r[5]]
    if pk and types[pk[0]].startswith("INT"):
        sys.exit(f"{table}: integer primary key {pk[0]} (not handled)")
    suffix = set(pk) | {col for col, parent in fks[table] if parent in copied}
    suffix |= {c for c in ("panel_id", "mrn", "lot") if c in columns}
    for index in db.execute(f'PRAGMA index_list("{table}")'):
        if not index[2]:
            continue
        index_columns = [r[2] for r in db.execute(f'PRAGMA index_info("{index[1]}")') if r[2]]
        if index_columns and not suffix & set(index_columns):
            # A column referencing a table that is not copied (a program, a site) must keep its value: the copy
            # would reference nothing. Prefer the index's own text columns (a stratum, a kit code).
            references = {col for col, _ in fks[table]}
            text = [c for c in index_columns if c not in references and ("CHAR" in types[c] or "TEXT" in types[c] or types[c] == "")]
            if not text:
                sys.exit(f"{table}: unique index {index[1]} has no text column to make unique")
            suffix.add(text[0])
    return columns, suffix


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--from", dest="source", required=True, help="a folder made by restora demo --seed-only")
    ap.add_argument("--to", required=True, help="the new folder (must not exist)")
    ap.add_argument("--times", type=int, default=10, help="participants in the result = this x the source's")
    args = ap.parse_args()
    if os.path.exists(args.to):
        sys.exit(f"{args.to} exists")
    started = time.perf_counter()
    shutil.copytree(args.source, args.to)
    db = sqlite3.connect(os.path.join(args.to, "restora-demo.sqlite"), isolation_level=None)
    db.execute("PRAGMA foreign_keys = OFF")
    db.execute("PRAGMA synchronous = OFF")
    copied, fks = tables_to_copy(db)
    plans = {t: plan(db, t, copied, fks) for t in copied}
    db.execute("BEGIN")
    for n in range(1, args.times):
        for table in copied:
            columns, suffix = plans[table]
            select = ", ".join(f'"{c}" || \'.c{n}\'' if c in suffix else f'"{c}"' for c in columns)
            first = "id" if "id" in suffix else next(c for c in columns if c in suffix)
            names = ", ".join(f'"{c}"' for c in columns)
            db.execute(f'INSERT INTO "{table}" ({names}) SELECT {select} FROM "{table}" WHERE "{first}" NOT LIKE \'%.c%\'')
        print(f"copy {n} of {args.times - 1} ({time.perf_counter() - started:.0f} s)", flush=True)
    db.execute("COMMIT")
    counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in ("participants", "observations")}
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    print(f"{args.to}: {counts['participants']:,} participants, {counts['observations']:,} observations; "
          f"tables copied: {', '.join(copied)} ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
