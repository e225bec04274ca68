#!/usr/bin/env python3
"""Scores casematch outputs against a truth file (id<TAB>person<TAB>matter); standard library only.

  score.py check  TRUTH QUERIES PRED   precision/recall/F1 of the matches flagged DUPLICATE,
                                       verdict accuracy (strongest true relation to any
                                       existing record: DUPLICATE > RELATED > SAME_PERSON > NEW)
  score.py dedupe TRUTH GROUPS         pairwise precision/recall/F1 of DUPLICATE pairs
                                       (duplicate_group) and same-matter pairs (matter_group)

Pairs are counted from contingency tables, so a million records score in seconds.
"""
import json
import sys
from collections import Counter, defaultdict


def read_truth(path):
    t = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3:
                t[parts[0]] = (parts[1], parts[2])
    return t


def jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def pairs(n):
    return n * (n - 1) // 2


def check(truth, queries, pred):
    qids = [q["id"] for q in jsonl(queries)]
    qset = set(qids)
    existing = [i for i in truth if i not in qset]
    by_dup, by_matter, by_person = Counter(), Counter(), Counter()
    for i in existing:
        p, m = truth[i]
        by_dup[(p, m)] += 1
        by_matter[m] += 1
        by_person[p] += 1
    preds = {r["id"]: r for r in jsonl(pred)}
    tp = fp = fn = 0
    correct = 0
    for q in qids:
        p, m = truth[q]
        dups = by_dup[(p, m)]
        want = ("DUPLICATE" if dups else "RELATED" if by_matter[m] else
                "SAME_PERSON" if by_person[p] else "NEW")
        r = preds.get(q, {"verdict": "NEW", "matches": []})
        correct += r["verdict"] == want
        flagged = [x["id"] for x in r.get("matches", []) if x.get("verdict") == "DUPLICATE"]
        hit = sum(1 for x in flagged if truth.get(x) == (p, m))
        tp += hit
        fp += len(flagged) - hit
        fn += dups - hit
    pr, rc, f = prf(tp, fp, fn)
    return {"dup_precision": pr, "dup_recall": rc, "dup_f1": f,
            "verdict_accuracy": correct / max(1, len(qids))}


def dedupe(truth, groups):
    rows = {r["id"]: r for r in jsonl(groups)}
    out = {}
    for name, key, label in (("dup", "duplicate_group", lambda t: t),
                             ("matter", "matter_group", lambda t: t[1])):
        cells, pred_sizes, true_sizes = Counter(), Counter(), Counter()
        for i, t in truth.items():
            g = rows.get(i, {}).get(key, "#" + i)
            cells[(g, label(t))] += 1
            pred_sizes[g] += 1
            true_sizes[label(t)] += 1
        tp = sum(pairs(n) for n in cells.values())
        pred = sum(pairs(n) for n in pred_sizes.values())
        true = sum(pairs(n) for n in true_sizes.values())
        p, r, f = prf(tp, pred - tp, true - tp)
        out.update({f"{name}_precision": p, f"{name}_recall": r, f"{name}_f1": f})
    return out


def main():
    if len(sys.argv) >= 5 and sys.argv[1] == "check":
        d = check(read_truth(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif len(sys.argv) >= 4 and sys.argv[1] == "dedupe":
        d = dedupe(read_truth(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(__doc__)
    print(json.dumps({k: round(v, 4) for k, v in d.items()}))


if __name__ == "__main__":
    main()
