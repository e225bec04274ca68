"""Spark local mode against the single-machine dedupe on the same generated records.

    python spark/benches/throughput.py [records] [master]

Generates `records` cases with their truth (``casematch generate``), runs ``casematch
dedupe`` and the Spark job (``spark/casematch_spark.py``, `master` default local[2], its
default settings) on them, and prints seconds, records per second, duplicate F1 against
the truth of both and their pairwise agreement."""

import json
import pathlib
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "python" / "tests"))

from casegen import casematch_bin, generate, pair_f1  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    master = sys.argv[2] if len(sys.argv) > 2 else "local[2]"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        _, truth, path = generate(tmp, n, 7)
        t0 = time.perf_counter()
        subprocess.run([casematch_bin(), "dedupe", "--input", str(path), "--output", str(tmp / "single.jsonl"),
                        "--json"], check=True, capture_output=True)
        single_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        subprocess.run(["spark-submit", "--master", master, "--conf", "spark.ui.showConsoleProgress=false",
                        str(HERE.parent / "casematch_spark.py"), "--input", str(path), "--output", str(tmp / "spark")],
                       check=True, capture_output=True)
        spark_s = time.perf_counter() - t0
        single = {}
        for line in (tmp / "single.jsonl").read_text(encoding="utf-8").splitlines():
            g = json.loads(line)
            single[g["id"]] = g["duplicate_group"]
        spark = {}
        for part in sorted((tmp / "spark").glob("part-*")):
            for line in part.read_text(encoding="utf-8").splitlines():
                g = json.loads(line)
                spark[g["id"]] = g["duplicate_group"]
    print(json.dumps({
        "records": n, "master": master,
        "single_seconds": round(single_s, 1), "single_records_per_second": round(n / single_s),
        "spark_seconds": round(spark_s, 1), "spark_records_per_second": round(n / spark_s),
        "spark_over_single": round(spark_s / single_s, 2),
        "single_dup_f1": round(pair_f1(truth, single), 4), "spark_dup_f1": round(pair_f1(truth, spark), 4),
        "agreement_f1": round(pair_f1(single, spark), 4),
    }))


if __name__ == "__main__":
    main()
