"""The worker: one target, one engine (atheris or hypothesis), in a process of its own.

Every input is copied into a shared memory file before it runs, with the execution count
and its start time, so the parent can tell a hang (one input running longer than the
timeout), dump the worker's stack (SIGUSR1, faulthandler: works even inside C code such as
a regex) and keep the input that hung, even though the worker never returns.
"""

from __future__ import annotations

import faulthandler
import mmap
import signal
import struct
import time
from pathlib import Path

from fuzzing.crashes import CrashDir
from fuzzing.target import Errors, Run, Target

HEADER = struct.Struct("<QdI")  # executions, start of the running input (0: idle), its length
MAX_INPUT = 1 << 20  # longer inputs are run whole but only their first MiB is kept on a hang
STATE_SIZE = HEADER.size + MAX_INPUT
ATHERIS_MAX_LEN = 64 * 1024
INSTRUMENTED = ["carriers", "parcel_watch", "claims"]


def new_state_file(path: Path) -> None:
    path.write_bytes(b"\0" * STATE_SIZE)


def read_state(path: Path) -> tuple[int, float, bytes]:
    with path.open("rb") as f:
        raw = f.read(STATE_SIZE)
    count, started, size = HEADER.unpack_from(raw)
    return count, started, raw[HEADER.size : HEADER.size + size]


class Runner:
    def __init__(self, target: Target, loaded: tuple[Run, Errors], crashes: CrashDir, state: Path) -> None:
        self.target = target
        self.fn, self.expected = loaded
        self.crashes = crashes
        self._file = (state / "state.bin").open("r+b")
        self._mem = mmap.mmap(self._file.fileno(), STATE_SIZE)
        self._found = (state / "found.txt").open("a", encoding="utf-8")
        self._hang = (state / "hang.txt").open("w")
        faulthandler.register(signal.SIGUSR1, file=self._hang, all_threads=True)
        self.count = 0
        self._seen: set[str] = set()

    def execute(self, data: bytes) -> None:
        size = min(len(data), MAX_INPUT)
        self._mem[HEADER.size : HEADER.size + size] = data[:size]
        HEADER.pack_into(self._mem, 0, self.count, time.monotonic(), size)
        try:
            self.fn(data)
        except self.expected:
            pass
        except Exception as exc:  # noqa: BLE001 - anything else is what we are looking for
            key = self.crashes.record_exception(exc, data)
            if key not in self._seen:  # told to the parent once per process
                self._seen.add(key)
                self._found.write(key + "\n")
                self._found.flush()
        finally:
            self.count += 1
            HEADER.pack_into(self._mem, 0, self.count, 0.0, 0)


def load(target: Target, engine: str) -> tuple[Run, Errors]:
    if engine != "atheris":
        return target.load()
    import atheris

    with atheris.instrument_imports(include=INSTRUMENTED):
        return target.load()


def run_hypothesis(runner: Runner, deadline: float) -> None:
    from hypothesis import HealthCheck, Phase, given, settings

    @settings(
        max_examples=1000,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(runner.target.strategy())
    def once(data: bytes) -> None:
        if time.monotonic() < deadline:
            runner.execute(data)

    while time.monotonic() < deadline:
        once()


def run_atheris(runner: Runner, deadline: float, workdir: Path) -> None:
    import atheris

    corpus = workdir / "corpus"
    corpus.mkdir(exist_ok=True)
    for n, seed in enumerate(runner.target.seeds()):
        (corpus / f"seed-{n}").write_bytes(seed[:ATHERIS_MAX_LEN])
    args = [
        "fuzz",
        f"-max_total_time={max(1, round(deadline - time.monotonic()))}",
        f"-max_len={ATHERIS_MAX_LEN}",
        "-timeout=600",  # hangs are the parent's watch (2 s, with the stack)
        "-rss_limit_mb=4096",
        f"-artifact_prefix={workdir}/",  # libFuzzer's own crash files: not in the working directory
        str(corpus),
    ]
    atheris.Setup(args, runner.execute)
    atheris.Fuzz()  # exits the process at the time limit


def work(target: Target, engine: str, deadline: float, crash_root: Path, state: Path) -> None:
    """Fuzz ``target`` until ``deadline`` (``time.monotonic()``), startup included."""
    runner = Runner(target, load(target, engine), CrashDir(crash_root / target.name), state)
    if engine == "atheris":
        run_atheris(runner, deadline, state)
    else:
        run_hypothesis(runner, deadline)
