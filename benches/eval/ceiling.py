#!/usr/bin/env python3
"""How many of a check split's true DUPLICATE pairs (query, existing record) still have an
identifier field filled on both sides (name, phone, ID number, home address, account): a
ceiling on DUPLICATE recall for any matcher that needs one, on sets whose fields are missing.

  ceiling.py TRUTH.tsv EXISTING.jsonl QUERIES.jsonl
"""
import json
import sys
from collections import defaultdict

FIELDS = ("name", "phone", "id_number", "address", "account")


def records(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                yield d["id"], {k for k in FIELDS if d.get(k)}


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    truth = {}
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3:
                truth[parts[0]] = (parts[1], parts[2])
    existing = defaultdict(list)
    for rid, fields in records(sys.argv[2]):
        if rid in truth:
            existing[truth[rid]].append(fields)
    pairs = with_field = 0
    for rid, fields in records(sys.argv[3]):
        for other in existing.get(truth.get(rid), []):
            pairs += 1
            with_field += bool(fields & other)
    share = with_field / pairs if pairs else 0.0
    print(json.dumps({"duplicate_pairs": pairs, "with_a_shared_identifier_field": with_field, "share": round(share, 4)}))


if __name__ == "__main__":
    main()
