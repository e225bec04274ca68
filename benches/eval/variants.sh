#!/usr/bin/env bash
# A labelled benchmark set as other deployments would export it (perturb.py: fields missing
# more often, identifiers masked, names as forms of address), scored for the intake check
# (its check split) and batch dedupe with one model (the bundled one unless MODEL is given).
#   [MODEL=model.toml] benches/eval/variants.sh SET [OUTDIR]   (SET: a folder with cases.jsonl,
#   truth.tsv and check/{existing,queries,truth}; OUTDIR: target/variants)
set -euo pipefail
cd "$(dirname "$0")/../.."
SET=${1:?usage: variants.sh SET [OUTDIR]}
OUT=${2:-target/variants}
BIN=target/release/casematch
E=benches/eval
cargo build --release --quiet
model=()
if [ -n "${MODEL:-}" ]; then model=(--model "$MODEL"); fi
for v in sparse masked both; do
  D="$OUT/$v"
  mkdir -p "$D/check"
  for f in cases check/existing check/queries; do
    python3 $E/perturb.py $v "$SET/$f.jsonl" "$D/$f.jsonl"
  done
  rm -rf "$D/index"
  $BIN ingest --index "$D/index" "$D/check/existing.jsonl" > /dev/null 2>&1
  $BIN check "${model[@]}" --index "$D/index" "$D/check/queries.jsonl" --json > "$D/checks.jsonl" 2> /dev/null
  $BIN dedupe "${model[@]}" --input "$D/cases.jsonl" --output "$D/groups.jsonl" > /dev/null 2>&1
  echo "$v check $(python3 $E/score.py check "$SET/check/truth.tsv" "$D/check/queries.jsonl" "$D/checks.jsonl")"
  echo "$v ceiling $(python3 $E/ceiling.py "$SET/check/truth.tsv" "$D/check/existing.jsonl" "$D/check/queries.jsonl")"
  echo "$v dedupe $(python3 $E/score.py dedupe "$SET/truth.tsv" "$D/groups.jsonl")"
done
