# Cases for cli-smoke.sh, one `expect` per line: description, expected exit (0|nonzero), output pattern, --, command.
# Sourced by cli-smoke.sh, not run on its own. Every case also fails on a crash or stack trace in the output.

# The root command
expect "help lists commands" 0 "stats" -- "$bin" --help

# Protocols, screening, schedules (issue 2)
expect "protocol list names the three programs" 0 "isotretinoin-noa" -- "$bin" protocol list
expect "protocol show" 0 "26" -- "$bin" protocol show isotretinoin-noa
for f in protocols/*.yaml; do
  expect "protocol validate $f" 0 "" -- "$bin" protocol validate "$f"
done
expect "unknown protocol lists known ids" nonzero "known protocols: .*msc-osteoporosis" -- "$bin" protocol show nope
# The example participants are built to be eligible / ineligible / incomplete on 2026-06-01 (docs/participant-format.md).
for p in isotretinoin-noa asc-azoospermia msc-osteoporosis; do
  expect "screen $p eligible" 0 "Verdict: ELIGIBLE" -- "$bin" screen --protocol $p --participant examples/participants/$p-eligible.json --on 2026-06-01
  expect "screen $p ineligible" 0 "Verdict: INELIGIBLE" -- "$bin" screen --protocol $p --participant examples/participants/$p-ineligible.json --on 2026-06-01
  expect "screen $p incomplete" 0 "Verdict: INCOMPLETE" -- "$bin" screen --protocol $p --participant examples/participants/$p-incomplete.json --on 2026-06-01
done
expect "screen --json" 0 '"verdict"' -- "$bin" screen --protocol msc-osteoporosis --participant examples/participants/msc-osteoporosis-eligible.json --json
expect "screen: missing participant file is named" nonzero "no-such-file.json" -- "$bin" screen --protocol isotretinoin-noa --participant no-such-file.json
expect "schedule" 0 "month-3" -- "$bin" schedule --protocol isotretinoin-noa --start 2026-01-05 --today 2026-03-10
expect "schedule: bad date refused" nonzero "2026-02-30" -- "$bin" schedule --protocol isotretinoin-noa --start 2026-02-30

# Clinical rules (issue 3)
expect "semen: confirmed azoospermia" 0 "confirmed" -- "$bin" interpret semen --volume 2 --concentration 0 --pellet no-sperm --centrifugation-g 3000 --centrifugation-minutes 15
expect "semen: negative concentration refused" nonzero "concentration" -- "$bin" interpret semen --volume 2 --concentration=-1
expect "semen --json stores the edition" 0 "edition" -- "$bin" interpret semen --volume 3 --concentration 20 --total-motility 50 --progressive-motility 35 --vitality 60 --normal-forms 5 --json
expect "dxa: worked example T = -2.73" 0 "-2.73" -- "$bin" interpret dxa --sex female --age 67 --menopause post --bmd femoral-neck=0.53
expect "dxa: BMD <= 0 refused" nonzero "BMD|bmd" -- "$bin" interpret dxa --sex female --age 67 --menopause post --bmd femoral-neck=0
expect "grade: triglycerides grade 3" 0 "3" -- "$bin" grade hypertriglyceridemia --value 600 --unit mg/dL
expect "grade: unknown unit refused" nonzero "unit" -- "$bin" grade hypertriglyceridemia --value 600 --unit furlongs
expect "release: passing lot" 0 "released|RELEASED" -- "$bin" release --product examples/clinical/msc-lot-pass.json
expect "release: failing lot names the failure" 0 "rejected|REJECTED" -- "$bin" release --product examples/clinical/msc-lot-fail.json

# Statistics (issue 4)
expect "proportion 11/30 Clopper-Pearson" 0 "0.1993 to 0.5614" -- "$bin" stats proportion --successes 11 --trials 30
expect "proportion: successes > trials refused" nonzero "successes" -- "$bin" stats proportion --successes 31 --trials 30
expect "fisher 2x2" 0 "0.238" -- "$bin" stats fisher --table "6,5;5,14"
expect "fisher: ragged table refused" nonzero "table" -- "$bin" stats fisher --table "6,5;5"

# Malformed input files are named in the error
smoke_tmp=$(mktemp -d)
printf 'id: broken\nversion: [1\n' > "$smoke_tmp/broken.yaml"
expect "malformed protocol YAML names the file" nonzero "broken.yaml" -- "$bin" protocol validate "$smoke_tmp/broken.yaml"
printf '{"participant": {"id": "p", "siteID": "s", "mrn": "1", "sex": "male", "birthDate": "1990-02-30"}}' > "$smoke_tmp/bad-date.json"
expect "malformed participant JSON names the path" nonzero "birthDate" -- "$bin" screen --protocol isotretinoin-noa --participant "$smoke_tmp/bad-date.json"
rm -rf "$smoke_tmp"

# The demo clinic seeded into a fresh SQLite database through the repositories, then the study report read
# back from storage (issue 6: 11/30 responders, Clopper-Pearson 19.9% to 56.1%).
demo_tmp=$(mktemp -d)
expect "demo --seed-only seeds and says synthetic" 0 "SYNTHETIC DEMO DATA" -- "$bin" demo --seed-only --folder "$demo_tmp/demo"
expect "demo --seed-only again replaces the earlier demo" 0 "Replaced the earlier demo database" -- "$bin" demo --seed-only --folder "$demo_tmp/demo"
expect "report json from storage: 11 of 30 responders" 0 '"text" : "11/30 \(36.7%, Clopper.Pearson 95% CI 19.9% to 56.1%\)"' -- "$bin" report --demo-folder "$demo_tmp/demo" --program isotretinoin-noa --format json
expect "report json via --database-url: 11 responders" 0 '"responders" : 11,?$' -- "$bin" report --database-url "sqlite://$demo_tmp/demo/restora-demo.sqlite" --program isotretinoin-noa --format json
expect "report md" 0 "11/30" -- "$bin" report --demo-folder "$demo_tmp/demo" --program isotretinoin-noa --format md
expect "report html is a page" 0 "<svg" -- "$bin" report --demo-folder "$demo_tmp/demo" --program msc-osteoporosis --format html
expect "report: unknown program lists known ids" nonzero "known protocols" -- "$bin" report --demo-folder "$demo_tmp/demo" --program nope --format json
expect "report: no database, no report" nonzero "no database at" -- "$bin" report --demo-folder "$demo_tmp/nowhere" --program isotretinoin-noa
# Research data exports of the demo (issue 18, docs/exports.md): a package, recorded as an export job; refusals write nothing.
expect "export sdtm writes dm.xpt and define.xml" 0 "dm.xpt .*sha256" -- "$bin" export sdtm --program isotretinoin-noa --output "$demo_tmp/sdtm" --demo-folder "$demo_tmp/demo"
expect "export: the package is in place" 0 "define.xml" -- ls "$demo_tmp/sdtm"
expect "export csv de-identified as the demo monitor" 0 "done" -- "$bin" export csv --program isotretinoin-noa --output "$demo_tmp/csv" --deidentify --date-precision year --as monitor --demo-folder "$demo_tmp/demo"
expect "export: a monitor without --deidentify is refused" nonzero "only de-identified" -- "$bin" export odm --program isotretinoin-noa --output "$demo_tmp/odm" --as monitor --demo-folder "$demo_tmp/demo"
expect "export: a coordinator is refused" nonzero "cannot export" -- "$bin" export odm --program isotretinoin-noa --output "$demo_tmp/odm" --as coordinator --demo-folder "$demo_tmp/demo"
expect "export: an output folder that is not empty is refused" nonzero "is not empty" -- "$bin" export csv --program isotretinoin-noa --output "$demo_tmp/sdtm" --demo-folder "$demo_tmp/demo"
expect "export: unknown program lists the programs" nonzero "no program nope; programs: " -- "$bin" export csv --program nope --output "$demo_tmp/nope" --demo-folder "$demo_tmp/demo"
expect "export: the audit trail and records verify after exports" 0 "records intact" -- "$bin" audit verify --records --database-url "sqlite://$demo_tmp/demo/restora-demo.sqlite"
mkdir -p "$demo_tmp/other" && printf 'not a database\n' > "$demo_tmp/other/restora-demo.sqlite"
expect "demo refuses a file that is not a demo database" nonzero "refusing" -- "$bin" demo --seed-only --folder "$demo_tmp/other"
expect "demo left that file alone" 0 "^not a database$" -- cat "$demo_tmp/other/restora-demo.sqlite"
rm -rf "$demo_tmp"

# Issue 12, item 10: `restora stats` reads only decimal numbers and refuses a header without data, grouped or not.
stats_tmp=$(mktemp -d)
printf 'time,event,arm\n' > "$stats_tmp/header-only.csv"
expect "stats km: header-only file refused" nonzero "header row but no data rows" -- "$bin" stats km --input "$stats_tmp/header-only.csv" --time time --event event
expect "stats km --group: header-only file refused" nonzero "header row but no data rows" -- "$bin" stats km --input "$stats_tmp/header-only.csv" --time time --event event --group arm
printf 'time,event\n0x10,1\n5,0\n' > "$stats_tmp/hex.csv"
expect "stats km: 0x10 is not a decimal number" nonzero "'0x10' is not a finite decimal number" -- "$bin" stats km --input "$stats_tmp/hex.csv" --time time --event event
printf 'time,event\n3\0,1\n5,0\n' > "$stats_tmp/nul.csv"
expect "stats km: a number followed by NUL refused" nonzero "is not a finite decimal number" -- "$bin" stats km --input "$stats_tmp/nul.csv" --time time --event event
expect "stats ttest: 0x10 in --x refused" nonzero "not a finite decimal number" -- "$bin" stats ttest --x 1,2,0x10 --y 3,4,5
rm -rf "$stats_tmp"

# Issue 12, deployment: plain HTTP on the network is refused before anything is opened; TLS needs both files;
# backup and restore of PostgreSQL point to pg_dump / pg_restore.
expect "serve refuses plain HTTP on 0.0.0.0" nonzero "refusing to serve plain HTTP on 0.0.0.0" -- "$bin" serve --host 0.0.0.0 --database-url sqlite::memory:
expect "serve: --tls-cert without --tls-key refused" nonzero "tls-cert needs --tls-key" -- "$bin" serve --tls-cert cert.pem --database-url sqlite::memory:
expect "serve: a public URL that is not https refused" nonzero "public-url" -- "$bin" serve --public-url ftp://clinic.example --database-url sqlite::memory:
expect "backup of PostgreSQL points to pg_dump" nonzero "pg_dump" -- "$bin" backup --database-url postgres://u:p@127.0.0.1:1/db --output /tmp/never-written.dump
expect "restore into PostgreSQL points to pg_restore" nonzero "pg_restore" -- "$bin" restore --database-url postgres://u:p@127.0.0.1:1/db --input /tmp/never-read.sqlite

# The binary runs from any folder: the built-in protocols ship inside it. From an empty folder, the demo is
# seeded and served with its output piped to a file, and the logins are in that file while it serves.
elsewhere=$(mktemp -d /tmp/restora-elsewhere.XXXXXX)
abs_bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
expect "protocol list from a folder without protocols/" 0 "isotretinoin-noa" -- env -C "$elsewhere" "$abs_bin" protocol list
expect "protocol list names the built-in source" 0 "built-in:msc-osteoporosis.yaml" -- env -C "$elsewhere" "$abs_bin" protocol list --json
demo_piped_logins() {
  local port=$(( 20000 + RANDOM % 2000 )) pid rc=1
  (cd "$elsewhere" && exec "$abs_bin" demo --folder demo --port "$port" >"$elsewhere/demo.out" 2>&1) &
  pid=$!
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && { rc=0; break; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  # While it is still serving: the banner and the logins must already be in the file.
  cat "$elsewhere/demo.out"
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  return $rc
}
expect "demo from another folder, output piped: logins printed while serving" 0 "Demo logins.*" -- demo_piped_logins
expect "demo output piped names a login with its password" 0 "^  [a-z]+ +password [^ ]+" -- cat "$elsewhere/demo.out"
rm -rf "$elsewhere"
expect "backup into a missing folder is named" nonzero "folder /nonexistent-restora does not exist" -- "$bin" backup --database-url sqlite:///tmp/restora-no-such.sqlite --output /nonexistent-restora/b.sqlite
expect "backup of a database that is not there is named" nonzero "no database at /tmp/restora-no-such.sqlite" -- "$bin" backup --database-url sqlite:///tmp/restora-no-such.sqlite --output /tmp/restora-never.sqlite
expect "restore of a file that is not a backup is refused" nonzero "not a Restora database backup" -- "$bin" restore --database-url sqlite:///tmp/restora-never.sqlite --input /etc/hostname
