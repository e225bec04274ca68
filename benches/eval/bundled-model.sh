#!/usr/bin/env bash
# Rebuilds src/matching/model.toml: a labelled fit on the dev-100k benchmark (DEV100K: its
# unpacked folder with cases.jsonl and truth.tsv) plus 100,000 generated records of the mixed
# profile, ids and labels of the generated part prefixed with G so the two never collide.
#   DEV100K=/path/to/dev-100k benches/eval/bundled-model.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${DEV100K:?set DEV100K to the unpacked dev-100k folder}"
OUT=${1:-src/matching/model.toml}
T=$(mktemp -d)
cargo build --release --quiet
target/release/casematch generate --profile mixed --records 100000 --seed 11 --truth "$T/g.tsv" > "$T/g.jsonl"
python3 - "$DEV100K" "$T" <<'PY'
import json, sys
dev, t = sys.argv[1], sys.argv[2]
with open(f"{t}/all.jsonl", "w", encoding="utf-8") as out, open(f"{t}/all.tsv", "w", encoding="utf-8") as tr:
    out.writelines(open(f"{dev}/cases.jsonl", encoding="utf-8"))
    tr.writelines(open(f"{dev}/truth.tsv", encoding="utf-8"))
    for line in open(f"{t}/g.jsonl", encoding="utf-8"):
        d = json.loads(line); d["id"] = "G" + d["id"]
        out.write(json.dumps(d, ensure_ascii=False) + "\n")
    for line in open(f"{t}/g.tsv", encoding="utf-8"):
        i, p, m = line.rstrip("\n").split("\t")
        tr.write(f"G{i}\tG{p}\tG{m}\n")
PY
target/release/casematch fit --cases "$T/all.jsonl" --truth "$T/all.tsv" --out "$OUT" --report "$T/model.html"
sed -i '0,/^source = .*/s//source = "fitted by benches\/eval\/bundled-model.sh: `casematch fit` on dev-100k (unpacked) plus 100,000 generated records (profile mixed, seed 11), ids prefixed G"/' "$OUT"
echo "model written to $OUT; report $T/model.html"
