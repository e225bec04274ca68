#!/usr/bin/env python3
"""Splits generated cases for the intake check as a desk sees them: sorted by received_at, the
first four fifths go to existing.jsonl (indexed), the last fifth to queries.jsonl and, without
received_at, to queries-nodate.jsonl.

  split.py CASES OUTDIR
"""
import json
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    cases, out = sys.argv[1], sys.argv[2]
    with open(cases, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    rows.sort(key=lambda d: d.get("received_at") or "9999")
    k = len(rows) * 4 // 5
    with open(f"{out}/existing.jsonl", "w", encoding="utf-8") as f:
        for d in rows[:k]:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    with open(f"{out}/queries.jsonl", "w", encoding="utf-8") as f, \
            open(f"{out}/queries-nodate.jsonl", "w", encoding="utf-8") as g:
        for d in rows[k:]:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
            d.pop("received_at", None)
            g.write(json.dumps(d, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
