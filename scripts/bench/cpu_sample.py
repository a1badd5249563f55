#!/usr/bin/env python3
"""Per-second CPU of a running `restora serve`, beside the kernel's dirty and write-back page totals.

  python3 scripts/bench/cpu_sample.py --binary-contains restora --output /tmp/cpu.txt &
  python3 scripts/bench/fhir.py --restora <binary> --demo-folder /tmp/bench-100k-sql --skip reads,import

Waits for a process whose executable path contains --binary-contains and whose arguments include `serve`, then
writes one line per second until it exits: seconds since found, cores used in that second (user + system),
CPU seconds so far, and /proc/meminfo's Dirty and Writeback in MB. This is how the 3-4 s stalls of the 10^5
`$export` every 30 s were found (BENCHMARKS.md "FHIR server and Bulk Data"): the cores dropped to nearly nothing
exactly when Dirty fell from 1.6 GB to a few MB.
"""
import argparse
import os
import time


def find(binary):
    while True:
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                argv = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
            except OSError:
                continue
            if argv and binary.encode() in argv[0] and b"serve" in argv[1:]:
                return pid
        time.sleep(0.2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary-contains", required=True)
    ap.add_argument("--output", required=True)
    args = ap.parse_args()
    ticks = os.sysconf("SC_CLK_TCK")
    pid = find(args.binary_contains)
    start, last = time.time(), None
    with open(args.output, "w") as out:
        while True:
            try:
                fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                break
            cpu = (int(fields[11]) + int(fields[12])) / ticks
            now = time.time()
            memory = {line.split(":")[0]: int(line.split()[1]) // 1024
                      for line in open("/proc/meminfo") if line.startswith(("Dirty:", "Writeback:"))}
            if last:
                out.write(f"{now - start:7.1f} {(cpu - last[1]) / (now - last[0]):5.2f} {cpu:8.1f} "
                          f"dirty {memory['Dirty']} MB writeback {memory['Writeback']} MB\n")
                out.flush()
            last = (now, cpu)
            time.sleep(1)


if __name__ == "__main__":
    main()
