#!/usr/bin/env python3
"""Scores casematch outputs against a truth file (id<TAB>person<TAB>matter); standard library only.

  score.py check  TRUTH QUERIES PRED   precision/recall/F1 of the matches flagged DUPLICATE,
                                       verdict accuracy (strongest true relation to any
                                       existing record: DUPLICATE > RELATED > SAME_PERSON > NEW)
  score.py dedupe TRUTH GROUPS         pairwise precision/recall/F1 of DUPLICATE pairs
                                       (duplicate_group) and same-matter pairs (matter_group)
  score.py pairs  PAIRS CASES GROUPS   same-matter precision/recall/F1 (matter_group) on labelled
                                       pairs (TSV `pair a b kind cos label`, kind `same_user` for
                                       one account's pairs, label 1 same matter / 0 not): all,
                                       one account's, two accounts', within 45 days, further apart

Pairs are counted from contingency tables, so a million records score in seconds.
"""
import json
import sys
from collections import Counter, defaultdict
from datetime import date


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


def labelled_pairs(pairs_tsv, cases, groups):
    when = {}
    for r in jsonl(cases):
        at = r.get("received_at")
        when[str(r["id"])] = date.fromisoformat(at[:10]) if at else None
    group = {str(r["id"]): r.get("matter_group") for r in jsonl(groups)}
    counts = {k: [0, 0, 0] for k in ("all", "same_account", "cross_account", "within_45d", "beyond_45d")}
    with open(pairs_tsv, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 6 or cols[0] == "pair" or cols[5] not in ("0", "1"):
                continue
            a, b, kind, label = cols[1], cols[2], cols[3], cols[5] == "1"
            joined = group.get(a) is not None and group.get(a) == group.get(b)
            keys = ["all", "same_account" if kind == "same_user" else "cross_account"]
            if when.get(a) and when.get(b):
                keys.append("within_45d" if abs((when[a] - when[b]).days) <= 45 else "beyond_45d")
            for k in keys:
                c = counts[k]
                c[0] += joined and label
                c[1] += joined and not label
                c[2] += label and not joined
    out = {}
    for k, (tp, fp, fn) in counts.items():
        p, r, f = prf(tp, fp, fn)
        out.update({f"{k}_precision": p, f"{k}_recall": r, f"{k}_f1": f})
    return out


def main():
    if len(sys.argv) >= 5 and sys.argv[1] == "check":
        d = check(read_truth(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif len(sys.argv) >= 5 and sys.argv[1] == "pairs":
        d = labelled_pairs(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) >= 4 and sys.argv[1] == "dedupe":
        d = dedupe(read_truth(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(__doc__)
    print(json.dumps({k: round(v, 4) for k, v in d.items()}))


if __name__ == "__main__":
    main()
