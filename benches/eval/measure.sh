#!/usr/bin/env bash
# The figures of one model on sets it was not fitted on (the bundled model unless MODEL is
# given): generated profiles default, hotline and longrun (seed 202, 10,000 records; intake
# check of the last fifth by received_at against the rest, with and without received_at; batch
# dedupe of all), and, when BENCH names a benchmark folder, its dev-10k (check split and
# dedupe) and real-tc3 (dedupe scored on the labelled pairs: all, one account's, two
# accounts', within 45 days and further apart).
#   [MODEL=model.toml] [BENCH=/path/to/bench] benches/eval/measure.sh [OUTDIR]   (target/measure)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-target/measure}
BIN=target/release/casematch
SCORE=benches/eval/score.py
cargo build --release --quiet
mkdir -p "$OUT"
model=()
if [ -n "${MODEL:-}" ]; then model=(--model "$MODEL"); fi
check() { # name index queries truth
  $BIN check "${model[@]}" --index "$2" "$3" --json > "$OUT/$1-checks.jsonl" 2> /dev/null
  echo "$1 check $(python3 $SCORE check "$4" "$3" "$OUT/$1-checks.jsonl")"
}
dedupe() { # name cases truth
  $BIN dedupe "${model[@]}" --input "$2" --output "$OUT/$1-groups.jsonl" > /dev/null 2>&1
  echo "$1 dedupe $(python3 $SCORE dedupe "$3" "$OUT/$1-groups.jsonl")"
}
for p in default hotline longrun; do
  D="$OUT/$p"
  mkdir -p "$D"
  $BIN generate --profile "$p" --records 10000 --seed 202 --truth "$D/test.tsv" > "$D/test.jsonl"
  python3 benches/eval/split.py "$D/test.jsonl" "$D"
  rm -rf "$D/index"
  $BIN ingest --index "$D/index" "$D/existing.jsonl" > /dev/null 2>&1
  check "$p" "$D/index" "$D/queries.jsonl" "$D/test.tsv"
  check "$p-nodate" "$D/index" "$D/queries-nodate.jsonl" "$D/test.tsv"
  dedupe "$p" "$D/test.jsonl" "$D/test.tsv"
done
if [ -n "${BENCH:-}" ]; then
  D="$BENCH/dev-10k"
  rm -rf "$OUT/dev-10k-index"
  $BIN ingest --index "$OUT/dev-10k-index" "$D/check/existing.jsonl" > /dev/null 2>&1
  check dev-10k "$OUT/dev-10k-index" "$D/check/queries.jsonl" "$D/check/truth.tsv"
  dedupe dev-10k "$D/cases.jsonl" "$D/truth.tsv"
  T="$BENCH/real-tc3"
  $BIN dedupe "${model[@]}" --input "$T/cases.jsonl" --output "$OUT/real-tc3-groups.jsonl" > /dev/null 2>&1
  echo "real-tc3 pairs $(python3 $SCORE pairs "$T/pairs.tsv" "$T/cases.jsonl" "$OUT/real-tc3-groups.jsonl")"
fi
