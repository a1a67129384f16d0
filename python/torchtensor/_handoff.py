"""Getting a DataFrame's values into this process.

For a plain torchtensor scan (with column selection and/or limit) the JVM class
``io.torchtensor.python.ArrowHandoff`` runs the columnar scan itself and hands the connector's Arrow
buffers over through files in ``/dev/shm`` (or ``TORCHTENSOR_HANDOFF_DIR``), mapped here and
unlinked at once (the mapping keeps the pages alive for as long as an array uses them):

* ``collect_columns`` (``to_numpy``, local master, fixed-width columns): one file per column that
  already is the (N, *row_shape) array; mapped copy-on-write, no copy here. String, date, timestamp
  and decimal partition columns come as runs of values (:class:`ValueRuns`), built here;
* ``collect_arrow`` with ``fast``: one Arrow IPC stream file per partition;
  ``pyarrow.memory_map`` + ``pyarrow.ipc.open_stream`` read the buffers as slices of the map.

The files go into a staging folder per call (``_staging``): removed when the result is released,
or, when the process dies without releasing it (SIGKILL), by the next hand-off under the same root.

Any other DataFrame goes through ``DataFrame.toArrow()`` (Spark builds the Arrow batches from rows,
``ArrowConverters``). ``handoff="auto"`` picks the fast way when the plan allows it.
"""
import json
import os
import shutil
from dataclasses import dataclass, field
from typing import Iterator, List, Optional

import pyarrow as pa
from pyspark.sql import DataFrame

from . import _session, _staging
from .errors import TorchTensorError

# Where the IPC files go: TORCHTENSOR_HANDOFF_DIR, else /dev/shm (memory, no disk write) when it
# exists, else the system temporary folder.
HANDOFF_DIR_ENV = "TORCHTENSOR_HANDOFF_DIR"
HANDOFFS = ("auto", "fast", "arrow")


def _staging_root() -> Optional[str]:
    root = os.environ.get(HANDOFF_DIR_ENV)
    if root:
        return root
    # /dev/shm is memory: no disk write, and the pages become the arrays. Containers often give it
    # only 64 MiB, so it is used only with room to spare (a full one is retried on disk, see _ask_jvm).
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        if shutil.disk_usage("/dev/shm").free >= _SHM_MIN_FREE:
            return "/dev/shm"
    return None


_SHM_MIN_FREE = 1 << 30


@dataclass
class ArrowResult:
    """Record batches of a DataFrame, read lazily; ``path`` is ``"fast"`` or ``"arrow"``."""
    path: str
    reason: Optional[str] = None
    files: List[str] = field(default_factory=list)
    limit: int = -1
    table: Optional[pa.Table] = None
    # Its folder; a result dropped before its batches were read still removes it (when collected).
    staging: Optional[_staging.Staging] = None

    def batches(self) -> Iterator[pa.RecordBatch]:
        """Batches in partition order, the limit applied. Each file is unlinked once mapped."""
        if self.table is not None:
            yield from self.table.to_batches()
            return
        left = self.limit
        try:
            for path in self.files:
                source = pa.memory_map(path, "r")
                os.unlink(path)  # the mapping stays valid; nothing is left on disk
                for batch in pa.ipc.open_stream(source):
                    if left >= 0:
                        if left == 0:
                            return
                        if batch.num_rows > left:
                            batch = batch.slice(0, left)
                        left -= batch.num_rows
                    yield batch
        finally:
            self.close()

    def close(self):
        for path in self.files:
            if os.path.exists(path):
                os.unlink(path)
        if self.staging:
            self.staging.remove()


def collect_arrow(df: DataFrame, handoff: str = "auto") -> ArrowResult:
    """Runs ``df`` and returns its batches by the chosen path (see the module docs)."""
    if handoff not in HANDOFFS:
        raise TorchTensorError(f"handoff must be one of {HANDOFFS}, got {handoff!r}")
    if handoff != "arrow":
        result, reason = _fast(df)
        if result is not None:
            return result
        if handoff == "fast":
            raise TorchTensorError(f"the fast hand-off cannot run this DataFrame: {reason}")
        return ArrowResult("arrow", reason=reason, table=_to_arrow(df))
    return ArrowResult("arrow", reason="handoff='arrow' was asked for", table=_to_arrow(df))


def _to_arrow(df: DataFrame) -> pa.Table:
    return df.toArrow()


def collect_columns(df: DataFrame, handoff: str = "auto"):
    """The one-copy path of ``to_numpy``: ``{name: flat ndarray of the Spark element values}`` mapped
    from the per-column files the JVM wrote (``DirectColumnHandoff``), or None when the DataFrame
    does not allow it (then the batches come from :func:`collect_arrow`). Each file is mapped
    copy-on-write (``MAP_PRIVATE``: the arrays are writable, a write copies only the page written)
    and unlinked at once."""
    if handoff not in HANDOFFS:
        raise TorchTensorError(f"handoff must be one of {HANDOFFS}, got {handoff!r}")
    if handoff == "arrow":
        return None
    answer, staging = _ask_jvm(df, "writeColumns")
    if answer is None or not answer["fast"] or answer.get("mode") != "columns":
        if answer is not None and answer["fast"]:  # the JVM chose IPC files: use them as batches
            return ArrowResult("fast", files=[f["path"] for f in answer["files"]],
                               limit=int(answer["limit"]), staging=staging)
        if staging:
            staging.remove()
        return None
    try:
        rows = int(answer["rows"])
        out = {}
        for c in answer["columns"]:
            if "runs" in c:  # a partition column: its values over runs of rows, no file
                out[c["name"]] = ValueRuns(c["runs"], rows, c["name"])
            else:
                out[c["name"]] = _map_file(c["path"], rows * int(c["row_bytes"]))
        return out
    finally:
        staging.remove()


@dataclass(frozen=True)
class ValueRuns:
    """A partition column in the column answer: ``[rows, value]`` runs in result order (a value is
    constant over a file; the JVM knows each file slice's rows), values as the JVM renders them:
    strings, days since 1970-01-01 for dates, UTC microseconds for timestamps, decimal strings,
    None for null (``PartitionValueRuns``)."""
    runs: list
    rows: int
    name: str

    def __post_init__(self):
        n = sum(int(r[0]) for r in self.runs)
        if n != self.rows or any(int(r[0]) <= 0 for r in self.runs):
            raise TorchTensorError(f"the hand-off gave column {self.name!r} runs of {n} rows for {self.rows} rows")


def _map_file(path: str, nbytes: int):
    import mmap

    import numpy as np

    if nbytes == 0:
        return np.empty(0, dtype=np.uint8)
    with open(path, "rb") as f:
        mm = mmap.mmap(f.fileno(), nbytes, access=mmap.ACCESS_COPY)
    os.unlink(path)
    return np.frombuffer(mm, dtype=np.uint8)


def _ask_jvm(df: DataFrame, method: str):
    """Calls ``ArrowHandoff.<method>(df, folder)``; (answer dict, Staging) or (None, None)."""
    cls = _session.jvm_handoff(df.sparkSession)
    jdf = getattr(df, "_jdf", None)
    if cls is None or jdf is None:
        return None, None
    root = _staging_root()
    staging = _staging.create(root)
    try:
        return json.loads(getattr(cls, method)(jdf, staging.path)), staging
    except Exception as exc:
        staging.remove()
        if root == "/dev/shm" and "No space left on device" in str(exc):
            staging = _staging.create(None)  # the disk's temporary folder
            try:
                return json.loads(getattr(cls, method)(jdf, staging.path)), staging
            except Exception:
                staging.remove()
                raise
        raise


def _fast(df: DataFrame):
    """The IPC batches of a plain torchtensor scan: (ArrowResult, None), or (None, why not)."""
    answer, staging = _ask_jvm(df, "write")
    if answer is None:
        return None, ("the session has no JVM gateway (Spark Connect) or the torchtensor jar "
                      "has no io.torchtensor.python.ArrowHandoff")
    if not answer["fast"]:
        staging.remove()
        return None, answer["reason"]
    files = [f["path"] for f in answer["files"]]
    return ArrowResult("fast", files=files, limit=int(answer["limit"]), staging=staging), None
