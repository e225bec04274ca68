"""The Spark job in local mode against the single-machine `casematch dedupe` on the same
generated records: the same groups (duplicate F1 against the truth within half a point,
and nearly every pair the binary groups grouped by the job too), the same report figures."""

import json
import subprocess

import pytest

import casematch_spark as job
from casegen import casematch_bin, generate, pair_f1  # python/tests/casegen.py


@pytest.fixture(scope="module")
def fixture(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("spark")
    rows, truth, path = generate(tmp, 2500, 11, "mixed")
    out = tmp / "single.jsonl"
    report = tmp / "single.html"
    subprocess.run([casematch_bin(), "dedupe", "--input", str(path), "--output", str(out),
                    "--report", str(report), "--json"], check=True, capture_output=True)
    single = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    single_report = json.loads(report.with_suffix(".json").read_text(encoding="utf-8"))
    return tmp, rows, truth, path, single, single_report


def run_job(spark, inputs, **kw):
    records = job.read_records(spark, [str(p) for p in inputs], kw.pop("fmt", None))
    out = job.dedupe(spark, records, **kw)
    rows = [r.asDict() for r in out["groups"].orderBy("idx").select(*job.GROUP_COLUMNS).collect()]
    for r in rows:
        r["channels"] = list(r["channels"])
    return rows, out


def test_spark_groups_match_the_single_machine_dedupe(spark, fixture):
    tmp, rows, truth, path, single, single_report = fixture
    groups, out = run_job(spark, [path])
    assert [g["id"] for g in groups] == [g["id"] for g in single]
    f1_single = pair_f1(truth, {g["id"]: g["duplicate_group"] for g in single})
    f1_spark = pair_f1(truth, {g["id"]: g["duplicate_group"] for g in groups})
    assert abs(f1_spark - f1_single) <= 0.005, (f1_spark, f1_single)
    agreement = pair_f1({g["id"]: g["duplicate_group"] for g in single},
                        {g["id"]: g["duplicate_group"] for g in groups})
    assert agreement >= 0.99, agreement
    same_rows = sum(a == b for a, b in zip(groups, single))
    assert same_rows >= 0.98 * len(single), same_rows
    report = out["report"]
    assert report["records"] == single_report["records"] == len(rows)
    assert abs(report["candidate_pairs"] - single_report["candidate_pairs"]) <= 0.01 * single_report["candidate_pairs"]
    for key in ("duplicate_groups", "matter_groups"):
        assert abs(report[key] - single_report[key]) <= 0.01 * single_report[key], key
    assert abs(report["duplicate_rate"] - single_report["duplicate_rate"]) < 0.005
    channels = {r["key"]: r["records"] for r in report["by_channel"]}
    assert channels == {r["key"]: r["records"] for r in single_report["by_channel"]}
    assert [r["key"] for r in report["by_county"][:5]] == [r["key"] for r in single_report["by_county"][:5]]
    assert report["by_county"][0]["label"] == single_report["by_county"][0]["label"]
    top = report["largest_collective_matters"][0]
    assert top == single_report["largest_collective_matters"][0]


def test_parquet_and_csv_inputs_give_the_groups_of_jsonl(spark, fixture):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.csv
    import pyarrow.parquet as pq

    tmp, rows, truth, path, single, _ = fixture
    part = rows[:300]
    # every field a column (from_pylist alone takes the columns of the first row)
    fields = sorted({k for r in part for k in r})
    table = pa.Table.from_pylist(
        part, schema=pa.schema([(k, pa.int64() if k == "headcount" else pa.string()) for k in fields])
    )
    pq.write_table(table, tmp / "part.parquet")
    pyarrow.csv.write_csv(table, tmp / "part.csv")
    (tmp / "part.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in part) + "\n",
                                    encoding="utf-8")
    base, _ = run_job(spark, [tmp / "part.jsonl"])
    assert len(base) == 300
    assert run_job(spark, [tmp / "part.parquet"])[0] == base
    assert run_job(spark, [tmp / "part.csv"])[0] == base


def test_two_inputs_are_numbered_in_order_and_repeated_ids_skipped(spark, fixture):
    tmp, rows, _, _, _, _ = fixture
    a, b = tmp / "a.jsonl", tmp / "b.jsonl"
    a.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows[:200]), encoding="utf-8")
    # b repeats a's last record and carries one unreadable record
    b.write_text("\n".join([json.dumps(rows[199], ensure_ascii=False), '{"name": "no id"}']
                           + [json.dumps(r, ensure_ascii=False) for r in rows[200:300]]), encoding="utf-8")
    groups, out = run_job(spark, [a, b])
    assert [g["id"] for g in groups] == [r["id"] for r in rows[:300]]
    assert out["rejected"] == 2
    assert "id" in out["rejections"][0][1]


def test_connected_components_label_each_node_with_its_smallest_node(spark):
    # a long chain needs pointer jumping to converge in a few rounds
    chain = [(i, i + 1) for i in range(100, 160)]
    edges = spark.createDataFrame(chain + [(5, 9), (9, 7), (1, 2)], "a long, b long")
    labels = {r["idx"]: r["comp"] for r in job.connected_components(edges).collect()}
    assert {labels[i] for i in range(100, 161)} == {100}
    assert labels[7] == labels[9] == labels[5] == 5
    assert labels[1] == labels[2] == 1
    assert len(labels) == 61 + 3 + 2
