"""benchmarks/fuzz.py: the harness finds and records a planted crash and a planted hang, runs a
real target, and prints its summary as the last line (so it cannot pass silently)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "fuzz.py"


def fuzz(crash_dir: Path, *targets: str) -> tuple[dict[str, Any], str]:
    command = [sys.executable, str(SCRIPT), "--quick", "--seconds", "5", "--timeout", "0.5"]
    command += ["--crash-dir", str(crash_dir), *(a for t in targets for a in ("--target", t))]
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stdout


def test_planted_crash_and_hang_are_found_recorded_once_and_a_real_target_runs(tmp_path: Path) -> None:
    summary, printed = fuzz(tmp_path, "planted-crash", "planted-hang", "import-values")
    assert set(summary) >= {"seconds", "targets", "executions", "per_target", "crashes"}
    assert summary["targets"] == 3 and summary["seconds"] > 0
    per = summary["per_target"]
    assert set(per) == {"planted-crash", "planted-hang", "import-values"}
    assert all(set(t) == {"execs", "crashes"} for t in per.values())
    assert per["planted-crash"]["crashes"] == 1 and per["planted-crash"]["execs"] > 10
    assert per["planted-hang"]["crashes"] == 1
    assert per["import-values"]["execs"] > 10
    assert summary["executions"] == sum(t["execs"] for t in per.values())
    assert summary["crashes"] == sum(t["crashes"] for t in per.values())
    assert "KeyError at benchmarks/fuzzing/planted.py" in printed

    (crash,) = (tmp_path / "planted-crash").glob("*.txt")
    assert crash.read_text().startswith("key: KeyError at benchmarks/fuzzing/planted.py:")
    assert "Traceback" in crash.read_text()
    assert len(crash.with_suffix(".bin").read_bytes()) < 2  # the planted bug: inputs under two bytes
    (hang,) = (tmp_path / "planted-hang").glob("*.txt")
    assert hang.read_text().startswith("key: Timeout (> 0.5 s) at benchmarks/fuzzing/planted.py:")
    assert hang.with_suffix(".bin").read_bytes() != b""  # the planted hang: any non-empty input

    again, _ = fuzz(tmp_path, "planted-crash", "planted-hidden")  # found again: counted, not rewritten
    assert again["per_target"]["planted-crash"]["crashes"] == 1
    assert len(list((tmp_path / "planted-crash").iterdir())) == 2
    # A KeyError a parser's last-resort except turned into "unexpected payload shape (KeyError)"
    # is a crash too, located where it was raised.
    assert again["per_target"]["planted-hidden"]["crashes"] == 1
    (hidden,) = (tmp_path / "planted-hidden").glob("*.txt")
    assert hidden.read_text().startswith(
        "key: KeyError (hidden as 'unexpected payload shape') at benchmarks/fuzzing/planted.py:"
    )
