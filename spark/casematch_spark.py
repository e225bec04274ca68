"""Batch dedupe of a record set too big for one machine, on Spark, with the casematch engine.

    spark-submit --py-files casematch_spark.py casematch_spark.py \\
        --input cases.jsonl --output groups/ --report report.json

Each stage runs what ``casematch dedupe`` runs in memory, so the groups are the same:

1. features per record (the engine, over Arrow batches): person blocking keys (valid ID
   number, phones, name in county, platform account) and the narrative's bigrams;
2. the batch's bigram document frequencies (a Spark aggregation, broadcast);
3. candidate pairs by Spark joins with the single-machine caps: a person-key group of up
   to 60 records is compared all-pairs, a larger one with each record's 20 next neighbours
   in time; text candidates from each record's 16 rarest posted bigrams (posted: in 2 to
   max(500, n/2000) records), sharing at least two of them, the 50 sharing the most idf
   mass (ln(n / df) summed over the shared ones) kept per record;
4. pair scores by the engine over Arrow batches (records shipped to the pairs' buckets);
5. connected components of the positive matter edges (min-label propagation with pointer
   jumping), then the engine's average-linkage clustering inside each component: matter
   groups, and duplicate groups inside them;
6. ids ``D-``/``M-`` plus the earliest member's id, sizes, channels; the report's totals
   and rates per platform, channel and county, and the largest collective matters.

Output: JSON lines in the ``casematch dedupe --output`` format (part files in a folder).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from typing import Dict, Iterator, List, Optional

import pyarrow as pa

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

# the caps of `casematch dedupe` (BlockingConfig::default)
ANCHORS = 16
TEXT_CANDIDATES = 50
KEY_GROUP_ALL_PAIRS = 60
KEY_WINDOW = 20
NO_TIME = (1 << 63) - 1  # records without a time sort last, as in the single-machine path

STRING_COLUMNS = ["id", "channel", "platform", "county", "handler", "location", "summary"]

FEATURES_SCHEMA = T.StructType(
    [T.StructField("idx", T.LongType(), False), T.StructField("json", T.StringType(), False)]
    + [T.StructField(c, T.StringType(), True) for c in STRING_COLUMNS[:1]]
    + [T.StructField("ts", T.LongType(), True)]
    + [T.StructField(c, T.StringType(), True) for c in STRING_COLUMNS[1:]]
    + [
        T.StructField("keys", T.ArrayType(T.StringType(), False), False),
        T.StructField("bigrams", T.ArrayType(T.IntegerType(), False), False),
        T.StructField("error", T.StringType(), True),
    ]
)


def _list_array(values: bytes, offsets: bytes, signed: bool = True) -> pa.Array:
    """An Arrow list<int32> from the engine's (u32 values, i32 offsets) buffers; hashes
    are reinterpreted as int32 (Spark has no unsigned types)."""
    vals = pa.py_buffer(values)
    offs = pa.py_buffer(offsets)
    n_vals = len(values) // 4
    n = len(offsets) // 4 - 1
    value_array = pa.Array.from_buffers(pa.int32() if signed else pa.uint32(), n_vals, [None, vals])
    return pa.ListArray.from_arrays(pa.Array.from_buffers(pa.int32(), n + 1, [None, offs]), value_array)


def _features(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    from casematch import _native

    schema = pa.schema(
        [pa.field("idx", pa.int64(), False), pa.field("json", pa.string(), False), ("id", pa.string()),
         ("ts", pa.int64())]
        + [(c, pa.string()) for c in STRING_COLUMNS[1:]]
        + [
            pa.field("keys", pa.list_(pa.field("element", pa.string(), False)), False),
            pa.field("bigrams", pa.list_(pa.field("element", pa.int32(), False)), False),
            ("error", pa.string()),
        ]
    )
    for batch in batches:
        cols = _native.features(batch.column("json").to_pylist())
        yield pa.RecordBatch.from_arrays(
            [batch.column("idx"), batch.column("json"), pa.array(cols["id"], pa.string()),
             pa.array(cols["ts"], pa.int64())]
            + [pa.array(cols[c], pa.string()) for c in STRING_COLUMNS[1:]]
            + [
                pa.array(cols["keys"], pa.list_(pa.string())),
                _list_array(cols["bigram_values"], cols["bigram_offsets"]),
                pa.array(cols["error"], pa.string()),
            ],
            schema=schema,
        )


# one DocFreq per Python worker, built from the broadcast counts once
_DOC_FREQ: Dict[int, object] = {}


def _doc_freq(bc) -> object:
    from casematch import _native

    token, keys, counts, docs = bc.value
    df = _DOC_FREQ.get(token)
    if df is None:
        df = _native.DocFreq(keys, counts, docs)
        _DOC_FREQ.clear()
        _DOC_FREQ[token] = df
    return df


def _buffers(col: pa.ChunkedArray) -> tuple:
    """(u32 values, i32 offsets) buffers of a list<int32> column."""
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if arr.offset != 0:
        arr = pa.concat_arrays([arr])  # rebase sliced arrays
    offsets = arr.offsets
    start = offsets[0].as_py()
    values = arr.values.slice(start, offsets[-1].as_py() - start)
    values = pa.concat_arrays([values]) if values.offset else values
    rebased = pa.compute.subtract(offsets, pa.scalar(start, pa.int32())) if start else offsets
    return values.buffers()[1].to_pybytes()[: 4 * len(values)], rebased.buffers()[1].to_pybytes()[
        rebased.offset * 4 : 4 * (rebased.offset + len(rebased))
    ]


def _anchors_fn(bc, max_posting: int):
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        df = _doc_freq(bc)
        for batch in batches:
            values, offsets = _buffers(batch.column("bigrams"))
            pv, po, av, ao = df.anchors(values, offsets, ANCHORS, max_posting)
            yield pa.RecordBatch.from_arrays(
                [batch.column("idx"), _list_array(pv, po), _list_array(av, ao)],
                names=["idx", "posted", "anchors"],
            )

    return run


def _score_fn(bc, model_toml: Optional[str]):
    def run(records: pa.Table, pairs: pa.Table) -> pa.Table:
        from casematch import _native

        if pairs.num_rows == 0:
            return pa.table({"a": pa.array([], pa.int64()), "b": pa.array([], pa.int64()),
                             "person": pa.array([], pa.float32()), "matter": pa.array([], pa.float32())})
        model = None if model_toml is None else _native.Model.from_toml(model_toml)
        scorer = _native.Scorer(_doc_freq(bc), model)
        a = pairs.column("a").to_pylist()
        b = pairs.column("b").to_pylist()
        person, matter = scorer.score(
            records.column("idx").to_pylist(), records.column("json").to_pylist(), a, b
        )
        return pa.table(
            {
                "a": pa.array(a, pa.int64()),
                "b": pa.array(b, pa.int64()),
                "person": pa.array(person, pa.float32()),
                "matter": pa.array(matter, pa.float32()),
            }
        )

    return run


def _cluster_fn(matter_slack: float):
    def run(edges: pa.Table) -> pa.Table:
        from casematch import _native

        a = edges.column("a").to_pylist()
        b = edges.column("b").to_pylist()
        nodes, matter, dup = _native.cluster_component(
            a + b,
            a,
            b,
            edges.column("person").to_pylist(),
            edges.column("matter").to_pylist(),
            matter_slack,
        )
        return pa.table(
            {
                "idx": pa.array(nodes, pa.int64()),
                "matter_rep": pa.array(matter, pa.int64()),
                "dup_rep": pa.array(dup, pa.int64()),
            }
        )

    return run


def read_records(spark: SparkSession, inputs: List[str], fmt: Optional[str],
                 columns: Optional[Dict[str, str]] = None) -> DataFrame:
    """(idx, json): one JSON object per record, numbered in input order (file after file,
    line after line), as `casematch dedupe` numbers them. The numbers are increasing, not
    consecutive: the input's number in the top bits, then Spark's partition and row."""
    frames = []
    for number, path in enumerate(inputs):
        kind = fmt or _format_of(path)
        if kind == "jsonl":
            df = spark.read.text(path).where(F.length(F.trim("value")) > 0).withColumnRenamed("value", "json")
        else:
            # quoted cells may hold line breaks (narratives); a quote inside is doubled
            reader = (
                spark.read.option("header", True).option("multiLine", True)
                .option("escape", '"').option("encoding", "UTF-8")
            )
            if kind == "csv":
                df = reader.csv(path)
            elif kind == "tsv":
                df = reader.option("sep", "\t").csv(path)
            elif kind == "parquet":
                df = reader.parquet(path)
            else:
                raise ValueError(f"{path}: unknown format {kind!r} (jsonl, csv, tsv, parquet)")
            for header, field in (columns or {}).items():
                if header in df.columns:
                    df = df.withColumnRenamed(header, field)
            df = df.select(F.to_json(F.struct(*[F.col(f"`{c}`") for c in df.columns])).alias("json"))
        idx = F.lit(number).cast("long") * F.lit(1 << 54) + F.monotonically_increasing_id()
        frames.append(df.select(idx.alias("idx"), "json"))
    if len(inputs) >= 1 << 9:
        raise ValueError("at most 511 inputs (give a folder as one input)")
    out = frames[0]
    for f in frames[1:]:
        out = out.unionByName(f)
    return out


def _format_of(path: str) -> str:
    p = path.lower().rstrip("/")
    for ext, kind in ((".parquet", "parquet"), (".csv", "csv"), (".tsv", "tsv")):
        if p.endswith(ext):
            return kind
    return "jsonl"


def _key_pairs(feat: DataFrame) -> DataFrame:
    k = (
        feat.select("idx", F.coalesce("ts", F.lit(0)).alias("ts0"), F.explode("keys").alias("key"))
        .distinct()
    )
    w = Window.partitionBy("key")
    k = k.withColumn("size", F.count("*").over(w)).withColumn(
        "rn", F.row_number().over(w.orderBy("ts0", "idx"))
    )
    small = k.where(F.col("size") <= KEY_GROUP_ALL_PAIRS).select("key", "idx")
    sp = (
        small.alias("x")
        .join(small.alias("y"), "key")
        .where(F.col("x.idx") < F.col("y.idx"))
        .select(F.col("x.idx").alias("a"), F.col("y.idx").alias("b"))
    )
    large = k.where(F.col("size") > KEY_GROUP_ALL_PAIRS).select("key", "idx", "rn")
    steps = large.sparkSession.range(1, KEY_WINDOW + 1).withColumnRenamed("id", "step")
    ahead = large.crossJoin(F.broadcast(steps)).select(
        "key", F.col("idx").alias("i"), (F.col("rn") + F.col("step")).alias("rn")
    )
    lp = ahead.join(large, ["key", "rn"]).select(
        F.least("i", "idx").alias("a"), F.greatest("i", "idx").alias("b")
    )
    return sp.unionByName(lp)


def _text_pairs(anchors: DataFrame, docs: int) -> DataFrame:
    posted = anchors.select(F.col("idx").alias("j"), F.explode("posted").alias("g"))
    # a shared anchor weighs ln(docs / df), df its postings' length (docs: at least 1,000)
    weight = posted.groupBy("g").agg(
        F.log(F.lit(float(max(docs, 1000))) / F.count("*")).alias("w")
    )
    anc = anchors.select(
        F.col("idx").alias("i"),
        F.when(F.size("anchors") >= 2, 2).otherwise(1).alias("need"),
        F.explode("anchors").alias("g"),
    )
    hits = (
        anc.join(weight, "g")
        .join(posted, "g")
        .where(F.col("i") != F.col("j"))
        .groupBy("i", "j")
        .agg(F.count("*").alias("hits"), F.sum("w").alias("mass"), F.first("need").alias("need"))
        .where(F.col("hits") >= F.col("need"))
    )
    best = hits.withColumn(
        "r", F.row_number().over(Window.partitionBy("i").orderBy(F.desc("mass"), "j"))
    ).where(F.col("r") <= TEXT_CANDIDATES)
    return best.select(F.least("i", "j").alias("a"), F.greatest("i", "j").alias("b"))


def connected_components(edges: DataFrame, max_rounds: int = 100) -> DataFrame:
    """(idx, comp): each node of `edges` (a, b) labelled by the smallest node of its
    connected component — min-label propagation with pointer jumping."""
    spark = edges.sparkSession
    und = edges.select("a", "b").unionByName(edges.select(F.col("b").alias("a"), F.col("a").alias("b")))
    und = und.persist(StorageLevel.MEMORY_AND_DISK)
    labels = und.groupBy("a").agg(F.least(F.min("b"), F.first("a")).alias("comp")).withColumnRenamed("a", "idx")
    labels = labels.localCheckpoint()
    for rounds in range(1, max_rounds + 1):
        # a node takes the smallest label among its neighbours' …
        prop = (
            und.join(labels.withColumnRenamed("idx", "b"), "b")
            .groupBy("a")
            .agg(F.min("comp").alias("c"))
            .withColumnRenamed("a", "idx")
        )
        step = labels.join(prop, "idx", "left").select(
            "idx", F.col("comp").alias("old"), F.least("comp", F.coalesce("c", "comp")).alias("comp")
        )
        # … and jumps to its label's label
        jump = step.join(
            step.select(F.col("idx").alias("comp"), F.col("comp").alias("cc")), "comp", "left"
        ).select("idx", "old", F.least("comp", F.coalesce("cc", "comp")).alias("comp"))
        jump = jump.localCheckpoint()
        changed = jump.where(F.col("comp") != F.col("old")).count()
        labels = jump.select("idx", "comp")
        if changed == 0:
            stage("components: rounds", rounds)
            break
    else:
        raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
    und.unpersist()
    return labels


_STARTED = [time.time()]
_SHIPPED: set = set()


def stage(name: str, count: int) -> None:
    """One progress line on standard error: seconds since the run started, stage, count."""
    print(f"[casematch-spark {time.time() - _STARTED[0]:7.1f}s] {name}: {count}", file=sys.stderr, flush=True)


def dedupe(
    spark: SparkSession,
    records: DataFrame,
    model_toml: Optional[str] = None,
    buckets: Optional[int] = None,
    max_posting: int = 0,
) -> Dict[str, object]:
    """Runs every stage over (idx, json) records; returns the groups DataFrame (`groups`,
    with idx), the report and counts."""
    from casematch import _native

    if __name__ != "__main__" and __name__ not in _SHIPPED:
        # imported (tests, notebooks): the workers import this module to run its functions
        spark.sparkContext.addPyFile(__file__)
        _SHIPPED.add(__name__)
    model = _native.Model.bundled() if model_toml is None else _native.Model.from_toml(model_toml)
    buckets = buckets or int(spark.conf.get("spark.sql.shuffle.partitions"))
    feats = records.mapInArrow(_features, FEATURES_SCHEMA)
    feats = feats.persist(StorageLevel.MEMORY_AND_DISK)
    # a record whose id was seen before is skipped, as `casematch dedupe` skips it
    first = Window.partitionBy("id").orderBy("idx")
    feats = feats.withColumn(
        "error",
        F.when(F.col("error").isNotNull(), F.col("error")).when(
            F.row_number().over(first) > 1, F.concat(F.lit("id "), F.col("id"), F.lit(" seen before"))
        ),
    ).persist(StorageLevel.MEMORY_AND_DISK)
    rejections = [
        (r["idx"], r["error"])
        for r in feats.where(F.col("error").isNotNull()).select("idx", "error").orderBy("idx").limit(1000).collect()
    ]
    feat = feats.where(F.col("error").isNull()).drop("error").persist(StorageLevel.MEMORY_AND_DISK)
    n = feat.count()
    n_rejected = len(rejections) if len(rejections) < 1000 else feats.where(F.col("error").isNotNull()).count()
    stage("features", n)

    # the batch's document frequencies, broadcast to every worker
    df_rows = feat.select(F.explode("bigrams").alias("g")).groupBy("g").count().toArrow()
    keys = df_rows.column("g").combine_chunks().cast(pa.int32()).view(pa.uint32())
    counts = df_rows.column("count").combine_chunks().cast(pa.int64())
    bc = spark.sparkContext.broadcast(
        (
            uuid.uuid4().hex,
            keys.buffers()[1].to_pybytes()[keys.offset * 4 : 4 * (keys.offset + len(keys))],
            counts.buffers()[1].to_pybytes()[counts.offset * 8 : 8 * (counts.offset + len(counts))],
            n,
        )
    )

    anchors = feat.select("idx", "bigrams").mapInArrow(
        _anchors_fn(bc, max_posting),
        "idx long, posted array<int>, anchors array<int>",
    )
    pairs = _key_pairs(feat).unionByName(_text_pairs(anchors, n)).distinct()
    pairs = pairs.persist(StorageLevel.MEMORY_AND_DISK)
    candidate_pairs = pairs.count()
    stage("candidate pairs", candidate_pairs)

    bucket = lambda c: F.pmod(F.xxhash64(c), F.lit(buckets))  # noqa: E731
    needed = (
        pairs.select(bucket("a").alias("k"), F.col("a").alias("idx"))
        .unionByName(pairs.select(bucket("a").alias("k"), F.col("b").alias("idx")))
        .distinct()
        .join(feat.select("idx", "json"), "idx")
    )
    scored = (
        needed.groupBy("k")
        .cogroup(pairs.withColumn("k", bucket("a")).groupBy("k"))
        .applyInArrow(_score_fn(bc, model_toml), "a long, b long, person float, matter float")
    )
    scored = scored.persist(StorageLevel.MEMORY_AND_DISK)

    comps = connected_components(scored.where(F.col("matter") >= 0).select("a", "b"))
    inside = (
        scored.join(comps.select(F.col("idx").alias("a"), F.col("comp")), "a")
        .join(comps.select(F.col("idx").alias("b"), F.col("comp").alias("comp_b")), "b")
        .where(F.col("comp") == F.col("comp_b"))
        .select("comp", "a", "b", "person", "matter")
    )
    clustered = inside.groupBy("comp").applyInArrow(
        _cluster_fn(model.matter_merge_slack), "idx long, matter_rep long, dup_rep long"
    )

    labelled = (
        feat.select("idx", "id", "ts", *STRING_COLUMNS[1:])
        .join(clustered, "idx", "left")
        .select(
            "*",
            F.coalesce("matter_rep", "idx").alias("m"),
            F.coalesce("dup_rep", "idx").alias("d"),
            F.struct(F.coalesce("ts", F.lit(NO_TIME)).alias("t"), F.col("id")).alias("order"),
        )
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    dup = labelled.groupBy("d").agg(
        F.min("order").alias("first"),
        F.count("*").cast("int").alias("size"),
        F.sort_array(F.collect_set("channel")).alias("channels"),
    )
    matter = labelled.groupBy("m").agg(
        F.min("order").alias("mfirst"), F.count("*").cast("int").alias("matter_size")
    )
    groups = (
        labelled.join(dup, "d")
        .join(matter, "m")
        .select(
            "idx",
            "id",
            F.concat(F.lit("D-"), F.col("first.id")).alias("duplicate_group"),
            F.concat(F.lit("M-"), F.col("mfirst.id")).alias("matter_group"),
            F.col("first.id").alias("original"),
            "size",
            "channels",
            F.col("mfirst.id").alias("matter_original"),
            "matter_size",
            (F.col("order") != F.col("first")).alias("is_repeat"),
            "order",
            "m",
            "d",
            *STRING_COLUMNS[1:],
        )
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    stage("groups", groups.count())
    report = build_report(groups, candidate_pairs)
    stage("report", report["records"])
    return {
        "groups": groups,
        "report": report,
        "records": n,
        "rejected": n_rejected,
        "rejections": rejections,
        "candidate_pairs": candidate_pairs,
    }


GROUP_COLUMNS = ["id", "duplicate_group", "matter_group", "original", "size", "channels",
                 "matter_original", "matter_size"]


def build_report(groups: DataFrame, candidate_pairs: int) -> dict:
    """The report of `casematch dedupe` but its sample groups: totals, duplicate rate and
    repeat-petition rate (重信重访率) per platform, channel and county, and the 15 largest
    collective matters (matters of more than one complainant). Three Spark jobs."""
    from casematch import _native

    # a matter is repeated when one of its duplicate groups has two or more records
    g = groups.withColumn("rep", F.max((F.col("size") > 1).cast("int")).over(Window.partitionBy("m")))
    t = g.agg(
        F.count("*").alias("records"),
        F.countDistinct("d").alias("dups"),
        F.countDistinct("m").alias("matters"),
        F.sum(F.col("is_repeat").cast("long")).alias("repeats"),
        F.countDistinct(F.when(F.col("rep") == 1, F.col("m"))).alias("repeated"),
    ).collect()[0]
    unknown = F.lit("未知")
    dims = g.select(
        "m",
        "is_repeat",
        "rep",
        F.explode(
            F.array(
                *[
                    F.struct(F.lit(dim).alias("dim"), F.coalesce(F.col(col), unknown).alias("key"))
                    for dim, col in (("platform", "platform"), ("channel", "channel"), ("county", "county"))
                ]
            )
        ).alias("k"),
    )
    per_matter = dims.groupBy("k.dim", "k.key", "m").agg(
        F.count("*").alias("records"),
        F.sum(F.col("is_repeat").cast("long")).alias("repeats"),
        F.max("rep").alias("rep"),
    )
    rows = (
        per_matter.groupBy("dim", "key")
        .agg(
            F.sum("records").alias("records"),
            F.sum("repeats").alias("repeats"),
            F.count("*").alias("matters"),
            F.sum("rep").alias("repeated_matters"),
        )
        .collect()
    )
    rates: Dict[str, List[dict]] = {"platform": [], "channel": [], "county": []}
    for r in rows:
        rates[r["dim"]].append(
            {
                "key": r["key"],
                "label": _native.division_name(r["key"]) if r["dim"] == "county" and r["key"] != "未知" else r["key"],
                "records": r["records"],
                "repeats": r["repeats"],
                "duplicate_rate": r["repeats"] / max(r["records"], 1),
                "matters": r["matters"],
                "repeated_matters": r["repeated_matters"],
                "repeat_petition_rate": r["repeated_matters"] / max(r["matters"], 1),
            }
        )
    for v in rates.values():
        v.sort(key=lambda x: (-x["records"], x["key"].encode("utf-8")))
    collective = (
        groups.groupBy("m")
        .agg(
            F.first("matter_group").alias("matter_group"),
            F.first("matter_original").alias("original"),
            F.count("*").cast("int").alias("records"),
            F.countDistinct("d").cast("int").alias("complainants"),
            F.sort_array(F.collect_set("channel")).alias("channels"),
            F.min(F.struct("order", "summary", "location")).alias("first"),
            F.min(F.when(F.col("handler").isNotNull(), F.struct("order", "handler"))).alias("handler"),
        )
        .where(F.col("complainants") > 1)
        .orderBy(F.desc("complainants"), F.desc("records"), "original")
        .limit(15)
        .collect()
    )
    n = max(t["records"], 1)
    return {
        "records": t["records"],
        "duplicate_groups": t["dups"],
        "matter_groups": t["matters"],
        "candidate_pairs": candidate_pairs,
        "duplicate_rate": (t["repeats"] or 0) / n,
        "repeat_petition_rate": t["repeated"] / max(t["matters"], 1),
        "by_platform": rates["platform"],
        "by_channel": rates["channel"],
        "by_county": rates["county"],
        "largest_collective_matters": [
            {
                "matter_group": r["matter_group"],
                "original": r["original"],
                "summary": r["first"]["summary"],
                "location": r["first"]["location"],
                "handler": r["handler"]["handler"] if r["handler"] else None,
                "records": r["records"],
                "complainants": r["complainants"],
                "channels": list(r["channels"]),
            }
            for r in collective
        ],
    }


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description="casematch dedupe on Spark")
    p.add_argument("--input", action="append", required=True, help="JSONL, CSV, TSV or Parquet (repeat)")
    p.add_argument("--format", choices=["jsonl", "csv", "tsv", "parquet"], help="default: by extension")
    p.add_argument("--columns", help='JSON mapping of header to field, e.g. {"来信人": "name"}')
    p.add_argument("--output", required=True, help="folder of JSON-lines part files (the dedupe groups format)")
    p.add_argument("--report", help="report JSON")
    p.add_argument("--model", help="scoring model (TOML); the bundled model otherwise")
    p.add_argument("--buckets", type=int, help="scoring buckets (default: spark.sql.shuffle.partitions)")
    p.add_argument("--single-file", action="store_true", help="write one part file")
    args = p.parse_args(argv)
    builder = SparkSession.builder.appName("casematch-dedupe").config("spark.ui.showConsoleProgress", "false")
    spark = builder.getOrCreate()
    if spark.sparkContext.master.startswith("local") and not spark.sparkContext.getConf().contains("spark.sql.shuffle.partitions"):
        # 200 shuffle partitions cost more than they give on one machine
        spark.conf.set("spark.sql.shuffle.partitions", str(2 * spark.sparkContext.defaultParallelism))
    started = time.time()
    model_toml = None
    if args.model:
        with open(args.model, encoding="utf-8") as f:
            model_toml = f.read()
    records = read_records(spark, args.input, args.format, json.loads(args.columns) if args.columns else None)
    out = dedupe(spark, records, model_toml, args.buckets)
    rows = out["groups"].orderBy("idx").select(*GROUP_COLUMNS)
    if args.single_file:
        rows = rows.coalesce(1)
    rows.write.mode("overwrite").json(args.output)
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            json.dump(out["report"], f, ensure_ascii=False, indent=1)
    secs = time.time() - started
    summary = {
        "records": out["records"],
        "rejected": out["rejected"],
        "candidate_pairs": out["candidate_pairs"],
        "duplicate_groups": out["report"]["duplicate_groups"],
        "matter_groups": out["report"]["matter_groups"],
        "seconds": round(secs, 2),
        "records_per_second": round(out["records"] / max(secs, 1e-9), 1),
    }
    print(json.dumps(summary, ensure_ascii=False))
    spark.stop()
    return 3 if out["rejected"] else 0


if __name__ == "__main__":
    sys.exit(main())
