"""Fuzz every parser of outside input: carrier payloads (each adapter's parse, webhook bodies and
signatures), tracking-number detection, the CSV import and its value parsers, the config
file, the claim facts form, date/clock/rate parsers, carrier text and payload redaction.

Per target, the budget is split between atheris (coverage-guided byte mutation from the
fixture seeds, when installed: ``pip install -e '.[fuzz]'``) and hypothesis (structured:
real fixtures with keys dropped, types swapped, huge numbers, odd Unicode, deep nesting).
Each engine runs in a process of its own, watched from here: an input running longer than
``--timeout`` seconds is a hang; its stack is dumped and the worker restarted.

A documented error (MalformedPayload in a parse result, the ValueError subclasses a module
names) is fine; anything else is a crash, written to ``benchmarks/fuzz-crashes/<target>/``
as ``<sha>.bin`` (the input) and ``<sha>.txt`` (key, traceback), one per (exception type,
location). Crashes already recorded there are counted when found again, not rewritten.
Last line: one JSON object.

Usage: python benchmarks/fuzz.py [--seconds N] [--target NAME ...] [--quick] [--list]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fuzzing.crashes import CrashDir
from fuzzing.engine import new_state_file, read_state, work
from fuzzing.registry import all_targets

CRASHES = Path(__file__).resolve().parent / "fuzz-crashes"
GRACE = 10.0  # past the end, a worker is stopped (atheris rounds its time up to whole seconds)
_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+) in (?P<name>\S+)')


def hang_key(trace: str, timeout: float) -> str:
    """The key of a hang: the innermost project frame of the dumped stack (most recent first)."""
    frames = [m for m in _FRAME.finditer(trace) if "/benchmarks/" not in m["file"] or "planted" in m["file"]]
    root = str(Path(__file__).resolve().parents[1]) + "/"
    ours = [m for m in frames if m["file"].startswith(root) and "/.venv/" not in m["file"]]
    if not frames:
        return f"Timeout (> {timeout:g} s) at ?"
    top = (ours or frames)[0]
    where = f"{top['file'].removeprefix(root)}:{top['line']} in {top['name']}"
    return f"Timeout (> {timeout:g} s) at {where}"


def run_engine(
    name: str, engine: str, seconds: float, crash_root: Path, timeout: float
) -> tuple[int, set[str]]:
    """Run one worker for ``seconds`` (restarting it after a hang); its executions and crash keys."""
    execs, found = 0, set[str]()
    end = time.monotonic() + seconds
    while end - time.monotonic() > 0.5:
        with tempfile.TemporaryDirectory(prefix=f"fuzz-{name}-") as tmp:
            state = Path(tmp)
            new_state_file(state / "state.bin")
            command = [sys.executable, __file__, "--worker", name, "--engine", engine, "--state", tmp,
                       "--until", repr(end), "--crash-dir", str(crash_root)]  # fmt: skip
            with (state / "log.txt").open("w") as log:
                proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
                hung = _watch(proc, state, end + GRACE, timeout)
            count, _, data = read_state(state / "state.bin")
            execs += count
            keys = state / "found.txt"
            found |= set(keys.read_text(encoding="utf-8").splitlines()) if keys.exists() else set()
            if hung:
                trace = (state / "hang.txt").read_text(errors="replace")
                key = hang_key(trace, timeout)
                CrashDir(crash_root / name).record(key, data, f"no answer after {timeout:g} s\n\n{trace}")
                found.add(key)
            elif proc.returncode not in (0, -signal.SIGTERM):
                log_tail = (state / "log.txt").read_text(errors="replace")[-3000:]
                key = f"WorkerDied (exit {proc.returncode})"
                print(f"{name} ({engine}): the worker died:\n{log_tail}", file=sys.stderr)
                CrashDir(crash_root / name).record(key, data, log_tail)
                found.add(key)
                break  # a harness problem, not worth a loop
    return execs, found


def _watch(proc: subprocess.Popen[bytes], state: Path, hard_end: float, timeout: float) -> bool:
    """Wait for the worker; True when one input ran longer than ``timeout`` (then it is gone)."""
    while proc.poll() is None:
        time.sleep(0.1)
        _, started, _ = read_state(state / "state.bin")
        if started and time.monotonic() - started > timeout:
            proc.send_signal(signal.SIGUSR1)  # faulthandler dumps the stack to hang.txt
            time.sleep(0.5)
            proc.kill()
            proc.wait()
            return True
        if time.monotonic() > hard_end:
            proc.terminate()
            proc.wait()
    return False


def engines(quick: bool) -> list[str]:
    have_atheris = importlib.util.find_spec("atheris") is not None
    return (
        ["atheris", "hypothesis"]
        if have_atheris and not os.environ.get("FUZZ_NO_ATHERIS")
        else ["hypothesis"]
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, help="total budget (default 300; --quick: 30)")
    parser.add_argument("--target", action="append", help="only this target (repeatable); see --list")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds one input may take")
    parser.add_argument("--crash-dir", type=Path, default=CRASHES)
    parser.add_argument("--list", action="store_true", help="name every target and stop")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--state", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--until", type=float, help=argparse.SUPPRESS)  # time.monotonic(): system-wide
    args = parser.parse_args()
    targets = all_targets()
    if args.worker:
        work(targets[args.worker], args.engine, args.until, args.crash_dir, args.state)
        return 0
    if args.list:
        for t in targets.values():
            print(f"{t.name:20} {'(planted) ' if t.planted else ''}{t.about}")
        return 0
    unknown = [n for n in args.target or () if n not in targets]
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}; see --list")
    chosen = (
        [targets[n] for n in args.target] if args.target else [t for t in targets.values() if not t.planted]
    )
    seconds = args.seconds if args.seconds is not None else (30.0 if args.quick else 300.0)
    kinds = engines(args.quick)
    share = max(1.0, seconds / (len(chosen) * len(kinds)))
    started = time.monotonic()
    per_target: dict[str, dict[str, int]] = {}
    for target in chosen:
        execs, found = 0, set[str]()
        for engine in kinds:
            n, keys = run_engine(target.name, engine, share, args.crash_dir, args.timeout)
            execs, found = execs + n, found | keys
        per_target[target.name] = {"execs": execs, "crashes": len(found)}
        print(f"{target.name:20} {execs:9d} execs  {len(found)} crashes", flush=True)
        for key in sorted(found):
            print(f"    {key}", flush=True)
    summary = {
        "seconds": round(time.monotonic() - started, 1),
        "targets": len(chosen),
        "executions": sum(t["execs"] for t in per_target.values()),
        "per_target": per_target,
        "crashes": sum(t["crashes"] for t in per_target.values()),
        "engines": kinds,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
