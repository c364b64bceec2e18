"""Scoring 10,000,000 leads inside DuckDB with the compiled SQL vs the Python engine.

Run with ``python -m benchmarks warehouse [ROWS]``. Both sides read the same Parquet file of
generated leads (text columns, as a CSV export holds them, with holes) and write the scored leads
(every column plus ``Lead_Score_*``) to a Parquet file:

- DuckDB: ``leadscore rules sql --dialect duckdb`` over a view of the file, ``COPY ... TO``;
- Python: the engine as ``leadscore score`` runs it (values cleaned, ``score_frame``, the scored
  columns), one million rows at a time so it fits a 2-core, 24 GB machine.

Each side runs in its own process; time and peak memory (max RSS) are printed side by side, and
the tier counts of both must be equal (the run fails otherwise).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks.memory import peak_rss_mb
from benchmarks.scoring import bench_rules, generate_leads

ROWS = 10_000_000
CHUNK = 1_000_000


def write_leads(path: Path, rows: int) -> None:
    """Generated leads, all text, one row group per million."""
    writer: pq.ParquetWriter | None = None
    for start in range(0, rows, CHUNK):
        n = min(CHUNK, rows - start)
        frame = generate_leads(n, seed=start // CHUNK).astype(str)
        frame["lead_id"] = [f"L{start + i:09d}" for i in range(n)]
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    assert writer is not None
    writer.close()


def _duckdb_side(leads: Path, out: Path) -> dict[str, object]:
    import duckdb

    from service.scoring.sql import compile_rules

    sql = compile_rules(bench_rules(), "duckdb")
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"CREATE VIEW leads AS SELECT * FROM read_parquet('{leads}')")
    start = time.perf_counter()
    con.execute(f"COPY ({sql}) TO '{out}' (FORMAT parquet)")
    seconds = time.perf_counter() - start
    tiers = con.execute(
        f"SELECT Lead_Score_Tier, count(*) FROM read_parquet('{out}') GROUP BY 1"
    ).fetchall()
    return {"seconds": seconds, "tiers": {str(k): int(v) for k, v in tiers}}


def _python_side(leads: Path, out: Path) -> dict[str, object]:
    from service.scoring.batch import score_frame_leads, scored_output

    rules = bench_rules()
    tiers: Counter[str] = Counter()
    source = pq.ParquetFile(leads)
    writer: pq.ParquetWriter | None = None
    start = time.perf_counter()
    for group in range(source.num_row_groups):
        frame = source.read_row_group(group).to_pandas()
        batch = score_frame_leads(frame, rules, source="leads")
        tiers.update(batch.result.scores["tier"].value_counts().to_dict())
        table = pa.Table.from_pandas(
            scored_output(batch.raw, batch.result, rules), preserve_index=False
        )
        if writer is None:
            writer = pq.ParquetWriter(out, table.schema)
        writer.write_table(table)
    if writer is not None:
        writer.close()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "tiers": dict(tiers)}


def _side(name: str, leads: Path, out: Path) -> dict[str, object]:
    """One side in a fresh process: its own peak memory, not the other's."""
    command = [sys.executable, "-m", "benchmarks.warehouse", "--side", name, str(leads), str(out)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--side"]:
        name, leads, out = args[1], Path(args[2]), Path(args[3])
        result = (_duckdb_side if name == "duckdb" else _python_side)(leads, out)
        result["peak_mb"] = peak_rss_mb()
        print(json.dumps(result))
        return 0
    rows = int(args[0]) if args and args[0].isdigit() else ROWS
    with tempfile.TemporaryDirectory(prefix="leadscore-warehouse-") as tmp:
        folder = Path(tmp)
        leads = folder / "leads.parquet"
        print(f"generating {rows:,} leads (Parquet, text columns) ...", flush=True)
        write_leads(leads, rows)
        size_mb = leads.stat().st_size / 2**20
        duck = _side("duckdb", leads, folder / "duckdb.parquet")
        py = _side("python", leads, folder / "python.parquet")
    print(f"leads: {rows:,} rows, {size_mb:.0f} MB Parquet; {len(bench_rules().signals)} signals")
    print(f"{'':34}{'time':>10}{'peak memory':>14}")
    for label, side in (("DuckDB, compiled SQL", duck), ("Python engine (1M-row chunks)", py)):
        print(f"{label:34}{side['seconds']:>8.1f} s{side['peak_mb']:>11.0f} MB")
    print(
        f"ratio Python / DuckDB: time {py['seconds'] / duck['seconds']:.2f}, "  # type: ignore[operator]
        f"peak memory {py['peak_mb'] / duck['peak_mb']:.2f}"  # type: ignore[operator]
    )
    same = duck["tiers"] == py["tiers"]
    print(f"tier counts equal: {'yes' if same else 'NO'} {duck['tiers']}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
