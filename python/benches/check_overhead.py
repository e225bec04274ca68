"""What calling check from Python costs over the engine's own work.

    python python/benches/check_overhead.py [records] [queries]

Ingests `records` generated cases (``casematch generate``, the binary from CASEMATCH_BIN or
the target dir) into an index in memory, then checks `queries` held-out generated records
three ways, each after one untimed pass: the engine's call (``_native.Index.check`` on
JSON text prepared beforehand: Rust parses the record, checks it, writes the result as
JSON), the package's call (``Index.check(dict)``: the dict made JSON text, the result parsed
into a dict), and ``Index.check_many`` on all of them. Prints per-query means and the
package's overhead over the engine's call."""

import json
import pathlib
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))

import casematch  # noqa: E402
from casegen import casematch_bin  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    q = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([casematch_bin(), "generate", "--records", str(n + q), "--seed", "5"],
                             check=True, capture_output=True, text=True).stdout
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    cases, queries = rows[:n], rows[n:]
    ix = casematch.Index()
    ix.ingest(cases)
    texts = [casematch.to_json(r) for r in queries]
    native = ix._native

    def engine():
        for t in texts:
            native.check(t, "2026-01-01")

    def package():
        for r in queries:
            ix.check(r, now="2026-01-01")

    def many():
        ix.check_many(queries, now="2026-01-01")

    timings = {}
    for name, fn in (("engine", engine), ("package", package), ("check_many", many)):
        fn()
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t0)
        timings[name] = best / len(queries) * 1000
    print(json.dumps({
        "records": n, "queries": q,
        "engine_ms": round(timings["engine"], 3),
        "package_ms": round(timings["package"], 3),
        "check_many_ms_per_query": round(timings["check_many"], 3),
        "overhead": round(timings["package"] / timings["engine"] - 1, 4),
    }))


if __name__ == "__main__":
    main()
