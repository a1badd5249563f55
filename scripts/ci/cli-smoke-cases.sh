# Cases for cli-smoke.sh, one `expect` per line; grouped by command. Sourced, not run.
expect "help lists commands" 0 "stats" -- "$bin" --help
