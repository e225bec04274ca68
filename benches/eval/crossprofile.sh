#!/usr/bin/env bash
# Generality, measured: fit on one generated profile (with labels, and by EM without them),
# score on the others (intake check with and without received_at, batch dedupe). No figure is
# scored on data its model was fitted on: training and test sets are different profiles and
# seeds.
#   benches/eval/crossprofile.sh [RECORDS] [OUTDIR]     (default 10000, target/eval)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-10000}
OUT=${2:-target/eval}
BIN=target/release/casematch
cargo build --release --quiet
mkdir -p "$OUT"
PROFILES="default hotline longrun"
for p in $PROFILES; do
  mkdir -p "$OUT/$p"
  $BIN generate --profile "$p" --records "$N" --seed 101 --truth "$OUT/$p/train.tsv" > "$OUT/$p/train.jsonl"
  $BIN generate --profile "$p" --records "$N" --seed 202 --truth "$OUT/$p/test.tsv" > "$OUT/$p/test.jsonl"
  python3 benches/eval/split.py "$OUT/$p/test.jsonl" "$OUT/$p"
  rm -rf "$OUT/$p/index"
  $BIN ingest --index "$OUT/$p/index" "$OUT/$p/existing.jsonl" > /dev/null 2>&1
done
printf '%-9s %-8s %-8s %-8s %8s %8s %8s %8s %8s %8s\n' train fit test dated dupF1 verdict dedupDup dedupMat P R
for train in default hotline; do
  $BIN fit --cases "$OUT/$train/train.jsonl" --truth "$OUT/$train/train.tsv" --out "$OUT/model-$train-labelled.toml" 2> /dev/null
  $BIN fit --cases "$OUT/$train/train.jsonl" --out "$OUT/model-$train-em.toml" 2> /dev/null
  for fit in labelled em; do
    M="$OUT/model-$train-$fit.toml"
    for test in $PROFILES; do
      [ "$test" = "$train" ] && continue
      D="$OUT/$test"
      $BIN dedupe --model "$M" --input "$D/test.jsonl" --output "$D/groups-$train-$fit.jsonl" --report "$D/report-$train-$fit.html" > /dev/null 2>&1
      dd=$(python3 benches/eval/score.py dedupe "$D/test.tsv" "$D/groups-$train-$fit.jsonl")
      for dated in yes no; do
        q="$D/queries.jsonl"; [ "$dated" = no ] && q="$D/queries-nodate.jsonl"
        $BIN check --model "$M" --index "$D/index" "$q" --json > "$D/checks-$train-$fit-$dated.jsonl"
        c=$(python3 benches/eval/score.py check "$D/test.tsv" "$D/queries.jsonl" "$D/checks-$train-$fit-$dated.jsonl")
        python3 -c "
import json
c=json.loads('$c'); d=json.loads('$dd')
print('%-9s %-8s %-8s %-8s %8.4f %8.4f %8.4f %8.4f %8.4f %8.4f' % ('$train','$fit','$test','$dated',c['dup_f1'],c['verdict_accuracy'],d['dup_f1'],d['matter_f1'],c['dup_precision'],c['dup_recall']))"
      done
    done
  done
done
