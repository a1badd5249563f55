#!/usr/bin/env python3
"""Reads a SAS XPORT v5 file with two independent readers and prints what each saw, as JSON on stdout.

  pyreadstat.read_xport   ReadStat (C)
  pandas.read_sas(format="xport")   pandas' own Python/NumPy reader

Usage: export_readback.py FILE.xpt [--encoding ascii|utf-8]

Output: {"pyreadstat": R, "pandas": R} with R = {"dataset": name, "label": dataset label, "names": [...],
"labels": [...], "types": ["number"|"text", ...], "lengths": [...], "rows": [[cell, ...], ...]}. A number cell is
its IEEE 754 bit pattern as 16 hex digits (so the Swift test compares exactly, not through a decimal rendering),
a missing number is null, a text cell is the string as read. A reader that fails puts {"error": "..."} in its
place (the exit status is then 1). Used by Tests/RestoraExportTests/XPTRoundTripTests.swift (docs/xpt-format.md).
"""
import json
import math
import struct
import sys


def number_cell(value):
    if value is None:
        return None
    value = float(value)
    if math.isnan(value):
        return None
    return struct.pack(">d", value).hex()


def text_cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, bytes):
        value = value.decode("ascii")
    return str(value)


def with_pyreadstat(path, encoding):
    import pyreadstat

    df, meta = pyreadstat.read_xport(path, encoding=encoding)
    names = list(meta.column_names)
    types = ["number" if meta.readstat_variable_types[n] == "double" else "text" for n in names]
    rows = []
    for record in df.itertuples(index=False, name=None):
        rows.append([number_cell(v) if t == "number" else text_cell(v) for v, t in zip(record, types)])
    return {
        "dataset": meta.table_name,
        "label": meta.file_label,
        "names": names,
        "labels": [label or "" for label in meta.column_labels],
        "types": types,
        "lengths": [meta.variable_storage_width.get(n) for n in names],
        "rows": rows,
    }


def as_text(value):
    """pandas gives header fields as bytes, or as str when an encoding was passed (depending on the version)."""
    return value.decode("ascii") if isinstance(value, bytes) else str(value)


def with_pandas(path, encoding):
    import pandas as pd

    with pd.read_sas(path, format="xport", iterator=True, encoding=encoding) as reader:
        fields = reader.fields
        member = reader.member_info
        df = reader.read() if reader.nobs > 0 else pd.DataFrame(columns=reader.columns)
    names = [as_text(f["name"]) for f in fields]
    types = ["number" if f["ntype"] == "numeric" else "text" for f in fields]
    rows = []
    for record in df.itertuples(index=False, name=None):
        rows.append([number_cell(v) if t == "number" else text_cell(v) for v, t in zip(record, types)])
    return {
        "dataset": as_text(member["set_name"]).strip(),
        "label": as_text(member["label"]).strip(),
        "names": names,
        "labels": [as_text(f["label"]) for f in fields],
        "types": types,
        "lengths": [f["field_length"] for f in fields],
        "rows": rows,
    }


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    path = args[0]
    encoding = "ascii"
    if "--encoding" in args:
        encoding = args[args.index("--encoding") + 1]
    result = {}
    status = 0
    for name, reader in (("pyreadstat", with_pyreadstat), ("pandas", with_pandas)):
        try:
            result[name] = reader(path, encoding)
        except Exception as error:  # reported, and the exit status says so
            result[name] = {"error": f"{type(error).__name__}: {error}"}
            status = 1
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
