"""Import benchmark: a generated Shopify (Matrixify) export through ``parcel-watch import
--preset shopify``, the real command in a subprocess on a fresh SQLite file, twice.

The file has one row per fulfilled item (so numbers repeat: duplicate rows), two numbers in
one cell now and then, and a bad date every 1,000 rows. The first run stores it; the second
must change nothing. Memory is the command's peak RSS; the same command on a 1,000-row file
is the baseline, so ``peak_mb`` close to ``peak_mb_1k`` means memory does not grow with the
file (it is streamed).

Usage: python benchmarks/import.py [--rows N]   (default 1,000,000: long; --rows 20000 is quick)
Last line: one JSON object with rows, import_s, rows_per_s, reimport_s, peak_mb, peak_mb_1k.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from parcel_watch.detect.samples import sample_number

ROOT = Path(__file__).resolve().parents[1]
HEADER = (
    "ID,Name,Line: Type,Line: SKU,Fulfillment: Status,Fulfillment: Created At,"
    "Fulfillment: Tracking Company,Fulfillment: Tracking Number\n"
)
FORMATS = [("UPS", "ups"), ("USPS", "usps_20"), ("FedEx", "fedex_12"), ("Canada Post", "canada_post")]


def write_export(path: Path, rows: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    serial = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        written = 0
        while written < rows:
            serial += 1
            company, fmt = FORMATS[serial % len(FORMATS)]
            number = sample_number(fmt, rng)  # random serials: a rare repeat is a duplicate row
            if serial % 100 == 0:
                number = f"{number}, {sample_number(fmt, rng)}"
            day = "2025-02-30" if serial % 1000 == 0 else f"2025-03-{1 + serial % 28:02d}"
            for item in range(1 + (serial % 3 == 0)):  # some orders ship two items in one parcel
                f.write(
                    f"{6100000000000 + serial},#{serial},Fulfillment Line,SKU-{item},success,"
                    f'{day} 11:02:51 -0500,{company},"{number}"\n'
                )
                written += 1


def run_import(path: Path, db: Path) -> tuple[float, float, dict[str, object]]:
    """Seconds, the child's peak RSS in MB, and the command's JSON summary."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARCEL_WATCH_")}
    env["PARCEL_WATCH_DB"] = str(db)
    code = (
        "import resource, sys\n"
        "from parcel_watch.cli import main\n"
        "rc = main(sys.argv[1:])\n"
        "sys.stderr.write(f'peak_kb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')\n"
        "sys.exit(rc)\n"
    )
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, "import", str(path), "--preset", "shopify", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 6):
        raise SystemExit(f"import failed ({proc.returncode}): {proc.stderr[-2000:]}")
    peak_kb = int(proc.stderr.rsplit("peak_kb=", 1)[1].split()[0])
    return seconds, peak_kb / 1024, json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with tempfile.TemporaryDirectory(prefix="pw-import-bench-") as tmp:
        small, big = Path(tmp, "small.csv"), Path(tmp, "big.csv")
        write_export(small, 1000)
        write_export(big, args.rows)
        _, peak_small, _ = run_import(small, Path(tmp, "small.db"))
        import_s, peak_first, first = run_import(big, Path(tmp, "big.db"))
        reimport_s, peak_again, again = run_import(big, Path(tmp, "big.db"))
    print(f"first:  {json.dumps({k: first[k] for k in ('rows', 'added', 'failed', 'duplicates')})}")
    print(f"again:  {json.dumps({k: again[k] for k in ('rows', 'added', 'updated', 'unchanged')})}")
    if again["added"] or again["updated"]:
        raise SystemExit("re-importing the same file changed the store")
    result = {
        "rows": args.rows,
        "import_s": round(import_s, 2),
        "rows_per_s": round(args.rows / import_s),
        "reimport_s": round(reimport_s, 2),
        "peak_mb": round(max(peak_first, peak_again), 1),
        "peak_mb_1k": round(peak_small, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
