"""Generated fixtures and the pairwise F1 the tests of python/ and spark/ share: records
made by the `casematch` binary (``casematch generate``), the generator the Rust tests and
benches use. The binary comes from CASEMATCH_BIN, else target/release/casematch under
CARGO_TARGET_DIR or the repository."""

import json
import os
import pathlib
import subprocess

REPO = pathlib.Path(__file__).resolve().parents[2]


def casematch_bin() -> str:
    candidates = [os.environ.get("CASEMATCH_BIN")]
    for target in (os.environ.get("CARGO_TARGET_DIR"), str(REPO / "target")):
        if target:
            candidates += [os.path.join(target, "release", "casematch"), os.path.join(target, "debug", "casematch")]
    for c in candidates:
        if c and os.access(c, os.X_OK):
            return c
    raise RuntimeError("no casematch binary: build it (cargo build --release) or set CASEMATCH_BIN")


def generate(tmp: pathlib.Path, records: int, seed: int, profile: str = "default"):
    """(records as dicts, truth id → (person, matter), path of the JSONL)."""
    path = tmp / f"gen-{records}-{seed}-{profile}.jsonl"
    truth = tmp / f"gen-{records}-{seed}-{profile}.tsv"
    with open(path, "wb") as out:
        subprocess.run(
            [casematch_bin(), "generate", "--records", str(records), "--seed", str(seed),
             "--profile", profile, "--truth", str(truth)],
            stdout=out, check=True,
        )
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    labels = {}
    for line in truth.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[0] != "id":
            labels[parts[0]] = (parts[1], parts[2])
    return rows, labels, path



def pair_f1(truth, groups):
    """Pairwise DUPLICATE F1 of groups (id → group) against truth (id → (person, matter))."""

    def pairs(labels):
        by = {}
        for i, g in labels.items():
            by.setdefault(g, []).append(i)
        out = set()
        for members in by.values():
            members.sort()
            out.update((a, b) for k, a in enumerate(members) for b in members[k + 1:])
        return out

    t, p = pairs(truth), pairs(groups)
    tp = len(t & p)
    precision, recall = tp / max(len(p), 1), tp / max(len(t), 1)
    return 2 * precision * recall / max(precision + recall, 1e-12)
