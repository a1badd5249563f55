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
mkdir -p "$demo_tmp/other" && printf 'not a database\n' > "$demo_tmp/other/restora-demo.sqlite"
expect "demo refuses a file that is not a demo database" nonzero "refusing" -- "$bin" demo --seed-only --folder "$demo_tmp/other"
expect "demo left that file alone" 0 "^not a database$" -- cat "$demo_tmp/other/restora-demo.sqlite"
rm -rf "$demo_tmp"
