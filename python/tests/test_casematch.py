"""The Python package against the engine: what each call returns for records whose answer
is known, and that the package gives what the `casematch` binary gives on the same input."""

import datetime as dt
import json
import subprocess
import threading
import time

import pytest

import casematch
from casegen import generate, pair_f1

ZHANG = {
    "id": "A1",
    "channel": "12345热线",
    "received_at": "2024-03-01 09:30:00",
    "name": "張 偉",
    "id_number": "430104198807152310",
    "phone": "+86 139-1234-5678",
    "address": "湖南省长沙市岳麓区望月湖街道光明路235号2栋",
    "location": "长沙市岳麓区望月湖街道",
    "content": "望月湖小区旁边的工地每天晚上施工到凌晨三点，噪音很大，严重影响居民休息，多次向社区反映无果。",
}
ZHANG_AGAIN = {
    "id": "A2",
    "channel": "网上信访",
    "received_at": dt.datetime(2024, 3, 9, 20, 15),
    "name": "张伟",
    "phone": "13912345678",
    "location": "长沙市岳麓区",
    "content": "再次反映：望月湖小区旁边工地每天晚上施工到凌晨三点，噪音很大，严重影响居民休息。",
}
OTHER = {
    "id": "B1",
    "received_at": "2023-11-20",
    "name": "李秀英",
    "phone": "13700001111",
    "location": "岳阳市岳阳楼区",
    "content": "华兴建筑公司拖欠十二名工人工资共计八万六千元，多次讨要未果，请求帮助追讨。",
}


def test_profile_normalises_name_id_phone_and_places():
    p = casematch.profile(ZHANG)
    assert p["name"]["full"] == "张伟"  # traditional, spaced → simplified, joined
    assert p["id_number"] == {"kind": "valid", "value": "430104198807152310"}
    assert p["phones"] == [{"digits": "13912345678", "kind": "mobile"}]  # +86 and dashes dropped
    assert p["place"]["county"] == "430104"  # 岳麓区
    assert p["home_detail"] == "光明路235号2栋"
    assert p["text"].startswith("望月湖小区旁边的工地每天晚上施工到凌晨三点,噪音很大")  # full-width comma folded


def test_parse_types_fields_and_keeps_extras():
    c = casematch.parse({**OTHER, "工单号": 42, "headcount": 3})
    assert c["received_at"].startswith("2023-11-20T00:00:00+08:00")  # a bare date is China time
    assert c["extra"] == {"工单号": 42}
    assert c["headcount"] == 3


def test_bad_records_raise_record_error_naming_the_field():
    with pytest.raises(casematch.RecordError, match="id"):
        casematch.profile({"name": "张伟"})
    with pytest.raises(casematch.RecordError, match="received_at"):
        casematch.parse({"id": "X", "received_at": "yesterday"})
    with pytest.raises(TypeError):
        casematch.profile(["not", "a", "dict"])


def test_missing_values_from_tables_are_dropped_not_sent():
    nan = float("nan")
    c = casematch.parse({"id": "X", "name": None, "phone": nan, "content": "路灯不亮"})
    assert "name" not in c and "phone" not in c and c["content"] == "路灯不亮"


def test_compare_gives_the_verdict_and_evidence():
    same = casematch.compare(ZHANG, ZHANG_AGAIN)
    assert same["verdict"] == "DUPLICATE", same
    fields = {e["field"]: e for e in same["evidence"]}
    assert fields["name_phone"]["person"] > 0
    assert same["person_score"] > 0 and same["matter_score"] > 0
    other = casematch.compare(ZHANG, OTHER)
    assert other["verdict"] == "NEW"
    assert other["person_score"] < 0 and other["matter_score"] < 0
    assert 0 <= other["text_similarity"] < same["text_similarity"] <= 1


def test_model_round_trips_and_its_thresholds_decide(tmp_path):
    m = casematch.Model.bundled()
    path = tmp_path / "model.toml"
    m.save(str(path))
    again = casematch.Model.load(str(path))
    assert again == m and again.person_threshold == m.person_threshold
    assert casematch.Model.from_toml(m.to_toml()) == m
    # a person threshold above any score: the same complainant is never concluded
    strict = m.with_thresholds(person=1e6)
    assert casematch.compare(ZHANG, ZHANG_AGAIN, strict)["verdict"] == "RELATED"
    with pytest.raises(casematch.CasematchError):
        casematch.Model.from_toml("person_threshold = 'high'")
    with pytest.raises(casematch.CasematchError):
        casematch.Model.load(str(tmp_path / "missing.toml"))


def test_index_ingest_check_and_reopen(tmp_path):
    ix = casematch.Index(tmp_path / "ix")
    stats = ix.ingest([ZHANG, OTHER, {"name": "no id"}])
    assert (stats["read"], stats["added"], stats["rejected"]) == (3, 2, 1)
    assert stats["rejections"][0][0] == 2 and "id" in stats["rejections"][0][1]
    assert len(ix) == 2
    r = ix.check(ZHANG_AGAIN)
    assert r["verdict"] == "DUPLICATE"
    assert r["matches"][0]["id"] == "A1"
    assert r["routing"]["original_id"] == "A1"
    # personal data in the evidence is masked
    shown = json.dumps(r["matches"][0]["evidence"], ensure_ascii=False)
    assert "13912345678" not in shown and "430104198807152310" not in shown
    assert ix.check_many([ZHANG_AGAIN, {**OTHER, "id": "B2"}])[1]["matches"][0]["id"] == "B1"
    assert ix.get("B1")["case"]["name"] == "李秀英" and ix.get("nope") is None
    assert ix.add([{**ZHANG_AGAIN}]) == ["added"]
    del ix
    again = casematch.Index(tmp_path / "ix")
    assert len(again) == 3
    assert again.ingest([{**OTHER, "content": "改了"}])["replaced"] == 1


def test_check_dates_an_undated_submission_at_now():
    ix = casematch.Index()
    ix.ingest([ZHANG])
    q = {k: v for k, v in ZHANG_AGAIN.items() if k != "received_at"}
    soon = ix.check(q, now="2024-03-02")["matches"][0]
    years = ix.check(q, now="2029-03-02")["matches"][0]
    gap = lambda m: next(e for e in m["evidence"] if e["field"] == "time_gap")["level"]  # noqa: E731
    assert gap(soon) != gap(years)


def test_dedupe_matches_the_binary_on_generated_records(generated, bin_path, tmp_path):
    rows, truth, path = generated
    out = tmp_path / "groups.jsonl"
    subprocess.run([bin_path, "dedupe", "--input", str(path), "--output", str(out), "--json"],
                   check=True, capture_output=True)
    expected = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    result = casematch.dedupe(rows)
    assert result.groups == expected
    assert result.report["records"] == len(rows)
    assert result.report["duplicate_groups"] == len({g["duplicate_group"] for g in expected})
    assert "<html" in result.report_html().lower()
    f1 = pair_f1(truth, {g["id"]: g["duplicate_group"] for g in result.groups})
    assert f1 > 0.9, f1


def test_dedupe_reads_pandas_polars_and_arrow_tables(generated):
    pa = pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    rows = generated[0][:400]
    expected = casematch.dedupe(rows).groups
    # columns a record lacks are missing (None / NaN) in a table
    assert casematch.dedupe(pd.DataFrame(rows)).groups == expected
    assert casematch.dedupe(pl.DataFrame(rows, infer_schema_length=None)).groups == expected
    # (pa.Table.from_pylist takes its columns from the first row only)
    assert casematch.dedupe(pa.Table.from_pandas(pd.DataFrame(rows))).groups == expected
    assert casematch.dedupe(iter(rows)).to_arrow().num_rows == 400


def test_dedupe_previous_ids_and_links(generated):
    rows = generated[0][:300]
    first = casematch.dedupe(rows)
    group = max(first.duplicate_groups(), key=len)
    assert len(group) >= 2
    renamed = [{**g, "duplicate_group": "D-KEPT" if g["id"] in group else g["duplicate_group"]}
               for g in first.groups]
    again = casematch.dedupe(rows, previous=renamed)
    assert {again.by_id()[i]["duplicate_group"] for i in group} == {"D-KEPT"}
    a, b = group[0], group[1]
    split = casematch.dedupe(rows, links=[("cannot", a, b)])
    assert split.by_id()[a]["matter_group"] != split.by_id()[b]["matter_group"]
    with pytest.raises(ValueError):
        casematch.dedupe(rows, links=[("maybe", a, b)])
    with pytest.raises(casematch.RecordError, match="twice"):
        casematch.dedupe(rows + rows[:1])


def test_long_calls_release_the_gil(tmp_path):
    rows, _, _ = generate(tmp_path, 4000, 3)
    done = threading.Event()
    ticks = 0

    def work():
        casematch.dedupe(rows)
        done.set()

    t = threading.Thread(target=work)
    started = time.perf_counter()
    t.start()
    while not done.is_set():
        ticks += 1  # runs only while the dedupe thread has let go of the GIL
        time.sleep(0)
    t.join()
    elapsed = time.perf_counter() - started
    assert elapsed > 0.2, "the call was too short to tell"
    # with the GIL held for the call, this loop would get a handful of switch intervals
    assert ticks > 1000, (ticks, elapsed)
