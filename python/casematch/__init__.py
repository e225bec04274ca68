"""casematch from Python: tell whether a Chinese petition (信访) or 12345 hotline case
repeats one on file.

The engine is the Rust crate ``casematch``; this package calls it through a compiled
extension (``casematch._native``) and releases the GIL while it works.

Records are dicts with the fields of docs/FORMAT.md (``id``, ``platform``, ``channel``,
``received_at``, ``name``, ``id_number``, ``phone``, ``address``, ``location``, ``title``,
``content``, ``category``, ``handler``, ``status``, ``account``; other keys are kept as
extras). Values may be str, int, float, bool, ``datetime``/``date`` (a naive time is China
time) or None/NaN (missing).

>>> import casematch
>>> a = {"id": "A", "name": "张伟", "phone": "13912345678", "content": "小区门口夜间施工噪音扰民"}
>>> b = {"id": "B", "name": "張偉", "phone": "139-1234-5678", "content": "反映小区门口夜间施工噪音"}
>>> casematch.compare(a, b)["verdict"]        # doctest: +SKIP
'DUPLICATE'
"""

from __future__ import annotations

import datetime as _dt
import json as _json
import math as _math
import os as _os
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from . import _native
from ._native import CasematchError, RecordError, Model

__all__ = [
    "CasematchError",
    "RecordError",
    "Model",
    "Index",
    "DedupeResult",
    "parse",
    "profile",
    "compare",
    "dedupe",
    "records_of",
    "to_json",
    "__version__",
]

__version__: str = _native.__version__

Record = Mapping[str, Any]


def _value(v: Any) -> Any:
    """A JSON-ready value; None for missing (None, NaN, pandas NA/NaT)."""
    if v is None:
        return None
    if isinstance(v, float):
        return None if _math.isnan(v) else v
    if isinstance(v, (str, bool, int)):
        return v
    if isinstance(v, _dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, _dt.date):
        return v.isoformat()
    # numpy scalars, pandas Timestamp / NA, Decimal …
    iso = getattr(v, "isoformat", None)
    if iso is not None:
        try:
            return iso(sep=" ")
        except TypeError:
            return iso()
        except ValueError:  # NaT
            return None
    item = getattr(v, "item", None)
    if item is not None:
        return _value(item())
    try:
        if v != v:  # pandas NA compares unequal to itself … or raises
            return None
    except TypeError:
        return None
    return str(v)


def to_json(record: Record) -> str:
    """One record as the JSON object the engine reads (missing values dropped)."""
    if not isinstance(record, Mapping):
        raise TypeError(f"a record is a mapping of field names to values, not {type(record).__name__}")
    out = {}
    for k, v in record.items():
        v = _value(v)
        if v is not None:
            out[str(k)] = v
    return _json.dumps(out, ensure_ascii=False)


def records_of(data: Any) -> Iterator[Dict[str, Any]]:
    """The records of an iterable of dicts, a pandas or polars DataFrame, or a pyarrow
    Table / RecordBatch, one dict per row."""
    mod = type(data).__module__.split(".")[0]
    if mod == "pandas":
        yield from data.to_dict(orient="records")
    elif mod == "polars":
        yield from data.iter_rows(named=True)
    elif mod == "pyarrow":
        for batch in (data.to_batches() if hasattr(data, "to_batches") else [data]):
            yield from batch.to_pylist()
    elif isinstance(data, Mapping):
        raise TypeError("dedupe takes many records: an iterable of dicts or a table, not one dict")
    else:
        yield from data


def _jsons(data: Any) -> List[str]:
    return [to_json(r) for r in records_of(data)]


def parse(record: Record) -> Dict[str, Any]:
    """The case the engine reads from ``record``: fields typed, ``received_at`` in RFC 3339,
    the channel folded to one of the seven channels, unknown fields under ``extra``.

    Raises RecordError when the record cannot be read (no ``id``, unparseable date …)."""
    return _json.loads(_native.parse(to_json(record)))


def profile(record: Record) -> Dict[str, Any]:
    """The normalised profile of a record: name (simplified, honorifics → surname), ID
    number (valid / masked / invalid), phones, the places of the matter and of the home
    (division codes from the gazetteer), the street address and the normalised narrative."""
    return _json.loads(_native.profile(to_json(record)))


def compare(a: Record, b: Record, model: Optional[Model] = None) -> Dict[str, Any]:
    """Compares two records and scores them with ``model`` (the bundled model by default):
    ``verdict`` (DUPLICATE, RELATED, SAME_PERSON or NEW), ``person_score`` and
    ``matter_score`` (log2 odds), ``text_similarity`` and the ``evidence`` per field (level
    and log-likelihood ratios toward the same person and the same matter). The narratives'
    bigrams weigh alike here; ``Index.compare`` weighs them by the index's frequencies."""
    return _json.loads(_native.compare(to_json(a), to_json(b), model))


class DedupeResult:
    """Groups of a dedupe run: ``groups`` has one dict per record (``id``,
    ``duplicate_group``, ``matter_group``, ``original``, ``size``, ``channels``,
    ``matter_original``, ``matter_size``) — the lines of ``casematch dedupe --output`` —
    and ``report`` the report (``casematch dedupe --report``'s JSON)."""

    def __init__(self, groups: List[Dict[str, Any]], report: Dict[str, Any], html: str):
        self.groups = groups
        self.report = report
        self._html = html

    def report_html(self) -> str:
        """The report as one HTML page."""
        return self._html

    def by_id(self) -> Dict[str, Dict[str, Any]]:
        """The group row of each record id."""
        return {g["id"]: g for g in self.groups}

    def duplicate_groups(self) -> List[List[str]]:
        """Record ids per duplicate group (same person, same matter), largest first."""
        return _members(self.groups, "duplicate_group")

    def matter_groups(self) -> List[List[str]]:
        """Record ids per matter group, largest first."""
        return _members(self.groups, "matter_group")

    def to_arrow(self):
        """The groups as a pyarrow Table (needs pyarrow)."""
        import pyarrow as pa

        return pa.Table.from_pylist(self.groups)

    def to_pandas(self):
        """The groups as a pandas DataFrame (needs pandas)."""
        import pandas as pd

        return pd.DataFrame(self.groups)

    def __len__(self) -> int:
        return len(self.groups)

    def __repr__(self) -> str:
        r = self.report
        return (
            f"DedupeResult({r.get('records')} records, {r.get('duplicate_groups')} duplicate groups, "
            f"{r.get('matter_groups')} matter groups)"
        )


def _members(rows: List[Dict[str, Any]], key: str) -> List[List[str]]:
    groups: Dict[str, List[str]] = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row["id"])
    return sorted(groups.values(), key=lambda m: (-len(m), m[0]))


Links = Iterable[Tuple[str, str, str]]


def dedupe(
    records: Any,
    model: Optional[Model] = None,
    previous: Optional[Iterable[Mapping[str, Any]]] = None,
    links: Optional[Links] = None,
) -> DedupeResult:
    """Groups records into duplicate groups (same person, same matter) nested in matter
    groups, as ``casematch dedupe`` does: blocking, scoring with ``model``, average-linkage
    clustering, ids ``D-``/``M-`` plus the earliest member's id.

    ``records``: an iterable of dicts, or a pandas / polars DataFrame or pyarrow Table.
    ``previous``: the groups of an earlier run (rows with ``id``, ``duplicate_group``,
    ``matter_group``): a group keeps the id most of its members had.
    ``links``: manual decisions ``("must", id, id)`` (same person, same matter) or
    ``("cannot", id, id)`` (not the same matter).

    Raises RecordError naming the first record that cannot be read, or an id given twice."""
    prev = None
    if previous is not None:
        prev = [(str(r["id"]), str(r["duplicate_group"]), str(r["matter_group"])) for r in previous]
    link_list = None if links is None else [(str(k), str(a), str(b)) for k, a, b in links]
    rows, report, html = _native.dedupe(_jsons(records), model, prev, link_list)
    return DedupeResult(_json.loads(rows), _json.loads(report), html)


class Index:
    """An index of cases on disk (``path``, created when missing) or in memory
    (``path=None``), with the model that scores checks against it.

    >>> ix = casematch.Index("/tmp/ix")                        # doctest: +SKIP
    >>> ix.ingest(records)                                      # doctest: +SKIP
    {'read': 1000, 'added': 1000, 'replaced': 0, 'rejected': 0, 'rejections': []}
    >>> ix.check({"id": "Q1", "name": "张伟", "content": "..."})["verdict"]   # doctest: +SKIP
    'DUPLICATE'
    """

    def __init__(self, path: Union[str, "_os.PathLike[str]", None] = None, model: Optional[Model] = None):
        self._native = _native.Index(None if path is None else _os.fspath(path), model)
        self.path = None if path is None else _os.fspath(path)

    def ingest(self, records: Any, commit_every: int = 100_000) -> Dict[str, Any]:
        """Loads records (iterable of dicts or a table), replacing cases whose id is known,
        and commits. Returns the counts (``read``, ``added``, ``replaced``, ``rejected``)
        and ``rejections``: (position, reason) of each record that could not be read."""
        stats, rejected = self._native.ingest(_jsons(records), commit_every)
        out = _json.loads(stats)
        out["rejections"] = [(i, reason) for i, reason in rejected]
        return out

    def add(self, records: Any) -> List[str]:
        """Writes cases one by one (intake) and commits: "added" or "replaced" per record."""
        return self._native.add(_jsons(records))

    def check(self, record: Record, now: Union[str, _dt.datetime, None] = None) -> Dict[str, Any]:
        """Is this submission a repeat? ``verdict``, ``matches`` (strongest relation first,
        with scores and the evidence per field, personal data masked) and ``routing`` (the
        group's earliest case and its first handler). A record without ``received_at`` is
        taken as received at ``now`` (default: the current time)."""
        return _json.loads(self._native.check(to_json(record), _now(now)))

    def check_many(self, records: Any, now: Union[str, _dt.datetime, None] = None) -> List[Dict[str, Any]]:
        """``check`` for many submissions, in parallel; results in order."""
        return [_json.loads(r) for r in self._native.check_many(_jsons(records), _now(now))]

    def get(self, id: str) -> Optional[Dict[str, Any]]:
        """The stored case (``case``) and its profile (``profile``); None when unknown."""
        s = self._native.get(id)
        return None if s is None else _json.loads(s)

    def compare(self, a: Record, b: Record) -> Dict[str, Any]:
        """``casematch.compare`` with the narratives weighed by this index's frequencies."""
        return _json.loads(self._native.compare(to_json(a), to_json(b)))

    def __len__(self) -> int:
        return len(self._native)

    def __repr__(self) -> str:
        return f"Index({self.path!r}, {len(self)} cases)"


def _now(now: Union[str, _dt.datetime, None]) -> Optional[str]:
    if now is None or isinstance(now, str):
        return now
    return now.isoformat(sep=" ")
