#!/usr/bin/env python3
"""Side-by-side Markdown table of two folio-bench --json runs (SQLite, PostgreSQL):
statements and time per variant of each section, in the first run's order.

    bench/side_by_side.py sqlite.json postgresql.json > table.md

A variant missing from a run, or run without a figure (a raw row with no
hand-written code on that backend), shows "-".
"""
import json
import sys


def fmt_time(s):
    if s is None:
        return "-"
    for unit, scale in (("s", 1), ("ms", 1e3), ("µs", 1e6)):
        if s * scale >= 0.9995:  # what .3g rounds to 1.00
            return f"{s * scale:.3g} {unit}"
    return f"{s * 1e9:.3g} ns"


def main(sqlite_path, pg_path):
    with open(sqlite_path) as f:
        lite = json.load(f)
    with open(pg_path) as f:
        pg = json.load(f)
    pg_by_key = {(r["section"], r["variant"]): r for r in pg}
    keys = [(r["section"], r["variant"]) for r in lite]
    keys += [(r["section"], r["variant"]) for r in pg if (r["section"], r["variant"]) not in set(keys)]
    lite_by_key = {(r["section"], r["variant"]): r for r in lite}
    keys.sort(key=lambda k: k[0])  # stable: each run's order within a section
    print("| § | variant | SQLite stmts | SQLite time | PostgreSQL stmts | PostgreSQL time | PG / SQLite time |")
    print("|---|---|---|---|---|---|---|")
    for key in keys:
        a, b = lite_by_key.get(key), pg_by_key.get(key)
        def st(r):
            return "-" if r is None or r["statements"] is None else str(r["statements"])
        def tm(r):
            return "-" if r is None else fmt_time(r["seconds"])
        ratio = "-"
        if a and b and a["seconds"] and b["seconds"]:
            ratio = f"{b['seconds'] / a['seconds']:.3g}x"
        print(f"| {key[0]} | {key[1]} | {st(a)} | {tm(a)} | {st(b)} | {tm(b)} | {ratio} |")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
